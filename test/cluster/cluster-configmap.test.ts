// The ConfigMap there was before connect, from kubectl get's answer: NotFound is none, an
// object loses what the API server set (so that applying it again puts back what was
// there), anything else is a problem, never taken as none.
import test from 'ava';
import { previousConfigMap, withoutServerFields } from '../../src/cluster/cluster-configmap.ts';

const NOT_FOUND = 'Error from server (NotFound): configmaps "local-registry-hosting" not found\n';

const asServed = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'local-registry-hosting',
    namespace: 'kube-public',
    labels: { owner: 'me' },
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1"}\n',
      note: 'mine',
    },
    resourceVersion: '4242',
    uid: '7c7a1e9e-0000-4000-8000-000000000001',
    creationTimestamp: '2026-12-01T10:00:00Z',
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }],
  },
  data: { 'localRegistryHosting.v1': 'host: "localhost:5000"\n' },
};

const asApplied = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'local-registry-hosting', namespace: 'kube-public', labels: { owner: 'me' }, annotations: { note: 'mine' } },
  data: { 'localRegistryHosting.v1': 'host: "localhost:5000"\n' },
};

test('server-set metadata, the last-applied record and status are left out; the rest kept', (t) => {
  t.deepEqual(withoutServerFields({ ...asServed, status: {} }), asApplied);
  const onlyLast = {
    ...asServed,
    metadata: { ...asServed.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  };
  t.false('annotations' in (withoutServerFields(onlyLast).metadata as object), 'no annotations left: none');
});

test("kubectl get's answers: the object, NotFound, and failures", (t) => {
  t.deepEqual(previousConfigMap({ code: 0, stdout: JSON.stringify(asServed), stderr: '' }), {
    previous: JSON.stringify(asApplied, null, 2) + '\n',
  });
  t.deepEqual(previousConfigMap({ code: 1, stdout: '', stderr: NOT_FOUND }), { previous: null });
  t.deepEqual(
    previousConfigMap({ code: 1, stdout: '', stderr: 'error: context "kind-x" does not exist\n' }),
    { problem: 'kubectl said: error: context "kind-x" does not exist' },
    'an unknown context is no "none"',
  );
  t.deepEqual(previousConfigMap({ code: 0, stdout: 'not json', stderr: '' }), { problem: 'kubectl get answered no JSON' });
  t.deepEqual(previousConfigMap({ code: 0, stdout: '{"kind":"Secret"}', stderr: '' }), { problem: 'kubectl get answered no ConfigMap' });
});
