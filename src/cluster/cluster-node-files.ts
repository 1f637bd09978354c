// Reading and writing files inside a cluster's node containers through the engine: reads,
// tests and removals as commands with the path as an argument (container-exec.ts, no
// shell), writes as a one-file tar archive put into the file's directory.
import type Docker from 'dockerode';
import { basename, dirname } from 'node:path';
import { execInContainer } from '../server/container-exec.ts';
import { ResourceError } from '../errors.ts';

export interface NodeRef {
  id: string;
  name: string;
}

/** The files of one node container. */
export interface NodeFiles {
  /** The file's text; undefined when there is no such file. */
  read(path: string): Promise<string | undefined>;
  /** Makes dir and its missing parents; returns the ones it made, outermost first. */
  makeDirs(dir: string): Promise<string[]>;
  write(path: string, text: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Removes an empty directory; false when it is not empty (or gone). */
  removeDir(dir: string): Promise<boolean>;
}

export function nodeFiles(docker: Docker, node: NodeRef): NodeFiles {
  const run = (cmd: string[]) => execInContainer(docker, node, cmd);
  const fail = (what: string, stderr: string): ResourceError =>
    new ResourceError(`cannot ${what} in the node ${node.name}: ${stderr.trim().split('\n')[0] || 'it failed'}`);
  const exists = async (flag: '-e' | '-d', path: string): Promise<boolean> => (await run(['test', flag, path])).exitCode === 0;
  return {
    read: async (path) => {
      const r = await run(['cat', '--', path]);
      if (r.exitCode === 0) return r.stdout.toString();
      if (!(await exists('-e', path))) return undefined;
      throw fail(`read ${path}`, r.stderr);
    },
    makeDirs: async (dir) => {
      const missing: string[] = [];
      for (let d = dir; d !== '/' && d !== '.'; d = dirname(d)) {
        if (await exists('-d', d)) break;
        missing.unshift(d);
      }
      if (missing.length === 0) return [];
      const r = await run(['mkdir', '-p', '--', dir]);
      if (r.exitCode !== 0) throw fail(`make ${dir}`, r.stderr);
      return missing;
    },
    write: async (path, text) => {
      try {
        await docker.getContainer(node.id).putArchive(oneFileTar(basename(path), Buffer.from(text)), { path: dirname(path) });
      } catch (err) {
        throw fail(`write ${path}`, err instanceof Error ? err.message : String(err));
      }
    },
    remove: async (path) => {
      const r = await run(['rm', '-f', '--', path]);
      if (r.exitCode !== 0) throw fail(`remove ${path}`, r.stderr);
    },
    removeDir: async (dir) => (await run(['rmdir', '--', dir])).exitCode === 0,
  };
}

const octal = (value: number, width: number): string => value.toString(8).padStart(width - 1, '0') + '\0';

/** A tar archive of one regular file, mode 0644, owned by root. */
export function oneFileTar(name: string, data: Buffer): Buffer {
  const h = Buffer.alloc(512);
  if (Buffer.byteLength(name) > 100 || name.includes('/')) throw new Error(`not a plain file name: ${name}`);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(data.length, 12), 124, 'ascii');
  h.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad, Buffer.alloc(1024)]);
}
