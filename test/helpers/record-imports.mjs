// Loaded with `node --import`: records every module the process loads into $PORTTOP_IMPORT_LOG, one
// URL a line: ES modules as the loader sees them, and at exit every CommonJS file in require's cache
// (the bin and its bundle are CommonJS; node-powershell is required), so a test can prove that
// `who --json` never loads yargs, ink, react or node-powershell.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const log = process.env.PORTTOP_IMPORT_LOG;
register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from 'node:fs';
    export async function load(url, context, next) {
      appendFileSync(${JSON.stringify(log)}, url + '\\n');
      return next(url, context);
    }`)}`,
);
process.on('exit', () => {
  const files = Object.keys(createRequire(import.meta.url).cache);
  appendFileSync(log, files.map((file) => `${pathToFileURL(file).href}\n`).join(''));
});
