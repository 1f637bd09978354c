// start's options for a registry others may use: --auth (with --password-stdin), --tls,
// --san, --cert/--key, --bind, --insecure-expose; parsed into a SecurityRequest.
import type { Flag } from './command.ts';
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

export const SECURITY_OPTIONS: Readonly<Record<string, Flag>> = {
  auth: {
    type: 'string',
    value: 'USER',
    array: true,
    describe:
      'Require a login; USER gets a password (asked, or --password-stdin). Repeat for more users. An existing USER gets the new password; others are kept',
  },
  'password-stdin': { type: 'boolean', describe: 'Read the --auth passwords from stdin, one line per user in order' },
  tls: {
    type: 'boolean',
    describe:
      "Serve HTTPS with a certificate from the registry's own CA (made once, renewed when due); Docker here is made to trust the CA",
  },
  san: {
    type: 'string',
    value: 'NAME',
    array: true,
    describe:
      "Another name or IP address for the certificate (besides localhost, 127.0.0.1, ::1 and this host's name); repeatable; implies --tls",
  },
  cert: {
    type: 'string',
    normalize: true,
    value: 'FILE',
    describe: 'Your own certificate (PEM, chain after it) instead of one made here; with --key; implies --tls',
  },
  key: { type: 'string', normalize: true, value: 'FILE', describe: 'The private key (PEM) of --cert' },
  bind: {
    type: 'string',
    value: 'ADDR',
    describe:
      'Publish also on ADDR: 0.0.0.0 or :: (every interface) or an address of this machine (default: the -r address); beyond loopback needs --auth',
  },
  'insecure-expose': {
    type: 'boolean',
    describe: 'Allow --bind beyond loopback without --auth (anyone who reaches this machine can push and delete)',
  },
};

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
  if (args.passwordStdin && users.length === 0)
    throw new UsageError('--password-stdin needs --auth USER: the passwords are for those users');
  if ((args.cert === undefined) !== (args.key === undefined))
    throw new UsageError('--cert and --key go together: the certificate and its private key');
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
