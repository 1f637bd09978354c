import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError, DigestVerifier } from '../../src/registry/blobs.ts';

const digest = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

async function flow(data: Buffer, d: string, size: number, chunk = 1000): Promise<{ out: Buffer; seen: number; verifier: DigestVerifier }> {
  let seen = 0;
  const verifier = new DigestVerifier(d, size, (n) => (seen += n));
  const chunks: Buffer[] = [];
  const source = Readable.from(Array.from({ length: Math.ceil(data.length / chunk) }, (_, i) => data.subarray(i * chunk, (i + 1) * chunk)));
  await pipeline(source, verifier, async function* (input) {
    for await (const c of input) chunks.push(c as Buffer);
  });
  return { out: Buffer.concat(chunks), seen, verifier };
}

test('bytes matching digest and size pass through unchanged, counted', async (t) => {
  const data = randomBytes(10_500);
  const { out, seen, verifier } = await flow(data, digest(data), data.length);
  t.true(out.equals(data));
  t.is(seen, data.length);
  t.is(verifier.mismatch, undefined);
});

test('other content, too few or too many bytes: DigestMismatchError naming the blob', async (t) => {
  const data = randomBytes(5000);
  const d = digest(data);
  const other = Buffer.from(data);
  other.writeUInt8(other.readUInt8(42) ^ 1, 42);
  const wrong = await t.throwsAsync(flow(other, d, data.length), { instanceOf: DigestMismatchError });
  t.regex(wrong.message, new RegExp(`^blob ${d} arrived with content hashing to sha256:`));
  const short = await t.throwsAsync(flow(data.subarray(0, 4000), d, data.length), { instanceOf: DigestMismatchError });
  t.regex(short.message, /4000 bytes instead of 5000/);
  const long = await t.throwsAsync(flow(Buffer.concat([data, Buffer.from('x')]), d, data.length), { instanceOf: DigestMismatchError });
  t.regex(long.message, /more than the 5000 bytes/);
});

test('sha512 digests are verified too; other algorithms are refused', async (t) => {
  const data = randomBytes(300);
  const d512 = 'sha512:' + createHash('sha512').update(data).digest('hex');
  t.true((await flow(data, d512, data.length)).out.equals(data));
  t.throws(() => new DigestVerifier('md5:abc', 3));
});
