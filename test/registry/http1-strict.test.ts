// The registry client's own HTTP/1.1 parser (http1.ts) against Node's (llhttp): each raw
// answer of raw-answers.ts, well-formed or not, is sent byte for byte by a TCP server to
// http.get and to Http1Pool; ours must refuse exactly the answers Node refuses, and read
// the others as Node reads them (status, body). Each is also fed one byte at a time to
// the reader, which must decide the same way wherever the bytes are split.
import test from 'ava';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { Http1Pool } from '../../src/registry/http1.ts';
import { AnswerReader } from '../../src/registry/http1-answer.ts';
import { RAW_ANSWERS } from './raw-answers.ts';

type Outcome = { ok: true; status: number; body: string } | { ok: false; why: string };

async function serve(raw: string): Promise<{ port: number; close: () => void }> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end(Buffer.from(raw, 'latin1')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

function node(port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => resolve({ ok: true, status: res.statusCode!, body: Buffer.concat(parts).toString('latin1') }));
      res.on('error', (err) => resolve({ ok: false, why: err.message }));
      res.on('aborted', () => resolve({ ok: false, why: 'aborted' }));
    });
    req.on('error', (err) => resolve({ ok: false, why: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}` }));
  });
}

async function ours(port: number): Promise<Outcome> {
  const pool = new Http1Pool({ connections: 1, timeoutMs: 5000, tls: { rejectUnauthorized: true } });
  try {
    const answer = await pool.request(new URL(`http://127.0.0.1:${port}/`), { method: 'GET', headers: {} });
    return { ok: true, status: answer.statusCode, body: answer.body.toString('latin1') };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  } finally {
    await pool.close();
  }
}

/** The reader alone, fed a byte at a time, then the end of the connection. */
function byteByByte(raw: string): Outcome {
  const reader = new AnswerReader(false);
  const bytes = Buffer.from(raw, 'latin1');
  try {
    for (let at = 0; at < bytes.length; at += 1) {
      const answer = reader.push(bytes.subarray(at, at + 1));
      if (answer) return { ok: true, status: answer.statusCode, body: answer.body.toString('latin1') };
    }
    const answer = reader.end();
    return answer ? { ok: true, status: answer.statusCode, body: answer.body.toString('latin1') } : { ok: false, why: 'cut short' };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
}

const accepted: string[] = [];
const refused: string[] = [];

for (const [name, raw] of Object.entries(RAW_ANSWERS)) {
  test.serial(`${name}: refused by ours exactly when Node refuses it`, async (t) => {
    const server = await serve(raw);
    try {
      const [theirs, mine] = [await node(server.port), await ours(server.port)];
      (theirs.ok ? accepted : refused).push(name);
      if (theirs.ok) {
        t.deepEqual(mine, theirs, `Node took it (${theirs.status})`);
      } else {
        t.false(mine.ok, `Node refused it (${theirs.why}); ours took it`);
        if (!mine.ok) t.notRegex(mine.why, /\n/, 'one line');
      }
      const pieces = byteByByte(raw);
      t.is(pieces.ok, theirs.ok, `a byte at a time: ${pieces.ok ? 'taken' : pieces.why}`);
    } finally {
      server.close();
    }
  });
}

test.serial('the table holds both kinds, many of each (the comparison can fail both ways)', (t) => {
  t.true(accepted.length >= 20, accepted.join(', '));
  t.true(refused.length >= 60, refused.join(', '));
});
