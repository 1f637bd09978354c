// Image names compared as the engine resolves them: Docker Hub's short forms, :latest, and
// Podman's localhost/ for images it has only locally.
import test from 'ava';
import { normalImageName, sameImage } from '../../src/engine/image-names.ts';

test('the fully qualified form', (t) => {
  t.is(normalImageName('registry:2', 'docker'), 'docker.io/library/registry:2');
  t.is(normalImageName('registry', 'docker'), 'docker.io/library/registry:latest');
  t.is(normalImageName('library/registry:3', 'docker'), 'docker.io/library/registry:3');
  t.is(normalImageName('index.docker.io/library/registry:3', 'docker'), 'docker.io/library/registry:3');
  t.is(normalImageName('localhost:5000/team/registry:2', 'podman'), 'localhost:5000/team/registry:2');
  t.is(normalImageName(`registry@sha256:${'a'.repeat(64)}`, 'docker'), `docker.io/library/registry@sha256:${'a'.repeat(64)}`);
  t.is(normalImageName('localhost/registry:2', 'podman'), 'docker.io/library/registry:2');
  t.is(normalImageName('localhost/registry:2', 'docker'), 'localhost/registry:2', 'on Docker, localhost is a registry like any other');
});

test('the same image, named differently', (t) => {
  for (const [a, b] of [
    ['registry:2', 'docker.io/library/registry:2'],
    ['registry', 'registry:latest'],
    ['ghcr.io/x/registry', 'ghcr.io/x/registry:latest'],
  ] as const) {
    t.true(sameImage(a, b, 'docker'), `${a} ${b}`);
    t.true(sameImage(a, b, 'podman'), `${a} ${b} on Podman`);
  }
  t.true(sameImage('registry:2', 'localhost/registry:2', 'podman'), "Podman's name for a loaded registry:2");
  t.true(sameImage('docker.io/library/registry:3', 'localhost/registry:3', 'podman'));
});

test('different images', (t) => {
  t.false(sameImage('registry:2', 'registry:3', 'podman'));
  t.false(sameImage('registry:2', 'localhost/registry:2', 'docker'));
  t.false(sameImage('registry:2', 'localhost:5000/registry:2', 'podman'));
  t.false(sameImage('registry:2', 'ghcr.io/library/registry:2', 'docker'));
});

test('what is not a name (an image ID, garbage) is only the same as itself', (t) => {
  const id = `sha256:${'b'.repeat(64)}`;
  t.true(sameImage(id, id, 'docker'));
  t.false(sameImage(id, 'registry:2', 'docker'));
  t.false(sameImage('Not A Name', 'not a name', 'podman'));
  t.is(normalImageName('', 'docker'), '');
});
