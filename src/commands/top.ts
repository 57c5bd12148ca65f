// porttop (or porttop top): the interactive view. Placeholder until issue 4 lands.
import type { CommandModule } from 'yargs';
import { BackendError } from '../errors.js';
import type { GlobalArgs } from './common.js';

export const topCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: ['top', '$0'],
  describe: 'live, top-like view of processes by socket count (the default)',
  handler: () => {
    throw new BackendError('the interactive view is not built yet: use porttop procs');
  },
};
