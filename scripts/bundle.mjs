// Bundles the command line into CommonJS files under dist/bin/, which bin/porttop.cjs loads:
// - dist/bin/commands/<name>.cjs, one per table-defined command (who, kill, list, why, wait, free):
//   that command, the yargs-free fast path and the backends, a third of the whole CLI's code.
//   `porttop who 8080` loads this file only; a call that is not plain (--help, a bad flag) falls
//   through to the whole CLI;
// - dist/bin/porttop.cjs, the whole CLI with yargs, for every other command and call.
// CommonJS rather than ESM: on Node 20 the ESM loader and its facades for node: built-ins cost a
// one-shot command more than its work does. Packages stay outside (yargs, ink, react and
// node-powershell are loaded by import() or require() only where used), and so does the live view:
// `import('../tui/run.js')` loads tsc's output in dist/tui/, whose Ink and React imports only ESM can
// load. The PowerShell backend stays in: left out, it would save Linux 1 ms per call and cost Windows
// an ESM module graph, and its errors would be another copy of PorttopError. The library entry is
// tsc's dist/ as before; these bundles serve the bin only.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The commands described by a table (src/commands/define.ts), which the fast path can run. */
const TABLE_COMMANDS = ['who', 'kill', 'list', 'why', 'wait', 'free'];

/** Leaves the live view to tsc's dist/tui/, found from a bundle `depth` folders under dist/. */
function liveViewOutside(depth) {
  const up = '../'.repeat(depth);
  return {
    name: 'live-view-outside',
    setup(builder) {
      builder.onResolve({ filter: /\/tui\/run\.js$/ }, () => ({ path: `${up}tui/run.js`, external: true }));
    },
  };
}

/**
 * import.meta.url in a bundle `depth` folders under dist/: the URL of a file in dist/bin/, one folder
 * under dist/ as every module that reads it is in tsc's output (src/ps/session.ts finds
 * ../../scripts/ps1/, src/serve/collectThread.ts finds ../serve/worker.js).
 */
function moduleUrlBanner(depth) {
  const file = `require("node:path").join(__dirname, "${'../'.repeat(depth - 1)}", "bundle.cjs")`;
  return { js: `const __porttopBundleUrl = require("node:url").pathToFileURL(${file}).href;` };
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  define: { 'import.meta.url': '__porttopBundleUrl' },
  sourcemap: true,
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: [`${root}src/cli.ts`], outfile: `${root}dist/bin/porttop.cjs`, banner: moduleUrlBanner(1), plugins: [liveViewOutside(1)] }),
  ...TABLE_COMMANDS.map((name) =>
    build({
      ...common,
      stdin: {
        contents: [
          `export { ${name}Command as command } from './src/commands/${name}.ts';`,
          `export { runPlainCall } from './src/cli-fast-path.ts';`,
          `export { processRuntime } from './src/runtime.ts';`,
        ].join('\n'),
        resolveDir: root,
        sourcefile: `${name}-command-bundle.ts`,
        loader: 'ts',
      },
      outfile: `${root}dist/bin/commands/${name}.cjs`,
      banner: moduleUrlBanner(2),
      plugins: [liveViewOutside(2)],
    }),
  ),
]);
