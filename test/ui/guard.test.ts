// The guard in front of every request of the page's server: Host, token, and where a
// change comes from. Pure: a table of requests and what each must get.
import test from 'ava';
import { checkRequest, cookieName, cookieValue, sessionCookie } from '../../src/ui/guard.ts';

const options = { port: 4242, token: 'a'.repeat(48) };
const good = { host: '127.0.0.1:4242', cookie: `${cookieName(4242)}=${options.token}` };
const post = { ...good, origin: 'http://127.0.0.1:4242', 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' };

const refused: [string, string, string, Record<string, string>, number][] = [
  ['no token at all', 'GET', '/', { host: good.host }, 401],
  ['no token for the script', 'GET', '/app.js', { host: good.host }, 401],
  ['no token for the API', 'GET', '/api/repositories', { host: good.host }, 401],
  ['no token for an unknown path', 'GET', '/favicon.ico', { host: good.host }, 401],
  ['a wrong token in the query', 'GET', `/?token=${'b'.repeat(48)}`, { host: good.host }, 401],
  ['a token of another length', 'GET', '/?token=aaaa', { host: good.host }, 401],
  ['a wrong cookie', 'GET', '/', { host: good.host, cookie: `${cookieName(4242)}=${'c'.repeat(48)}` }, 401],
  ["another port's cookie", 'GET', '/', { host: good.host, cookie: `${cookieName(4243)}=${options.token}` }, 401],
  ['a rebinding Host with the right token', 'GET', `/?token=${options.token}`, { ...good, host: 'evil.example:4242' }, 403],
  ['a Host on another port', 'GET', '/', { ...good, host: '127.0.0.1:80' }, 403],
  ['no Host', 'GET', '/', { cookie: good.cookie }, 403],
  ['PUT', 'PUT', '/api/delete', post, 405],
  ['a change without Origin', 'POST', '/api/delete', { ...post, origin: '' }, 403],
  ['a change from another site', 'POST', '/api/delete', { ...post, origin: 'http://evil.example' }, 403],
  ['a change from another local port', 'POST', '/api/delete', { ...post, origin: 'http://127.0.0.1:8080' }, 403],
  ['a change from an https origin of the same host', 'POST', '/api/delete', { ...post, origin: 'https://127.0.0.1:4242' }, 403],
  ['a change the browser calls cross-site', 'POST', '/api/delete', { ...post, 'sec-fetch-site': 'cross-site' }, 403],
  ['a change sent as a form', 'POST', '/api/delete', { ...post, 'content-type': 'application/x-www-form-urlencoded' }, 415],
  ['a change sent as text/plain', 'DELETE', '/api/delete', { ...post, 'content-type': 'text/plain' }, 415],
  ['a change without a token', 'POST', '/api/delete', { ...post, cookie: '' }, 401],
];

for (const [name, method, url, headers, status] of refused) {
  test(`refused: ${name} (${status})`, (t) => {
    const h = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
    const verdict = checkRequest(method, url, h, options);
    t.false(verdict.ok);
    if (!verdict.ok) t.is(verdict.status, status);
  });
}

test('the token in the query is accepted and asks for the cookie', (t) => {
  t.deepEqual(checkRequest('GET', `/?token=${options.token}`, { host: 'localhost:4242' }, options), { ok: true, fromQuery: true });
});

test('the cookie alone is accepted, on either name of this host', (t) => {
  t.deepEqual(checkRequest('GET', '/api/tags?repository=x', good, options), { ok: true, fromQuery: false });
  t.deepEqual(checkRequest('HEAD', '/', { ...good, host: 'LOCALHOST:4242' }, options), { ok: true, fromQuery: false });
});

test('a change from the page itself is accepted (with or without Sec-Fetch-Site, charset in Content-Type)', (t) => {
  t.true(checkRequest('POST', '/api/delete', post, options).ok);
  const { 'sec-fetch-site': _site, ...older } = post;
  t.true(
    checkRequest(
      'DELETE',
      '/api/x',
      { ...older, origin: 'http://localhost:4242', 'content-type': 'application/json; charset=utf-8' },
      options,
    ).ok,
  );
});

test('the session cookie is HttpOnly, SameSite=Strict, for the whole site, named after the port', (t) => {
  const cookie = sessionCookie(options);
  t.true(cookie.startsWith(`jindr-ui-4242=${options.token};`));
  t.regex(cookie, /; HttpOnly/);
  t.regex(cookie, /; SameSite=Strict/);
  t.regex(cookie, /; Path=\//);
});

test('cookieValue finds one cookie among several', (t) => {
  t.is(cookieValue('a=1; jindr-ui-1=xyz; b=2', 'jindr-ui-1'), 'xyz');
  t.is(cookieValue('a=1', 'jindr-ui-1'), undefined);
  t.is(cookieValue(undefined, 'x'), undefined);
});
