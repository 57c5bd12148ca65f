// porttop watch: placeholder until issue 5 lands.
import type { CommandModule } from 'yargs';
import { BackendError } from '../errors.js';
import type { GlobalArgs } from './common.js';

export const watchCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'watch',
  describe: 'sample port usage at an interval, append CSV or NDJSON, show the trend',
  handler: () => {
    throw new BackendError('watch is not built yet');
  },
};
