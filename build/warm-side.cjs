// The build's warm-up of a side package's script (build/side-packages.ts): evaluates the
// script as the executable's loader does, requires the package, and for dockerode also asks
// an engine that is not there (a socket path that does not exist), so that the code cache
// holds the client's request path besides the package's top level; then writes the V8
// code cache of every function compiled.
//   node build/warm-side.cjs SIDE_JS PACKAGE CACHE_OUT
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const [sideFile, pkg, cacheFile] = process.argv.slice(2);
const script = new vm.Script(fs.readFileSync(sideFile, 'latin1'), { filename: `docker-jindr-${path.basename(sideFile)}` });
const m = { exports: {} };
script.runInThisContext()(m.exports, require, m, __filename, __dirname);
const exported = m.exports[pkg]();

async function exercise() {
  if (pkg !== 'dockerode') return;
  const Docker = exported.default ?? exported;
  const docker = new Docker({ socketPath: '/nonexistent/docker-jindr-warm-up.sock' });
  await docker.listContainers({ all: true }).then(
    () => {
      throw new Error('warm-side: an engine answered at a socket path that does not exist');
    },
    () => {},
  );
}

exercise().then(() => {
  fs.writeFileSync(cacheFile, script.createCachedData());
});
