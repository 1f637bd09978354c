// Podman's API service (`podman system service`, or the one systemd starts on its socket)
// reads registries.conf once and keeps it: a registries.conf.d entry written later counts
// only after the service starts again or gets SIGHUP, which makes it read its
// configuration again (containers/podman#7311). For a service on this machine, found as
// the podman process that holds the engine's unix socket (Linux: /proc), that is done here.
import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { errorMessage } from '../errors.ts';

export type Reload = { reloaded: number } | { failed: string } | { notFound: true };

/** The inodes of the unix sockets bound to path, from /proc/net/unix (last column: the path). */
export function socketInodes(procNetUnix: string, path: string): Set<string> {
  const inodes = new Set<string>();
  for (const line of procNetUnix.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 8 && fields.slice(7).join(' ') === path) inodes.add(fields[6]!);
  }
  return inodes;
}

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** Pids of podman processes holding one of the sockets (a process of another user cannot be seen, and is skipped). */
function holders(inodes: ReadonlySet<string>): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (read(`/proc/${pid}/comm`)?.trim() !== 'podman') continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? '');
      } catch {
        return false;
      }
    });
    if (holds) found.push(Number(pid));
  }
  return found;
}

/** Sends SIGHUP to the Podman service listening on socketPath, when it runs on this machine and can be seen. */
export function reloadPodmanService(socketPath: string): Reload {
  const table = read('/proc/net/unix');
  if (table === undefined) return { notFound: true };
  let real = socketPath;
  try {
    real = realpathSync(socketPath);
  } catch {
    // as given
  }
  const inodes = new Set([...socketInodes(table, socketPath), ...socketInodes(table, real)]);
  const pids = inodes.size > 0 ? holders(inodes) : [];
  if (pids.length === 0) return { notFound: true };
  try {
    for (const pid of pids) process.kill(pid, 'SIGHUP');
  } catch (err) {
    return { failed: errorMessage(err) };
  }
  return { reloaded: pids[0]! };
}
