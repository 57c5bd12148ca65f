// porttop completion: yargs' built-in completion script (bash, or zsh when $SHELL is zsh), which calls
// `porttop --get-yargs-completions` on each Tab. src/cli.ts hands in yargs' showCompletionScript: yargs'
// own `completion` command keeps parsing after the script when exitProcess is false and then fails its
// strict check, so the script is printed from this ordinary command instead.
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from './common.js';

export function completionCommand(showCompletionScript: () => void): CommandModule<GlobalArgs, GlobalArgs> {
  return {
    command: 'completion',
    describe: 'print a bash/zsh completion script: porttop completion >> ~/.bashrc (zsh: >> ~/.zshrc)',
    handler: () => showCompletionScript(),
  };
}
