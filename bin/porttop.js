#!/usr/bin/env node
// Kept so that `node bin/porttop.js ...` in scripts keeps working; the installed bin is porttop.cjs,
// which Node loads without starting its ESM loader.
import './porttop.cjs';
