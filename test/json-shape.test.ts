// The one way untrusted JSON is read: parse without quoting, readers that name the member
// and what is wrong with it, absent and null alike, and the edge's own error around it.
import test from 'ava';
import { AuthError } from '../src/errors.ts';
import * as shape from '../src/json-shape.ts';
import { Fields, ShapeError, parseJson, readJson } from '../src/json-shape.ts';

test('paths name members the way a reader finds them', (t) => {
  const doc = new Fields({ config: 1, layers: [{}, {}, { size: 'x' }], auths: { 'localhost:5000': 1 }, platform: { 'os.version': 1 } });
  t.throws(() => doc.get('config', shape.fields), { message: 'config: not a JSON object but a number' });
  t.throws(
    () =>
      doc.get(
        'layers',
        shape.arrayOf((v, p) => new Fields(v, p).optional('size', shape.size)),
      ),
    { message: 'layers[2].size: not a size (a whole number, 0 or more) but a string' },
  );
  t.throws(() => doc.get('auths', shape.stringMap), { message: 'auths["localhost:5000"]: not a string but a number' });
  t.throws(() => doc.fields('platform')!.get('os.version', shape.string), { message: 'platform["os.version"]: not a string but a number' });
  t.is(doc.error('config', 'odd').message, 'config: odd');
});

test('what a wrong value is, is told in words, never the value itself', (t) => {
  const kinds: [unknown, string][] = [
    [null, 'null'],
    [[1], 'an array'],
    [{}, 'an object'],
    ['s3cret', 'a string'],
    ['', 'an empty string'],
    [3, 'a number'],
    [-1, 'a negative number'],
    [1.5, 'a fraction'],
    [2 ** 60, 'a number too large to be exact'],
  ];
  for (const [value, kind] of kinds)
    t.throws(() => shape.boolean(value, 'x'), { instanceOf: ShapeError, message: `x: not true or false but ${kind}` });
  t.throws(() => shape.string(true, 'x'), { message: 'x: not a string but a boolean' });
  t.throws(() => shape.string(undefined, 'x'), { message: 'x: missing, expected a string' });
});

test('sizes: whole numbers from 0 to 2^53-1; negative, fractional, huge and quoted ones are refused', (t) => {
  t.is(shape.size(0, 'n'), 0);
  t.is(shape.size(Number.MAX_SAFE_INTEGER, 'n'), Number.MAX_SAFE_INTEGER);
  const refused: [unknown, string][] = [
    [-1, 'n: not a size (a whole number, 0 or more) but a negative number'],
    [1.5, 'n: not a size (a whole number, 0 or more) but a fraction'],
    [2 ** 64, 'n: not a size (a whole number, 0 or more) but a number too large to be exact'],
    ['12', 'n: not a size (a whole number, 0 or more) but a string'],
    [undefined, 'n: missing, expected a size (a whole number, 0 or more)'],
  ];
  for (const [value, message] of refused) t.throws(() => shape.size(value, 'n'), { instanceOf: ShapeError, message });
});

test('readers name the member that is wrong, down to the array index and the map key', (t) => {
  t.throws(() => shape.arrayOf(shape.string)(['a', 2], 'tags'), { message: 'tags[1]: not a string but a number' });
  t.throws(() => shape.arrayOf(shape.string)({ 0: 'a' }, 'tags'), { message: 'tags: not an array but an object' });
  t.throws(() => shape.stringMap({ a: 'x', 'b.c': false }, 'annotations'), { message: 'annotations["b.c"]: not a string but a boolean' });
  t.throws(() => shape.object([], ''), { message: 'not a JSON object but an array' });
  t.throws(() => shape.nonEmptyString('', 'token'), { message: 'token: not a non-empty string but an empty string' });
  t.deepEqual(shape.stringArray(['a', 'b'], 'x'), ['a', 'b']);
});

test('Fields: required members must be there; optional ones may be absent or null, not of another type', (t) => {
  const f = new Fields({ a: 'x', n: null, o: { deep: [1] } }, 'doc');
  t.is(f.get('a', shape.string), 'x');
  t.throws(() => f.get('missing', shape.string), { message: 'doc.missing: missing, expected a string' });
  t.is(f.optional('n', shape.string), undefined);
  t.is(f.optional('missing', shape.string), undefined);
  t.throws(() => f.optional('o', shape.string), { message: 'doc.o: not a string but an object' });
  t.throws(() => f.fields('o')!.get('deep', shape.arrayOf(shape.string)), { message: 'doc.o.deep[0]: not a string but a number' });
  t.true(f.has('a'));
  t.false(f.has('n'));
  t.throws(() => new Fields('text'), { instanceOf: ShapeError, message: 'not a JSON object but a string' });
});

test('objects must be plain: a JSON object, not an array, nor a class instance', (t) => {
  t.true(shape.isJsonObject(JSON.parse('{"a":1}')));
  t.false(shape.isJsonObject([]));
  t.false(shape.isJsonObject(new Map()));
  t.false(shape.isJsonObject(null));
});

test('parseJson never quotes what it could not parse', (t) => {
  const err = t.throws(() => parseJson('{"auth": "c2VjcmV0'), { instanceOf: ShapeError });
  t.is(err.message, 'not JSON');
  t.is(err.cause, undefined);
});

test("readJson turns any shape problem into the edge's own error, naming the source", (t) => {
  const fail = (problem: string): AuthError => new AuthError(`the token service of r.test sent a malformed answer: ${problem}`);
  const read = (json: unknown): string => new Fields(json).get('token', shape.string);
  t.is(readJson('{"token":"t"}', read, fail), 't');
  t.throws(() => readJson('nope', read, fail), {
    instanceOf: AuthError,
    message: 'the token service of r.test sent a malformed answer: not JSON',
  });
  t.throws(() => readJson('{"token":1}', read, fail), {
    instanceOf: AuthError,
    message: 'the token service of r.test sent a malformed answer: token: not a string but a number',
  });
  // Other errors go through as they are.
  t.throws(
    () =>
      readJson(
        '{}',
        () => {
          throw new RangeError('x');
        },
        fail,
      ),
    { instanceOf: RangeError },
  );
});

test('the guards: a JSON object is a plain one (from JSON.parse, {} or another realm), never an array, Map or class instance', (t) => {
  const { runInNewContext } = process.getBuiltinModule('node:vm');
  for (const yes of [{}, JSON.parse('{"a":1}'), Object.create(null), runInNewContext('({ a: 1 })')]) t.true(shape.isJsonObject(yes));
  for (const no of [
    null,
    undefined,
    [],
    'x',
    1,
    new Map(),
    new Date(0),
    new (class A {})(),
    new Uint8Array(1),
    { [Symbol.iterator]: () => [][Symbol.iterator]() },
  ])
    t.false(shape.isJsonObject(no), Object.prototype.toString.call(no));
  t.true(shape.isArray([1, 'a']));
  t.true(shape.isArray(['a', 'b'], shape.isString));
  t.false(shape.isArray(['a', 2], shape.isString));
  t.false(shape.isArray({ length: 0 }));
  t.true(shape.isNonEmptyString('a'));
  t.false(shape.isNonEmptyString(''));
  t.false(shape.isString(new String('a')));
  t.is(shape.integer(2 ** 53 - 1, 'n'), 2 ** 53 - 1);
  t.throws(() => shape.integer(2 ** 53, 'n'), { message: 'n: not a whole number but a number too large to be exact' });
  t.throws(() => shape.boolean(0, 'b'), { message: 'b: not true or false but a number' });
});
