// completion: print the bash or zsh completion script (source <(docker-jindr completion bash)).
import { basename } from 'node:path';
import { defineCommand } from '../command.ts';
import { completionScript, SHELLS, type Shell } from '../completion-scripts.ts';

/** The script runs the executable that printed it, found even when it is not on PATH (a Docker CLI plugin). */
function program(): string {
  return basename(process.execPath).startsWith('docker-jindr') ? process.execPath : 'docker-jindr';
}

export const completionCommand = defineCommand<{ shell: Shell }>({
  command: 'completion <shell>',
  describe: 'Print the shell completion script for bash or zsh',
  readme: 'Prints the shell completion script: see [Shell completion](#shell-completion)',
  positionals: { shell: { choices: SHELLS, describe: 'bash or zsh' } },
  examples: [
    ['source <($0 completion bash)', 'complete commands, options, repositories and tags in this bash'],
    ['source <($0 completion zsh)', 'the same in zsh (after compinit)'],
  ],
  epilog:
    'To load it in every shell, add the source line to ~/.bashrc or ~/.zshrc. Repository and tag names come from the ' +
    'registry of -r (as typed on the line, else the default) within 2 seconds; nothing is offered when it does not answer. ' +
    "`docker jindr ...` is completed by Docker's own completion script, which asks the plugin the same way.",
  run: async (args, ctx) => {
    ctx.stdout.write(completionScript(args.shell, program()));
  },
});
