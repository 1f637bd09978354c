// How long ago, in the Docker CLI's words: `docker images` shows CREATED as
// units.HumanDuration(now - created) + " ago" (github.com/docker/go-units, duration.go),
// e.g. "Less than a second ago", "About an hour ago", "3 days ago", "2 years ago".

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** go-units' HumanDuration, the same thresholds and wording. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / HOUR + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / HOUR) / 24 / 365)} years`;
}

/** "3 days ago" for an RFC 3339 time; "N/A" when there is none. */
export function timeAgo(when: string | undefined, now: number = Date.now()): string {
  if (when === undefined) return 'N/A';
  const ms = Date.parse(when);
  return Number.isNaN(ms) ? 'N/A' : `${humanDuration(now - ms)} ago`;
}
