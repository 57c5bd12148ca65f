// Loaded with `node --import`: records every module URL the process loads into $PORTTOP_IMPORT_LOG,
// so a test can prove that `who --json` never loads ink or react.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from 'node:fs';
    export async function load(url, context, next) {
      appendFileSync(process.env.PORTTOP_IMPORT_LOG, url + '\\n');
      return next(url, context);
    }`)}`,
);
