// Text layout for help, as cobra and pflag lay out Docker's: words wrapped to fit 80
// columns with a hanging indent, and two-column lists (flags, commands) whose second
// column starts where the widest first column ends plus three spaces.

/** Lines are at most this long (pflag wraps Docker's flag lists at the terminal width - 1, 80 by default). */
export const HELP_WIDTH = 79;

/** Words of text wrapped into lines of at most `width`; a word longer than a line stays whole. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** `text` after `lead` (padded to `indent`), later lines indented by `indent`. */
export function hanging(lead: string, text: string, indent: number, width = HELP_WIDTH): string {
  const pad = ' '.repeat(indent);
  const first = lead.length > indent - 1 ? `${lead}\n${pad}` : lead.padEnd(indent);
  const lines = wrapWords(text, Math.max(20, width - indent));
  return (first + lines.join(`\n${pad}`)).trimEnd();
}

/** A paragraph wrapped to the width with `indent` spaces before every line. */
export function paragraph(text: string, indent = 0, width = HELP_WIDTH): string {
  return wrapWords(text, width - indent)
    .map((l) => ' '.repeat(indent) + l)
    .join('\n');
}

/**
 * Rows of [first column, description], the descriptions aligned `gap` spaces after the
 * widest first column (pflag: 3; cobra's command lists: 1 after a name padded to 11).
 */
export function twoColumns(rows: ReadonlyArray<readonly [string, string]>, options: { gap?: number; minFirst?: number } = {}): string {
  const widest = Math.max(options.minFirst ?? 0, ...rows.map(([first]) => first.length));
  return rows.map(([first, text]) => (text ? hanging(first, text, widest + (options.gap ?? 3)) : first)).join('\n');
}

/** A section: its title, then its body (nothing at all when the body is empty). */
export function section(title: string, body: string): string[] {
  return body.trim() ? [`${title}\n${body}`] : [];
}
