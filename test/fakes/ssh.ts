// A stand-in for the ssh binary, for the unit tests of src/engine/ssh-agent.ts: it appends
// its pid and arguments to $FAKE_SSH_LOG (one JSON line), then, as $FAKE_SSH_MODE says,
// answers HTTP on its stdin and stdout as `docker system dial-stdio` would (node:http's
// server over the two pipes; every answer is {"pid": its pid}), or fails as ssh does: a few
// lines on stderr and exit code 255. The real ssh against a real sshd is test/e2e/engine-remote.
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Duplex } from 'node:stream';

appendFileSync(process.env.FAKE_SSH_LOG!, `${JSON.stringify({ pid: process.pid, args: process.argv.slice(2) })}\n`);

if (process.env.FAKE_SSH_MODE === 'fail') {
  process.stderr.write('Warning: something ssh says first\r\nHost key verification failed.\r\n');
  process.exit(255);
}

/** With $FAKE_SSH_ANSWER_AFTER=N it answers once N ssh have started (a test's way to have N at once). */
const started = (): number => readFileSync(process.env.FAKE_SSH_LOG!, 'utf8').split('\n').filter(Boolean).length;
const server = createServer((_req, res) => {
  const answer = (): void => {
    if (started() < Number(process.env.FAKE_SSH_ANSWER_AFTER ?? 0)) return void setTimeout(answer, 20);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ pid: process.pid }));
  };
  answer();
});
const stdio = Duplex.from({ readable: process.stdin, writable: process.stdout });
server.emit('connection', stdio);
// With $FAKE_SSH_LINGER it stays after its input ends, as a hung ssh would: only a signal ends it.
if (process.env.FAKE_SSH_LINGER) setInterval(() => {}, 60_000);
else process.stdin.once('end', () => process.exit(0));
