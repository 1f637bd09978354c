// This machine's addresses, for tests that need one that is not loopback.
import { networkInterfaces } from 'node:os';
import { dockerOk } from './run.ts';

/** A non-loopback IPv4 address of this machine (docker0, eth0...), or undefined. */
export function outsideAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/**
 * The address containers on the default bridge reach this machine at (docker0's), from the
 * engine: os.networkInterfaces() leaves docker0 out while no container is attached to it
 * (libuv lists only interfaces that are up and running), and the address is there all the same.
 */
export async function bridgeGateway(): Promise<string> {
  const [gateway = '', subnet = '', device = ''] = (
    await dockerOk([
      'network',
      'inspect',
      'bridge',
      '--format',
      '{{(index .IPAM.Config 0).Gateway}} {{(index .IPAM.Config 0).Subnet}} {{index .Options "com.docker.network.bridge.name"}}',
    ])
  )
    .trimEnd()
    .split(' ');
  if (gateway) return gateway;
  // An engine that found docker0 already there (a restart) may record the subnet alone: the
  // bridge's own address is the gateway then, and failing that the subnet's first address.
  const own = networkInterfaces()[device]?.find((a) => a.family === 'IPv4')?.address;
  if (own) return own;
  const first = /^(\d+\.\d+\.\d+\.)0\/\d+$/.exec(subnet);
  if (first) return `${first[1]}1`;
  throw new Error(
    `the engine's bridge network names no gateway (subnet ${subnet || 'none'}): cannot tell where containers reach this machine`,
  );
}
