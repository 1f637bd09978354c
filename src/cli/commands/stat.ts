// stat (status): one line saying whether the registry runs; exit 0 when it does, 1 when not.
import { defineCommand } from '../command.ts';
import { findRegistryContainer, type RegistryContainer } from '../../server/container.ts';
import { parseLocalRegistry } from '../../server/address.ts';
import { describeRegistrySecurity, registrySecurity } from '../../server/security-info.ts';
import { jindrCommand } from '../../registry/host.ts';

/** The storage area for people: a path, a volume, or the container itself. */
export function describeStorage(c: RegistryContainer): string {
  switch (c.storage.kind) {
    case 'bind':
      return c.storage.path;
    case 'volume':
      return `volume ${c.storage.name}`;
    case 'container':
      return 'the container (no volume)';
  }
}

export const statCommand = defineCommand({
  command: 'stat',
  aliases: ['status'],
  describe: 'Say whether the registry is running (exit 0 when it is, 1 when not)',
  run: async (_args, ctx) => {
    const address = parseLocalRegistry(ctx.registry);
    const { docker, local } = await ctx.engine();
    const c = await findRegistryContainer(docker, address);
    const security = c ? await registrySecurity(c, local, ctx.signal) : undefined;
    // ", htpasswd + TLS" when it asks for a login or speaks TLS; nothing for a plain one.
    const secured = security && (security.auth || security.tls) ? `, ${describeRegistrySecurity(security)}` : '';
    if (ctx.format === 'json') {
      const state = c ? { running: c.running, state: c.state, container: c.name, image: c.image, storage: describeStorage(c), ...security } : { running: false, state: 'absent' };
      ctx.stdout.write(JSON.stringify({ registry: address.registry, ...state }, null, 2) + '\n');
    } else if (!c) {
      ctx.stdout.write(`${address.registry}: no registry (start one with: ${jindrCommand(ctx.registry, 'start')})\n`);
    } else if (c.running) {
      ctx.stdout.write(`${address.registry}: running as ${c.name} (${c.image}, data in ${describeStorage(c)}${secured})\n`);
    } else {
      ctx.stdout.write(`${address.registry}: not running (container ${c.name} is ${c.state})\n`);
    }
    return c?.running ? 0 : 1;
  },
});
