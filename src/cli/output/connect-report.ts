// connect's output: the clusters (a table, JSON lines or a template), and what connect and
// connect --rm did: one line per change on stderr, the result on stdout (a line, or one
// JSON object); the ConfigMap's YAML on stdout when kubectl did not apply it.
import type { Context } from '../context.ts';
import type { ClusterRow } from '../../cluster/cluster-list.ts';
import type { ConnectResult } from '../../cluster/cluster-connect.ts';
import type { DisconnectResult } from '../../cluster/cluster-disconnect.ts';
import { outputMode } from './format.ts';
import { printRows, writeJsonLines } from './print.ts';
import type { Column } from './table.ts';

export const clusterColumns: readonly Column<ClusterRow>[] = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'TOOL', value: (r) => r.tool },
  { header: 'NODES', value: (r) => String(r.nodes.length) },
  { header: 'NETWORK', value: (r) => r.network ?? '-' },
  { header: 'CONNECTED', value: (r) => (r.connected ? 'yes' : 'no') },
];

export function printClusters(ctx: Context, rows: readonly ClusterRow[]): void {
  if (rows.length === 0 && outputMode(ctx.format).kind === 'default') ctx.info('no local kind, k3d or minikube cluster found');
  printRows(ctx, clusterColumns, rows);
}

const json = (ctx: Context): boolean => outputMode(ctx.format).kind !== 'default';

export function printConnect(ctx: Context, r: ConnectResult): void {
  if (json(ctx)) return writeJsonLines(ctx.stdout, r);
  for (const j of r.joined) ctx.info(`joined ${j.container} to the network ${r.network} as ${j.alias}`);
  for (const w of r.written) ctx.info(`wrote ${w.path} in ${w.node}`);
  if (r.configMap === 'applied') ctx.info(`applied the ConfigMap local-registry-hosting in kube-public (kubectl --context ${r.context})`);
  if (r.configMap === 'not applied') {
    ctx.info(
      `the ConfigMap local-registry-hosting is not applied (${r.configMapProblem}): apply it with kubectl --context ${r.context} apply -f -`,
    );
    ctx.stdout.write(r.configMapYaml);
  }
  if (r.tool === 'k3d' && r.written.length > 0)
    ctx.info('k3s reads registries.yaml when it starts: restart the nodes (docker restart NODE...) for it to apply');
  ctx.stdout.write(`${r.outcome}: ${r.tool} cluster ${r.cluster} (network ${r.network})\n`);
}

export function printDisconnect(ctx: Context, r: DisconnectResult): void {
  if (json(ctx)) return writeJsonLines(ctx.stdout, r);
  for (const f of r.restored) ctx.info(`${f.how} ${f.path} in ${f.node}`);
  for (const c of r.left) ctx.info(`took ${c} off the cluster's network`);
  if (r.configMap === 'deleted') ctx.info('deleted the ConfigMap local-registry-hosting in kube-public');
  if (r.configMap === 'restored') ctx.info('put back the ConfigMap local-registry-hosting in kube-public that was there before connect');
  for (const k of r.kept) ctx.info(`left: ${k}`);
  if (r.configMapPrevious !== undefined) {
    ctx.info(`put the former ConfigMap back yourself (${r.configMapCommand}), with:`);
    ctx.stderr.write(r.configMapPrevious);
  } else if (r.configMapCommand) ctx.info(`delete the ConfigMap yourself: ${r.configMapCommand}`);
  ctx.stdout.write(`${r.outcome}: ${r.tool ? `${r.tool} cluster ` : ''}${r.cluster}\n`);
}
