// stat's one line (or JSON object, or a template over its fields) about a registry.
import type { Context } from '../context.ts';
import { describeRegistrySecurity } from '../../server/security-info.ts';
import { describeStorage, startHint, type RegistryStatus } from '../../server/status.ts';
import { printRows } from './print.ts';
import type { Column } from './table.ts';

export const statusColumns: readonly Column<RegistryStatus>[] = [
  { header: 'REGISTRY', value: (s) => s.address.registry },
  { header: 'STATE', value: (s) => s.container?.state ?? 'absent' },
  { header: 'CONTAINER', value: (s) => s.container?.name ?? '' },
  { header: 'IMAGE', value: (s) => s.container?.image ?? '' },
  { header: 'STORAGE', value: (s) => (s.container ? describeStorage(s.container) : '') },
  { header: 'SECURITY', value: (s) => (s.security ? describeRegistrySecurity(s.security) : '-') },
];

function sentence(status: RegistryStatus): string {
  const { address, container: c, security } = status;
  if (!c) return `${address.registry}: no registry (${startHint(address)})`;
  if (!c.running) return `${address.registry}: not running (container ${c.name} is ${c.state})`;
  // ", htpasswd + TLS" when it asks for a login or speaks TLS; nothing for a plain one.
  const secured = security && (security.auth || security.tls) ? `, ${describeRegistrySecurity(security)}` : '';
  return `${address.registry}: running as ${c.name} (${c.image}, data in ${describeStorage(c)}${secured})`;
}

export function printStatus(ctx: Context, status: RegistryStatus): void {
  const { address, container: c, security } = status;
  const json = c
    ? { running: c.running, state: c.state, container: c.name, image: c.image, storage: describeStorage(c), ...security }
    : { running: false, state: 'absent' };
  printRows(ctx, statusColumns, [status], { registry: address.registry, ...json }, () => ctx.stdout.write(sentence(status) + '\n'));
}
