// The plain-JavaScript SHA-256 (src/registry/sha256.ts) against node:crypto: every length
// around the padding's block edges, random contents, the FIPS 180-4 examples, and the
// digests manifest.ts gives with and without it.
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { sha256Hex } from '../../src/registry/sha256.ts';
import { digestOf } from '../../src/registry/manifest.ts';

const native = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('the FIPS 180-4 examples', (t) => {
  t.is(sha256Hex(Buffer.from('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.is(sha256Hex(Buffer.from('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  t.is(
    sha256Hex(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
});

test('every length from 0 to 1100 bytes (all padding cases), random contents, as node:crypto', (t) => {
  const wrong: number[] = [];
  for (let n = 0; n <= 1100; n++) {
    const b = randomBytes(n);
    if (sha256Hex(b) !== native(b)) wrong.push(n);
  }
  t.deepEqual(wrong, [], 'lengths whose digest differs from node:crypto');
});

test('larger inputs, all byte values, and a view into a larger buffer, as node:crypto', (t) => {
  for (const n of [4095, 4096, 65_535, 65_536, 300_001]) {
    const b = randomBytes(n);
    t.is(sha256Hex(b), native(b), `length ${n}`);
  }
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  t.is(sha256Hex(all), native(all));
  const big = randomBytes(1000);
  const view = big.subarray(100, 900);
  t.is(sha256Hex(view), native(view));
});

test("digestOf gives node:crypto's digest in both of its ways, sha512 included", (t) => {
  // The first calls go within the plain budget, the big one past it, then small ones again.
  const inputs = [randomBytes(10), randomBytes(3000), randomBytes(200_000), randomBytes(10)];
  for (const b of inputs) t.is(digestOf(b), `sha256:${native(b)}`);
  const b = randomBytes(500);
  t.is(digestOf(b, 'sha512'), `sha512:${createHash('sha512').update(b).digest('hex')}`);
});
