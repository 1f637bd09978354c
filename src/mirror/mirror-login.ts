// The upstream's login for a mirror: the user's own Docker login for that registry
// (credHelpers, credsStore, auths, as `docker pull` finds it), so the account's pull rate
// applies. distribution's proxy can only send a user name and password (or access token);
// an identity token (an OAuth refresh token) it cannot use.
import type { CredentialSource } from '../docker/credentials.ts';
import type { UpstreamLogin } from './mirror-config.ts';

export type LoginLookup =
  | { kind: 'login'; login: UpstreamLogin; username: string; from: string }
  | { kind: 'none'; from: string }
  | { kind: 'identity-token'; from: string };

/** `from` is the registry whose login is used: the upstream's own (docker.io, ghcr.io), or --login HOST. */
export async function lookupUpstreamLogin(credentials: CredentialSource, from: string): Promise<LoginLookup> {
  const found = await credentials(from);
  if (found === undefined) return { kind: 'none', from };
  if ('identityToken' in found) return { kind: 'identity-token', from };
  return { kind: 'login', login: { username: found.username, password: found.password }, username: found.username, from };
}

/** One line for people about the login the mirror uses; never the secret. */
export function describeLogin(lookup: LoginLookup): string {
  switch (lookup.kind) {
    case 'login':
      return `pulls with your Docker login to ${lookup.from} (user ${JSON.stringify(lookup.username)})`;
    case 'none':
      return `pulls anonymously (no Docker login for ${lookup.from}: docker login ${lookup.from}, then start the mirror again, for your account's pull rate)`;
    case 'identity-token':
      return `pulls anonymously: your Docker login to ${lookup.from} is an identity token, which the registry's proxy cannot use (docker login -u USER ${lookup.from} with a password or access token)`;
  }
}
