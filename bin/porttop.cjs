#!/usr/bin/env node
// The installed entry point. It turns on Node's module compile cache (Node 22.1+) before loading the
// CLI, one bundled CommonJS file built by `npm run build` (scripts/bundle.mjs): a one-shot command
// such as `porttop who 8080` then starts in little more than Node's own start-up.
'use strict';
const { join } = require('node:path');
const { enableCompileCache } = require('node:module');

/** The user's cache folder, as each OS names it (XDG on Linux). */
function compileCacheDirectory() {
  const { env, platform } = process;
  const home = require('node:os').homedir();
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'porttop', 'Cache', 'node-compile-cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'porttop', 'node-compile-cache');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'porttop', 'node-compile-cache');
}

if (enableCompileCache) {
  try {
    // NODE_DISABLE_COMPILE_CACHE=1 turns it off; an unwritable folder only costs the speed-up
    enableCompileCache(compileCacheDirectory());
  } catch {
    // no home directory: run without the cache
  }
}

require('../dist/bin/porttop.cjs')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
