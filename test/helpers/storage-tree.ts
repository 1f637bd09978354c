// A registry's filesystem storage written on this machine (the layout distribution
// uses), and an Exec that runs the storage scripts with this machine's sh, so storage
// code is tested on real files without a container.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exec } from '../../src/server/container-exec.ts';

export const localExec: Exec = (cmd) =>
  new Promise((resolve) => {
    execFile(cmd[0]!, cmd.slice(1), { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ exitCode: code, stdout, stderr: stderr.toString() });
    });
  });

export const sha256 = (b: Buffer | string): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

export interface StorageTree {
  /** The storage root (what REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY names). */
  root: string;
  v2: string;
  /** Stores bytes as a blob; returns its digest. */
  blob(bytes: Buffer | string): string;
  /** Stores a manifest's bytes as a blob and links it as a revision of repo. */
  manifest(repo: string, value: unknown): { digest: string; size: number; bytes: Buffer };
  /** Points repo:tag at digest, its link written at `when` (default now). */
  tag(repo: string, tag: string, digest: string, when?: Date): void;
}

export function storageTree(t: { teardown(fn: () => void): void }): StorageTree {
  const root = mkdtempSync(join(tmpdir(), 'jindr-storage-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const v2 = join(root, 'docker/registry/v2');
  mkdirSync(join(v2, 'repositories'), { recursive: true });
  const blob = (bytes: Buffer | string): string => {
    const digest = sha256(bytes);
    const hex = digest.slice(7);
    const dir = join(v2, 'blobs/sha256', hex.slice(0, 2), hex);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'data'), bytes);
    return digest;
  };
  return {
    root,
    v2,
    blob,
    manifest(repo, value) {
      const bytes = Buffer.from(JSON.stringify(value));
      const digest = blob(bytes);
      const dir = join(v2, 'repositories', repo, '_manifests/revisions/sha256', digest.slice(7));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'link'), digest);
      return { digest, size: bytes.length, bytes };
    },
    tag(repo, tag, digest, when) {
      const dir = join(v2, 'repositories', repo, '_manifests/tags', tag);
      mkdirSync(join(dir, 'current'), { recursive: true });
      mkdirSync(join(dir, 'index/sha256', digest.slice(7)), { recursive: true });
      writeFileSync(join(dir, 'index/sha256', digest.slice(7), 'link'), digest);
      writeFileSync(join(dir, 'current/link'), digest);
      if (when) utimesSync(join(dir, 'current/link'), when, when);
    },
  };
}

/** An OCI image manifest of a config and layers stored in tree (each a blob of the given bytes). */
export function storeImage(
  tree: StorageTree,
  repo: string,
  config: string,
  layers: readonly string[],
): { digest: string; size: number; blobs: Map<string, number> } {
  const d = (bytes: string) => ({ mediaType: 'application/octet-stream', digest: tree.blob(bytes), size: Buffer.byteLength(bytes) });
  const m = tree.manifest(repo, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { ...d(config), mediaType: 'application/vnd.oci.image.config.v1+json' },
    layers: layers.map(d),
  });
  const blobs = new Map<string, number>([
    [m.digest, m.size],
    [sha256(config), Buffer.byteLength(config)],
  ]);
  for (const l of layers) blobs.set(sha256(l), Buffer.byteLength(l));
  return { digest: m.digest, size: m.size, blobs };
}
