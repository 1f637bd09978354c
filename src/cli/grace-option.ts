// gc's grace period on the command line (gc, stop, prune): --grace DURATION, default one
// hour (storage/grace-period.ts says why), in the duration syntax of every other option.
import type { Flag } from './command.ts';
import { parseDuration } from './duration.ts';
import { DEFAULT_GRACE_MS } from '../storage/grace-period.ts';

export const GRACE_OPTION: Flag = {
  type: 'string',
  value: 'DURATION',
  defaultText: '`1h`',
  describe:
    'Keep what was written more recently than DURATION (30m, 2d, 1h30m; 0 keeps nothing back), as a push under way needs it [default: 1h]',
};

/** The grace period in milliseconds: the default when not given; a usage error when not a duration. */
export function graceMs(text: string | undefined): number {
  return text === undefined ? DEFAULT_GRACE_MS : parseDuration(text, '--grace');
}
