// The build's warm-up (build/sea.ts): runs the bundle as the executable will, through the
// command lines of one profile one after another in this process, then writes the V8
// code cache of every function they compiled. The commands talk to a small registry
// served here on loopback (one repository, one tag, one image), so a cache holds what a
// real `ls`, `lsi` (the first one, and a second one with its cache) or a warm `cp` runs,
// answers included (for cp: a single-platform image, and a two-platform index named in
// full, with -q and without). A cache is deserialized whole at start, so each of these commands
// gets its own (the executable picks one by the command word: sea.ts); `all` also
// evaluates every command's module (lazy-commands.ts) for the other commands. A run that
// exits non-zero stops the build: its cache would hold the error path instead of the command.
//   node build/warm-up.cjs APP_JS CACHE_OUT SCRATCH_DIR PROFILE SIDE_FILES (JSON: package -> its side script)
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const vm = require('node:vm');

const [appFile, cacheFile, scratch, profile, sideJson] = process.argv.slice(2);
// The packages the main script leaves to side scripts (build/side-packages.ts), as the executable serves them.
const sideFiles = JSON.parse(sideJson);
const sides = new Map();
globalThis[Symbol.for('docker-jindr.side')] = (name) => {
  if (!sides.has(name)) {
    const m = { exports: {} };
    new vm.Script(fs.readFileSync(sideFiles[name], 'latin1'), { filename: 'docker-jindr-side.js' }).runInThisContext()(
      m.exports,
      require,
      m,
      __filename,
      __dirname,
    );
    sides.set(name, m.exports);
  }
  return sides.get(name)[name]();
};
const script = new vm.Script(fs.readFileSync(appFile, 'utf8'), { filename: 'docker-jindr.js' });
const run = script.runInThisContext();

const digest = (bytes) => 'sha256:' + createHash('sha256').update(bytes).digest('hex');
const config = Buffer.from(
  JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: [] } }),
);
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
    layers: [],
  }),
);
// A two-platform image as most are (an index over the manifest above), copied by its full name.
const INDEX = 'application/vnd.oci.image.index.v1+json';
const platforms = [
  ['amd64', 'linux'],
  ['arm64', 'linux'],
].map(([architecture, os]) => ({ mediaType: MANIFEST, digest: digest(manifest), size: manifest.length, platform: { architecture, os } }));
const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: platforms }));
const json = (res, status, body, headers = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/v2/') return json(res, 200, {});
  if (url.pathname === '/v2/_catalog') return json(res, 200, { repositories: ['app'] });
  // Every repository's tag list: cp reads the source's (for its referrers' tags) before it ends.
  const tags = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
  if (tags) return json(res, 200, { name: tags[1], tags: ['v1'] });
  // The source's tag and the copy's destination tag: the same image, so the copy is a warm one.
  if (/^\/v2\/(app|mirror)\/manifests\/(v1|sha256:[0-9a-f]{64})$/.test(url.pathname)) {
    res.writeHead(200, { 'content-type': MANIFEST, 'docker-content-digest': digest(manifest), 'content-length': manifest.length });
    return res.end(req.method === 'HEAD' ? undefined : manifest);
  }
  if (/^\/v2\/(multi|mirror\/multi)\/manifests\/(v1|sha256:[0-9a-f]{64})$/.test(url.pathname)) {
    const [bytes, type] = url.pathname.endsWith(digest(manifest)) ? [manifest, MANIFEST] : [index, INDEX];
    res.writeHead(200, { 'content-type': type, 'docker-content-digest': digest(bytes), 'content-length': bytes.length });
    return res.end(req.method === 'HEAD' ? undefined : bytes);
  }
  if (url.pathname === `/v2/app/blobs/${digest(config)}`) return res.writeHead(200, { 'content-length': config.length }).end(config);
  json(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not here' }] });
});

// Swallow what the runs print, but call write callbacks: the entry exits once stdout has flushed.
const realStderr = process.stderr.write.bind(process.stderr);
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (chunk, encoding, callback) => {
    const done = typeof encoding === 'function' ? encoding : callback;
    if (done) process.nextTick(done);
    return true;
  };
}

server.listen(0, '127.0.0.1', () => {
  const registry = `127.0.0.1:${server.address().port}`;
  const profiles = {
    help: [['--help'], ['lsi', '--help'], ['cp', '--help']],
    ls: [['-r', registry, 'ls']],
    lsi: [
      ['-r', registry, 'lsi'],
      ['-r', registry, 'lsi'],
      ['-r', registry, 'lsi', '-q'],
    ],
    cp: [
      ['-r', registry, 'cp', '-q', 'app:v1', '--to', `${registry}/mirror:v1`],
      ['cp', '-q', `${registry}/multi:v1`, `${registry}/mirror`],
      ['cp', `${registry}/multi:v1`, `${registry}/mirror`],
    ],
  };
  profiles.all = Object.values(profiles).flat();
  const runs = profiles[profile];
  if (!runs) throw new Error(`warm-up: no profile ${profile}`);
  const env = { ...process.env, XDG_CACHE_HOME: path.join(scratch, `warm-xdg-${profile}`) };
  const exit = process.exit;
  let next = 0;
  const start = () => {
    process.argv = [process.argv[0], process.argv[0], ...runs[next++]];
    process.env = env;
    setImmediate(() => run(exports, require, module, __filename, __dirname));
  };
  process.exit = (code) => {
    // A run that fails caches its error path, not the command's: the build stops instead.
    if (code) {
      process.stderr.write = realStderr;
      console.error(`warm-up (${profile}): \`${runs[next - 1].join(' ')}\` exited ${code}`);
      return exit(1);
    }
    if (next < runs.length) return start();
    if (profile === 'all') globalThis[Symbol.for('docker-jindr.load-commands')]?.();
    fs.writeFileSync(cacheFile, script.createCachedData());
    exit(0);
  };
  start();
});
