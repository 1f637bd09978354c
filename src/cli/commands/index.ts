// Every command, listed explicitly: no folder scanning at run time (it would not
// survive bundling into one executable).
import type { JindrCommand } from '../command.ts';

export const commands: readonly JindrCommand[] = [];
