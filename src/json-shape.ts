// Reading JSON that comes from outside (registries and their token services, Docker's
// config.json, context files and credential helpers, the engine) in one way: parse it
// with parseJson, then read every field that is used through the readers below before
// trusting it. A wrong shape is a ShapeError saying where in the document and what is
// wrong ("layers[2].size: not a size (a whole number, 0 or more) but a negative
// number"); it never quotes a value, which may be a secret. The edge that read the
// document turns it into its own named error (ManifestError, AuthError, ResourceError...)
// saying where the document came from: readJson does both steps.
//
// Absent and null read alike (as Go's encoding/json, which Docker and the registries
// use, reads them). The type guards are the six below, one line each. Shared by every
// room; imports none.
import { JindrError } from './errors.ts';

export type JsonObject = Record<string, unknown>;

/** An array; with item, one whose every element passes item. */
export const isArray = <T = unknown>(value: unknown, item?: (element: unknown) => element is T): value is T[] =>
  Array.isArray(value) && (item === undefined || value.every((e) => item(e)));
export const isString = (value: unknown): value is string => typeof value === 'string';
export const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isBoolean = (value: unknown): value is boolean => value === true || value === false;
const isSafeInteger = (value: unknown): value is number => Number.isSafeInteger(value);
/** An object made by {} or JSON.parse (in this realm or another): no array, no class instance, no Map. */
const isPlainObject = (value: unknown): value is JsonObject => {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return (
    (prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null) &&
    !(Symbol.toStringTag in value) &&
    !(Symbol.iterator in value)
  );
};

/** What is wrong with a JSON document, and where in it ('' for the document itself). */
export class ShapeError extends JindrError {
  readonly path: string;
  readonly problem: string;
  constructor(path: string, problem: string) {
    super(path === '' ? problem : `${path}: ${problem}`);
    this.path = path;
    this.problem = problem;
  }
}

/** A reader checks one value at path and returns it typed, or throws a ShapeError. */
export type Read<T> = (value: unknown, path: string) => T;

/** JSON.parse whose error never quotes the text (config.json and helpers' answers hold secrets). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ShapeError('', 'not JSON');
  }
}

/**
 * Parses text and reads it with read; a document that is not JSON or has the wrong
 * shape becomes fail(problem), the caller's named error saying where it came from.
 */
export function readJson<T>(text: string, read: (value: unknown) => T, fail: (problem: string) => Error): T {
  return readValue(text, (t) => read(parseJson(t)), fail);
}

/** readJson for a value already parsed (by a library: dockerode, the AWS SDK). */
export function readValue<V, T>(value: V, read: (value: V) => T, fail: (problem: string) => Error): T {
  try {
    return read(value);
  } catch (err) {
    if (err instanceof ShapeError) throw fail(err.message);
    throw err;
  }
}

/** The path of a member: at('', 'config') is config, at('layers', 2) is layers[2], at('auths', 'a:5000') is auths["a:5000"]. */
function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** What a value is, in words, without its content. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (isArray(value)) return 'an array';
  if (isString(value)) return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return 'a fraction';
    if (!isSafeInteger(value)) return 'a number too large to be exact';
    return value < 0 ? 'a negative number' : 'a number';
  }
  if (isBoolean(value)) return 'a boolean';
  if (isPlainObject(value)) return 'an object';
  return typeof value;
}

/** A reader from a check: the value when check(value) holds, else a ShapeError "not <expected> but <what it is>". */
function reader<T>(check: (value: unknown) => value is T, expected: string): Read<T> {
  return (value, path) => {
    if (!check(value))
      throw new ShapeError(path, value === undefined ? `missing, expected ${expected}` : `not ${expected} but ${kindOf(value)}`);
    return value;
  };
}

export const isJsonObject = (value: unknown): value is JsonObject => isPlainObject(value);
const isSize = (value: unknown): value is number => isSafeInteger(value) && value >= 0;

export const object: Read<JsonObject> = reader(isJsonObject, 'a JSON object');
export const string: Read<string> = reader(isString, 'a string');
export const nonEmptyString: Read<string> = reader(isNonEmptyString, 'a non-empty string');
export const boolean: Read<boolean> = reader(isBoolean, 'true or false');
export const integer: Read<number> = reader((v): v is number => isSafeInteger(v), 'a whole number');
/** A byte count: a whole number, 0 or more, exact in a double (at most 2^53 - 1). */
export const size: Read<number> = reader(isSize, 'a size (a whole number, 0 or more)');
export const stringMap: Read<Record<string, string>> = (value, path) => {
  const map = object(value, path);
  for (const [key, v] of Object.entries(map)) string(v, at(path, key));
  return map as Record<string, string>;
};

/** An array whose every item reads with item (each named by its index). */
export function arrayOf<T>(item: Read<T>): Read<T[]> {
  return (value, path) => {
    if (!isArray(value))
      throw new ShapeError(path, value === undefined ? 'missing, expected an array' : `not an array but ${kindOf(value)}`);
    return value.map((v, i) => item(v, at(path, i)));
  };
}

export const stringArray: Read<string[]> = arrayOf(string);

/** A JSON object's members, each read at its own path. */
export class Fields {
  readonly raw: JsonObject;
  readonly path: string;

  constructor(value: unknown, path = '') {
    this.raw = object(value, path);
    this.path = path;
  }

  /** The member key, read with read; missing or wrong is a ShapeError naming it. */
  get<T>(key: string, read: Read<T>): T {
    return read(this.raw[key], at(this.path, key));
  }

  /** The member key read with read, or undefined when it is absent or null. */
  optional<T>(key: string, read: Read<T>): T | undefined {
    const value = this.raw[key];
    return value === undefined || value === null ? undefined : read(value, at(this.path, key));
  }

  /** The member key as Fields, or undefined when it is absent or null. */
  fields(key: string): Fields | undefined {
    return this.optional(key, fields);
  }

  /** Whether the member is present and not null. */
  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** A ShapeError about the member key. */
  error(key: string, problem: string): ShapeError {
    return new ShapeError(at(this.path, key), problem);
  }
}

/** A JSON object, as Fields to read its members. */
export const fields: Read<Fields> = (value, path) => new Fields(value, path);
