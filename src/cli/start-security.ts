// start's options for a registry others may use: --auth (with --password-stdin), --tls,
// --san, --cert/--key, --bind, --insecure-expose; parsed into a SecurityRequest.
import type { Argv } from 'yargs';
import type { Context } from './context.ts';
import { parseBind, type SecurityRequest } from '../server/security-plan.ts';
import { UsageError } from '../errors.ts';
import { checkUserName } from '../security/htpasswd.ts';
import { readPasswords } from '../security/passwords.ts';
import { checkSan, readOwnCertificate } from '../security/tls-files.ts';

export interface SecurityArgs {
  auth?: string[];
  passwordStdin?: boolean;
  tls?: boolean;
  san?: string[];
  cert?: string;
  key?: string;
  bind?: string;
  insecureExpose?: boolean;
}

export function securityOptions<T>(yargs: Argv<T>): Argv<T> {
  return yargs
    .option('auth', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'Require a login; USER gets a password (asked, or --password-stdin). Repeat for more users. An existing USER gets the new password; others are kept',
    })
    .option('password-stdin', {
      type: 'boolean',
      describe: 'Read the --auth passwords from stdin, one line per user in order',
    })
    .option('tls', {
      type: 'boolean',
      describe: "Serve HTTPS with a certificate from the registry's own CA (made once, renewed when due); Docker here is made to trust the CA",
    })
    .option('san', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'Another name or IP address for the certificate (besides localhost, 127.0.0.1, ::1 and this host\'s name); repeatable; implies --tls',
    })
    .option('cert', { type: 'string', requiresArg: true, describe: 'Your own certificate (PEM, chain after it) instead of one made here; with --key; implies --tls' })
    .option('key', { type: 'string', requiresArg: true, describe: 'The private key (PEM) of --cert' })
    .option('bind', {
      type: 'string',
      requiresArg: true,
      describe: 'Publish also on ADDR: 0.0.0.0 or :: (every interface) or an address of this machine (default: the -r address); beyond loopback needs --auth',
    })
    .option('insecure-expose', {
      type: 'boolean',
      describe: 'Allow --bind beyond loopback without --auth (anyone who reaches this machine can push and delete)',
    });
}

const list = (value: string[] | undefined): string[] => (value ?? []).map((v) => String(v));

/**
 * Checks the options, reads the passwords and --cert/--key: everything before the engine is
 * asked (whether --bind is an address of the engine's machine is checked once it is known).
 */
export async function securityRequest(args: SecurityArgs, ctx: Context): Promise<SecurityRequest> {
  const users = list(args.auth);
  users.forEach(checkUserName);
  const twice = users.find((u, i) => users.indexOf(u) !== i);
  if (twice !== undefined) throw new UsageError(`--auth ${twice} is given twice`);
  if (args.passwordStdin && users.length === 0) throw new UsageError('--password-stdin needs --auth USER: the passwords are for those users');
  if ((args.cert === undefined) !== (args.key === undefined)) throw new UsageError('--cert and --key go together: the certificate and its private key');
  if (args.insecureExpose && args.bind === undefined) throw new UsageError('--insecure-expose goes with --bind ADDR');
  const sans = list(args.san).map(checkSan);
  const own = args.cert !== undefined && args.key !== undefined ? readOwnCertificate(args.cert, args.key) : undefined;
  const bind = args.bind === undefined ? undefined : parseBind(args.bind, false);
  const passwords = users.length > 0 ? await readPasswords(ctx.stdin, ctx.stderr, users, Boolean(args.passwordStdin), ctx.signal) : [];
  return {
    users: users.map((name, i) => ({ name, password: passwords[i]! })),
    tls: Boolean(args.tls) || sans.length > 0 || own !== undefined,
    sans,
    own,
    bind,
    insecureExpose: Boolean(args.insecureExpose),
  };
}
