// What a registry container served, from its own access log (distribution's common log
// format lines): the requests a command made, counted where they are paid. The engine hands
// a container's log over a moment after the line is written, so `during` ends each window
// with a marker request of its own and waits for the marker's line: every request the
// command made was answered (and logged) before it.
import { randomBytes } from 'node:crypto';
import { docker } from './run.ts';
import type { TestRegistry } from './engine.ts';
import { waitFor } from './wait.ts';

export interface Served {
  method: string;
  uri: string;
  status: number;
}

/** Every request the registry container served so far, in order. */
export async function served(r: TestRegistry): Promise<Served[]> {
  const { stdout, stderr } = await docker(['logs', r.name]);
  return [...`${stdout}\n${stderr}`.matchAll(/^\S+ - \S+ \[[^\]]+\] "([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /gm)].map((m) => ({
    method: m[1]!,
    uri: m[2]!,
    status: Number(m[3]),
  }));
}

/** The requests each registry served while fn ran (each log read up to a marker request sent after fn). */
export async function during(registries: readonly TestRegistry[], fn: () => Promise<void>): Promise<Served[][]> {
  const before = await Promise.all(registries.map(async (r) => (await served(r)).length));
  await fn();
  return Promise.all(
    registries.map(async (r, i) => {
      const marker = `/v2/jindr-test-marker-${randomBytes(6).toString('hex')}/tags/list`;
      await fetch(`http://${r.host}${marker}`).then((res) => res.arrayBuffer());
      let log: Served[] = [];
      await waitFor(`${r.name}'s access log to show ${marker}`, async () => {
        log = await served(r);
        return log.some((s) => s.uri === marker);
      });
      return log.slice(
        before[i],
        log.findIndex((s) => s.uri === marker),
      );
    }),
  );
}

/** "METHOD URI" of a served request. */
export const ask = (s: Served): string => `${s.method} ${s.uri}`;
