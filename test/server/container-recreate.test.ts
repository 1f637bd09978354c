// Env changes for re-creating a registry container (the re-create itself runs against a
// real engine in test/e2e/lifecycle-container.test.ts).
import test from 'ava';
import { changeEnv } from '../../src/server/container-recreate.ts';

test('changeEnv sets, replaces and removes variables, keeping the rest in order', (t) => {
  const env = ['PATH=/bin', 'REGISTRY_STORAGE_DELETE_ENABLED=true', 'X=1'];
  t.deepEqual(changeEnv(env, { REGISTRY_STORAGE_MAINTENANCE_READONLY: '{"enabled":true}' }), [
    ...env,
    'REGISTRY_STORAGE_MAINTENANCE_READONLY={"enabled":true}',
  ]);
  t.deepEqual(changeEnv(env, { X: '2', PATH: null }), ['REGISTRY_STORAGE_DELETE_ENABLED=true', 'X=2']);
  t.deepEqual(changeEnv(['A=x=y'], { A: null }), []);
});
