// start's one line: what it did, to which container, with which image, data and security.
import type { Context } from '../context.ts';
import { jindrCommand } from '../../registry/host.ts';
import type { LocalRegistryAddress } from '../../server/address.ts';
import type { SecureStartResult } from '../../server/secure-start.ts';
import { securityOf } from '../../server/security-plan.ts';
import { describeStorage } from '../../server/status.ts';

/** ", htpasswd auth, TLS" when the registry has them. */
function describeSecurity(auth: boolean, tls: boolean): string {
  return [auth ? ', htpasswd auth' : '', tls ? ', TLS' : ''].join('');
}

export function printStarted(ctx: Context, address: LocalRegistryAddress, result: SecureStartResult): void {
  const c = result.container;
  if (result.outcome === 'already-running') {
    ctx.stdout.write(`registry already running as ${c.name} on ${address.registry}\n`);
    if (result.ignored.length > 0) {
      ctx.info(
        `note: ${result.ignored.join(', ')} not applied to the running container: stop it first (${jindrCommand(address.registry, 'stop')})`,
      );
    }
    return;
  }
  const verb = result.outcome === 'created' ? 'created and started' : 'started';
  const security = securityOf(c);
  ctx.stdout.write(
    `registry ${verb} as ${c.name} on ${address.registry} (${c.image}, data in ${describeStorage(c)}${describeSecurity(security.auth, security.tls !== undefined)})\n`,
  );
}
