// This machine's addresses, for tests that need one that is not loopback.
import { networkInterfaces } from 'node:os';

/** A non-loopback IPv4 address of this machine (docker0, eth0...), or undefined. */
export function outsideAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
