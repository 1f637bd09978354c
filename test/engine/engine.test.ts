// The engine's own message out of a dockerode error: its JSON body's message when that is
// a string, else its text, else dockerode's message without the HTTP code prefix.
import test from 'ava';
import { engineErrorMessage, engineStatus } from '../../src/engine/engine.ts';

const dockerodeError = (json: unknown): Error =>
  Object.assign(new Error('(HTTP code 500) server error - fallback text'), { json, statusCode: 500 });

test("the JSON body's message, on one line", (t) => {
  t.is(engineErrorMessage(dockerodeError({ message: 'port is\nalready allocated' })), 'port is already allocated');
  t.is(engineErrorMessage(dockerodeError(Buffer.from('plain text body'))), 'plain text body');
});

test("a body of the wrong shape falls back to dockerode's message, never a TypeError", (t) => {
  for (const json of [{ message: ['x'] }, { message: 5 }, [{ message: 'x' }], null, 'odd']) {
    t.is(engineErrorMessage(dockerodeError(json)), 'fallback text', JSON.stringify(json));
  }
  t.is(engineStatus(dockerodeError(null)), 500);
  t.is(engineStatus(Object.assign(new Error('x'), { statusCode: '500' })), undefined);
});
