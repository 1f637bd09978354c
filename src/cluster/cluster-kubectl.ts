// The user's kubectl, for the one step connect cannot do through the engine: KEP-1755's
// ConfigMap in kube-public. Run with argv (no shell), the YAML on its standard input.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CONFIG_MAP_NAME, CONFIG_MAP_NAMESPACE } from './cluster-files.ts';

/** kubectl's path on PATH; undefined when there is none. */
export function findKubectl(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, 'kubectl');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runKubectl(kubectl: string, env: NodeJS.ProcessEnv, args: readonly string[], input: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = spawn(kubectl, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => resolve({ code: -1, stdout, stderr: err.message }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => {}); // it may exit before reading
    child.stdin.end(input);
  });
}

/** The command that reads the ConfigMap as it is now (JSON on stdout; NotFound: exit 1). */
export function getConfigMapArgs(context: string): string[] {
  return ['--context', context, 'get', 'configmap', CONFIG_MAP_NAME, '--namespace', CONFIG_MAP_NAMESPACE, '--output', 'json'];
}

export function getConfigMap(kubectl: string, env: NodeJS.ProcessEnv, context: string): Promise<KubectlResult> {
  return runKubectl(kubectl, env, getConfigMapArgs(context), '');
}

/** `kubectl --context CONTEXT apply -f -` with the ConfigMap (YAML, or JSON: the one that was there before). */
export function applyConfigMap(kubectl: string, env: NodeJS.ProcessEnv, context: string, yaml: string): Promise<KubectlResult> {
  return runKubectl(kubectl, env, ['--context', context, 'apply', '-f', '-'], yaml);
}

/** The command that removes the ConfigMap (run, or printed for the user). */
export function deleteConfigMapArgs(context: string): string[] {
  return ['--context', context, 'delete', 'configmap', CONFIG_MAP_NAME, '--namespace', CONFIG_MAP_NAMESPACE, '--ignore-not-found'];
}

export function deleteConfigMap(kubectl: string, env: NodeJS.ProcessEnv, context: string): Promise<KubectlResult> {
  return runKubectl(kubectl, env, deleteConfigMapArgs(context), '');
}
