// Bundles the CLI into one CommonJS file, dist/bin/porttop.cjs, which bin/porttop.cjs loads.
// One file instead of ~60 compiled modules, and CommonJS rather than ESM: on Node 20 the ESM loader
// and its facades for node: built-ins cost a one-shot command more than its work does. Packages stay
// outside (yargs, ink, react and node-powershell are loaded by import() or require() only where
// used), and so does the live view: `import('../tui/run.js')` is left as it is and loads the tsc
// output in dist/tui/, whose Ink and React imports only ESM can load. The library entry is tsc's
// dist/ as before; this bundle serves the bin only.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Leaves the live view to be imported from dist/tui/ at run time (same relative path from dist/bin/). */
const liveViewOutside = {
  name: 'live-view-outside',
  setup(builder) {
    builder.onResolve({ filter: /\/tui\/run\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

await build({
  entryPoints: [`${root}src/cli.ts`],
  outfile: `${root}dist/bin/porttop.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  // the one `import.meta.url` (the PowerShell scripts folder, ../../scripts/ps1/ from dist/ps/ and
  // from dist/bin/ alike) becomes this file's URL
  define: { 'import.meta.url': '__porttopBundleUrl' },
  banner: { js: 'const __porttopBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [liveViewOutside],
  sourcemap: true,
  logLevel: 'warning',
});
