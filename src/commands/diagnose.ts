// porttop diagnose: placeholder until issue 5 lands.
import type { CommandModule } from 'yargs';
import { BackendError } from '../errors.js';
import type { GlobalArgs } from './common.js';

export const diagnoseCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'diagnose',
  describe: 'is this machine running out of ephemeral ports, and which process is doing it',
  handler: () => {
    throw new BackendError('diagnose is not built yet');
  },
};
