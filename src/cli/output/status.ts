// stat's one line (or JSON object) about a registry.
import type { Context } from '../context.ts';
import { describeRegistrySecurity } from '../../server/security-info.ts';
import { describeStorage, startHint, type RegistryStatus } from '../../server/status.ts';

export function printStatus(ctx: Context, status: RegistryStatus): void {
  const { address, container: c, security } = status;
  if (ctx.format === 'json') {
    const state = c ? { running: c.running, state: c.state, container: c.name, image: c.image, storage: describeStorage(c), ...security } : { running: false, state: 'absent' };
    ctx.stdout.write(JSON.stringify({ registry: address.registry, ...state }, null, 2) + '\n');
  } else if (!c) {
    ctx.stdout.write(`${address.registry}: no registry (${startHint(address)})\n`);
  } else if (c.running) {
    // ", htpasswd + TLS" when it asks for a login or speaks TLS; nothing for a plain one.
    const secured = security && (security.auth || security.tls) ? `, ${describeRegistrySecurity(security)}` : '';
    ctx.stdout.write(`${address.registry}: running as ${c.name} (${c.image}, data in ${describeStorage(c)}${secured})\n`);
  } else {
    ctx.stdout.write(`${address.registry}: not running (container ${c.name} is ${c.state})\n`);
  }
}
