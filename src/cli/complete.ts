// `docker __complete jindr ARGS...`: cobra's completion protocol, as the Docker CLI
// relays it for plugins: one candidate per line, then ":<directive>".
import type { JindrCommand } from './command.ts';

/** cobra's ShellCompDirectiveNoFileComp */
const NO_FILE_COMPLETION = 4;

export function completions(commands: readonly JindrCommand[], args: readonly string[]): string {
  const words = args.filter((a, i) => i < args.length - 1 && !a.startsWith('-'));
  const current = args.at(-1) ?? '';
  let candidates: string[] = [];
  if (words.length === 0 && !current.startsWith('-')) {
    candidates = commands.flatMap((c) => {
      const name = c.command.split(' ')[0]!;
      return [`${name}\t${c.describe}`];
    });
  } else if (current.startsWith('-')) {
    candidates = ['--registry', '--format', '--debug', '--help'];
  }
  const matching = candidates.filter((c) => c.startsWith(current));
  return [...matching, `:${NO_FILE_COMPLETION}`].join('\n') + '\n';
}
