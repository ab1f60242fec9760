/**
 * Hostile fast-check arbitraries for the security fuzzer (`test/fuzz.test.ts`, `fuzz/run.ts`).
 *
 * Everything a client controls is generated here, valid and broken:
 *
 * - arbitrary JSON with `__proto__` / `constructor` / `prototype` keys, built the way a real body
 *   arrives (`JSON.parse` of text, so `__proto__` is an own key), and `fc.anything()`-ish values
 *   (`undefined`, `NaN`, bigints, null-prototype objects, sparse arrays) for hosts whose parser is
 *   not `JSON.parse`;
 * - paths and filters from the RFC 7644 grammar (attrPath with an optional URN, valuePath, every
 *   compare operator, `pr`, `and`/`or`/`not`, parentheses, string literals with escapes, numbers),
 *   then corrupted by deleting, duplicating and inserting characters such as `[]()"\ .:`;
 * - op names in any case and garbage, operation objects with odd keys;
 * - member lists with odd shapes (null, numbers, nested arrays, objects without value, values that
 *   are not strings, huge strings, duplicates, prototype keys);
 * - the verbatim requests Entra ID and Okta send, mutated (keys dropped, renamed, duplicated; values
 *   retyped, re-cased, wrapped, replaced by prototype names; deep nesting; long strings; more
 *   operations than the default limit);
 * - deep values (10,000 levels and more, built iteratively), long strings, many operations.
 *
 * `FUZZ_FAMILIES` bundles them as cases `{group, body, options}` over well-formed groups
 * (`groupArb`, `groupWithMembersArb`, and large groups) and random host options.
 */
import fc from 'fast-check';
import {
  GROUP_SCHEMA,
  PATCH_OP_SCHEMA,
  type Group,
  type GroupMember,
  type PatchLimits,
  type PatchOptions,
} from '../../src/index.js';
import { encodeJson, viaJsonParse } from '../fuzz/json.js';
import {
  displayArb,
  filterTextArb,
  groupArb,
  groupWithMembersArb,
  memberValueArb,
  noopRequestArb,
  probablyInvalidRequestArb,
  SHORT_VALUES,
  TRICKY_VALUES,
  validRequestArb,
} from './index.js';

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** A fuzz case: a well-formed stored group, a body of unknown shape, and the host's options. */
export interface FuzzCase {
  readonly group: Group;
  readonly body: unknown;
  readonly options: PatchOptions | undefined;
}

/** An object with these own keys, in order; `__proto__` becomes an own key, as `JSON.parse` makes it. */
export function jsonObject(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return out;
}

/** `arb` one time in `oneIn`, `undefined` otherwise. */
export function rarely<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

/** Every key spelling that reaches a prototype in JavaScript, as the library must refuse them. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__PROTO__',
  'Constructor',
  'PROTOTYPE',
  '__Proto__',
] as const;

/** Names of `Object.prototype` members (and a few that look like them), harmless as keys but tempting. */
export const PROTOTYPE_MEMBER_NAMES = [
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
  'length',
  'then',
  'toJSON',
] as const;

/** Words a SCIM body is made of, so random structures often hit real code paths. */
export const SCIM_WORDS = [
  'op',
  'path',
  'value',
  'Operations',
  'schemas',
  'members',
  'display',
  'type',
  '$ref',
  'displayName',
  'externalId',
  'id',
  'meta',
  'primary',
  'operation',
  'add',
  'remove',
  'replace',
  PATCH_OP_SCHEMA,
  GROUP_SCHEMA,
  `${GROUP_SCHEMA}:displayName`,
  `${GROUP_SCHEMA}:members`,
  `${GROUP_SCHEMA}:externalId`,
  'urn:ietf:params:scim:schemas:core:2.0:User:displayName',
] as const;

/** A key a client may send: SCIM words in any case, prototype keys, random strings. */
export const hostileKeyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SCIM_WORDS) },
  { weight: 2, arbitrary: fc.mixedCase(fc.constantFrom(...SCIM_WORDS)) },
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_MEMBER_NAMES) },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
);

/** Numbers as `JSON.parse` can produce them: `-0`, ±Infinity (`1e999`), huge, tiny, fractional. */
export const hostileNumberArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -5, max: 500 }) },
  { weight: 2, arbitrary: fc.double({ noNaN: true }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      -0,
      1,
      400,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MAX_SAFE_INTEGER + 2,
      2 ** 32,
      1e-300,
      0.1,
      -1,
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// The RFC 7644 path and filter grammar, valid and corrupted
// ---------------------------------------------------------------------------------------------

const COMPARE_OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;

/** Sometimes in random case. */
function anyCase(words: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: words }, { weight: 1, arbitrary: fc.mixedCase(words) });
}

/** `SP`, mostly one space, sometimes other whitespace or none at all (which breaks the grammar). */
const spaceArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(' ') },
  { weight: 1, arbitrary: fc.constantFrom('  ', '\t', '\n', '\r\n', '', '\u00a0') },
);

/** `ATTRNAME` as the grammar allows it (and some it does not). */
export const attrNameTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: anyCase(fc.constantFrom('value', 'display', 'type', '$ref')) },
  { weight: 3, arbitrary: anyCase(fc.constantFrom('members', 'displayName', 'externalId')) },
  { weight: 2, arbitrary: fc.constantFrom('id', 'meta', 'schemas', 'emails', 'primary', 'lastModified', 'foo', 'operation') },
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, ...PROTOTYPE_MEMBER_NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z$][A-Za-z0-9_-]{0,8}$/) },
);

/** A schema URI prefix (without the final colon). */
export const uriTextArb: fc.Arbitrary<string> = fc.constantFrom(
  GROUP_SCHEMA,
  GROUP_SCHEMA.toLowerCase(),
  GROUP_SCHEMA.toUpperCase(),
  'urn:ietf:params:scim:schemas:core:2.0:User',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  PATCH_OP_SCHEMA,
  'urn:x',
  'urn',
  'a.b',
);

/** `[URI ":"] ATTRNAME *1subAttr`. */
export function attrPathTextArb(name: fc.Arbitrary<string> = attrNameTextArb): fc.Arbitrary<string> {
  return fc
    .tuple(
      rarely(uriTextArb, 6),
      name,
      rarely(attrNameTextArb, 6),
    )
    .map(([uri, attr, sub]) => `${uri === undefined ? '' : `${uri}:`}${attr}${sub === undefined ? '' : `.${sub}`}`);
}

/** The text inside a string literal. */
const literalContentArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: memberValueArb },
  { weight: 2, arbitrary: displayArb },
  { weight: 2, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '"', '\\', '/', '\u0000', '\ud800', 'A', 'Users', ...PROTOTYPE_KEYS) },
);

/** A string literal: escaped as JSON, as `\uXXXX` throughout, with `\/`, raw, or with a broken escape. */
export const stringLiteralTextArb: fc.Arbitrary<string> = fc
  .tuple(literalContentArb, fc.constantFrom('json', 'json', 'json', 'unicode', 'solidus', 'raw', 'badEscape'), fc.nat())
  .map(([content, style, n]) => {
    switch (style) {
      case 'unicode':
        return `"${[...content].map((c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0').slice(-4)}`).join('')}"`;
      case 'solidus':
        return JSON.stringify(content).replaceAll('/', '\\/');
      case 'raw':
        return `"${content}"`;
      case 'badEscape': {
        const json = JSON.stringify(content);
        const bad = ['\\x', '\\u12', '\\uZZZZ', '\\', '\\\u0000', '\\ud800'][n % 6] ?? '\\x';
        const at = 1 + (n % Math.max(1, json.length - 1));
        return `${json.slice(0, at)}${bad}${json.slice(at)}`;
      }
      default:
        return JSON.stringify(content);
    }
  });

/** A number literal, well-formed or not. */
export const numberTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('-0', '0.5', '1e3', '1E-3', '-1.5e+10', '1e999', '01', '1.', '.5', '1e', '--1', '0x10', '+1', '-', 'NaN', 'Infinity'),
  },
);

/** `compValue`: false / null / true / number / string, plus bare words that are not values. */
export const compValueTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: stringLiteralTextArb },
  { weight: 2, arbitrary: numberTextArb },
  { weight: 2, arbitrary: anyCase(fc.constantFrom('true', 'false', 'null')) },
  { weight: 1, arbitrary: fc.constantFrom('u1', 'undefined', "'u1'", '', '"', '()', '[]') },
);

/** `compareOp`, any case, and some that are not. */
export const compareOpTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: anyCase(fc.constantFrom(...COMPARE_OPERATORS)) },
  { weight: 1, arbitrary: fc.constantFrom('eqq', '==', '!=', 'is', 'in', 'like', 'e q', 'prr') },
);

/** `attrExp`: `attrPath SP "pr"` or `attrPath SP compareOp SP compValue`. */
export const attrExpTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.tuple(attrPathTextArb(), spaceArb, anyCase(fc.constant('pr'))).map((p) => p.join('')) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(attrPathTextArb(), spaceArb, compareOpTextArb, spaceArb, compValueTextArb)
      .map((p) => p.join('')),
  },
);

/** A filter from the grammar: and/or chains, `not (...)`, parentheses, nested valuePaths. */
export const grammarFilterTextArb: fc.Arbitrary<string> = fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    { weight: 6, arbitrary: attrExpTextArb },
    {
      weight: 2,
      arbitrary: fc
        .tuple(tie('filter'), spaceArb, anyCase(fc.constantFrom('and', 'or')), spaceArb, tie('filter'))
        .map((p) => p.join('')),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(anyCase(fc.constant('not')), fc.constantFrom('', ' ', ' ', '  '), tie('filter'))
        .map(([not, sp, f]) => `${not}${sp}(${f})`),
    },
    { weight: 1, arbitrary: tie('filter').map((f) => `(${f})`) },
    { weight: 1, arbitrary: fc.tuple(attrPathTextArb(), tie('filter')).map(([a, f]) => `${a}[${f}]`) },
  ),
})).filter;

/** Deep nesting around a filter near the default depth limit (32), with `(` or `not (`. */
export const nestedFilterTextArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(grammarFilterTextArb, filterTextArb),
    fc.integer({ min: 1, max: 40 }),
    fc.constantFrom('(', 'not (', 'NOT(', 'not('),
  )
  .map(([f, n, open]) => `${open.repeat(n)}${f}${')'.repeat(n)}`);

/** Any filter text: the grammar's, the ones the property tests use, and deeply nested ones. */
export const anyFilterTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: grammarFilterTextArb },
  { weight: 3, arbitrary: filterTextArb },
  { weight: 1, arbitrary: nestedFilterTextArb },
);

/** The attribute before `[`: mostly members. */
const valuePathHeadArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: anyCase(fc.constant('members')) },
  { weight: 2, arbitrary: anyCase(fc.constant(`${GROUP_SCHEMA}:members`)) },
  { weight: 2, arbitrary: attrPathTextArb() },
);

/** `PATH = attrPath / valuePath [subAttr]`. */
export const grammarPathTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: attrPathTextArb(fc.oneof(attrNameTextArb, anyCase(fc.constantFrom('members', 'displayName', 'externalId')))) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(valuePathHeadArb, anyFilterTextArb, rarely(attrNameTextArb, 3))
      .map(([head, f, sub]) => `${head}[${f}]${sub === undefined ? '' : `.${sub}`}`),
  },
);

/** Characters and fragments the corruption inserts. */
const CORRUPTION_TEXT = [
  ...'[]()"\\ .:',
  '$',
  '-',
  '_',
  '0',
  'a',
  '\t',
  '\u0000',
  'é',
  '\ud83d',
  'İ',
  ' and ',
  ' or ',
  'not ',
  ' eq ',
  ' pr',
  '].',
  '\\u',
  '::',
  ']]',
  '((',
];

/** One edit: delete, duplicate, insert or replace a character, swap two, or truncate. */
export interface CharEdit {
  readonly kind: 'delete' | 'duplicate' | 'insert' | 'replace' | 'swap' | 'truncate';
  readonly at: number;
  readonly text: string;
}

/** A random text edit. */
export const charEditArb: fc.Arbitrary<CharEdit> = fc.record(
  {
    kind: fc.constantFrom<CharEdit['kind']>('delete', 'delete', 'duplicate', 'insert', 'insert', 'replace', 'swap', 'truncate'),
    at: fc.nat(),
    text: fc.constantFrom(...CORRUPTION_TEXT),
  },
  { noNullPrototype: true },
);

/** Applies edits to a text. */
export function applyEdits(text: string, edits: readonly CharEdit[]): string {
  let s = text;
  for (const { kind, at, text: piece } of edits) {
    const i = at % (s.length + 1);
    switch (kind) {
      case 'delete':
        s = s.slice(0, i) + s.slice(i + 1);
        break;
      case 'duplicate':
        s = s.slice(0, i) + s.slice(i, i + 1) + s.slice(i);
        break;
      case 'insert':
        s = s.slice(0, i) + piece + s.slice(i);
        break;
      case 'replace':
        s = s.slice(0, i) + piece + s.slice(i + 1);
        break;
      case 'swap':
        s = i + 1 < s.length ? s.slice(0, i) + (s[i + 1] ?? '') + (s[i] ?? '') + s.slice(i + 2) : s;
        break;
      case 'truncate':
        s = s.slice(0, i);
        break;
    }
  }
  return s;
}

/** A text corrupted by one to three edits. */
export function corruptedArb(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(text, fc.array(charEditArb, { minLength: 1, maxLength: 3 })).map(([t, edits]) => applyEdits(t, edits));
}

/** A path: from the grammar, often corrupted. */
export const hostilePathArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: grammarPathTextArb },
  { weight: 4, arbitrary: corruptedArb(grammarPathTextArb) },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
);

// ---------------------------------------------------------------------------------------------
// Arbitrary JSON and anything
// ---------------------------------------------------------------------------------------------

/** Strings a client may send anywhere: SCIM words, prototype names, paths, ids, odd code units. */
export const hostileStringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SCIM_WORDS) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, ...PROTOTYPE_MEMBER_NAMES) },
  { weight: 3, arbitrary: memberValueArb },
  { weight: 1, arbitrary: grammarPathTextArb },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', 'ADD', 'Remove', 'a@b.c') },
);

/** A JSON leaf. */
export const hostileLeafArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: hostileNumberArb },
  { weight: 5, arbitrary: hostileStringArb },
);

/**
 * JSON values with hostile keys and leaves, built with own keys (`jsonObject`). Pass a whole body
 * through `viaJsonParse` to get it exactly as `JSON.parse` would.
 */
export const hostileJsonArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    { weight: 4, arbitrary: hostileLeafArb },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 5 }) },
    { weight: 2, arbitrary: fc.array(fc.tuple(hostileKeyArb, tie('value')), { maxLength: 5 }).map(jsonObject) },
  ),
})).value;

/** `fc.jsonValue()` and the hostile JSON above, as parsed by `JSON.parse`. */
export const anyJsonArb: fc.Arbitrary<unknown> = fc
  .oneof({ weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) }, { weight: 2, arbitrary: hostileJsonArb })
  .map((v) => viaJsonParse(v));

/**
 * Values outside JSON that a host with another parser (or a framework) might hand over:
 * `undefined`, `NaN`, bigints, null-prototype objects, sparse arrays, hostile keys.
 */
export const anythingArb: fc.Arbitrary<unknown> = fc.anything({
  key: hostileKeyArb,
  maxDepth: 3,
  maxKeys: 5,
  values: [hostileLeafArb, fc.constant(undefined), fc.constant(Number.NaN), fc.bigInt()],
  withNullPrototype: true,
  withSparseArray: true,
  withBigInt: true,
  withBoxedValues: false,
  withMap: false,
  withSet: false,
  withDate: false,
  withTypedArray: false,
  withObjectString: false,
});

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/** Op names in any case, plus garbage (lookalikes, padding, other verbs, non-strings). */
export const hostileOpNameArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.mixedCase(fc.constantFrom('add', 'remove', 'replace')) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' add',
      'add ',
      'ad',
      'addd',
      'add\u0000',
      '\u0430dd', // Cyrillic a
      'REPLACE ',
      'Rem0ve',
      'copy',
      'move',
      'test',
      'delete',
      'update',
      'patch',
      'Add,Remove',
      ...PROTOTYPE_KEYS,
      'toString',
    ),
  },
  { weight: 1, arbitrary: corruptedArb(fc.constantFrom('add', 'remove', 'replace')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.oneof(hostileLeafArb, fc.constantFrom<unknown>(['add'], { op: 'add' }, [], {})) },
);

/**
 * How much noise the envelope and operation builders add around what a family is about:
 * `'high'` (odd key spellings, missing `op`, keys twice, extra keys, odd `schemas`) for families
 * that fuzz the envelope, `'low'` for families that fuzz paths and values and need most requests
 * to get past the envelope.
 */
export type Noise = 'low' | 'high';

/** The name of an operation member (`op`, `path`, `value`) as a client may spell it. */
function memberKeyArb(name: 'op' | 'path' | 'value', noise: Noise): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: noise === 'high' ? 12 : 40, arbitrary: fc.constant(name) },
    { weight: 3, arbitrary: fc.mixedCase(fc.constant(name)) },
    { weight: 1, arbitrary: fc.constantFrom(` ${name}`, `${name} `, `${name}s`, `${name}\u0000`, name === 'op' ? 'operation' : `${name}_`) },
  );
}

/** A raw operation object: any subset of op/path/value, keys in odd spellings, sometimes twice, extra keys. */
export function hostileOperationArb(
  op: fc.Arbitrary<unknown>,
  path: fc.Arbitrary<unknown>,
  value: fc.Arbitrary<unknown>,
  noise: Noise = 'high',
): fc.Arbitrary<Record<string, unknown>> {
  const high = noise === 'high';
  return fc
    .record(
      {
        opEntry: fc.option(fc.tuple(memberKeyArb('op', noise), op), { freq: high ? 12 : 60, nil: undefined }),
        pathEntry: fc.option(fc.tuple(memberKeyArb('path', noise), path), { freq: high ? 2 : 8, nil: undefined }),
        valueEntry: fc.option(fc.tuple(memberKeyArb('value', noise), value), { freq: 3, nil: undefined }),
        duplicate: rarely(fc.tuple(fc.mixedCase(fc.constantFrom('op', 'path', 'value')), hostileLeafArb), high ? 12 : 60),
        extra: rarely(fc.tuple(hostileKeyArb, hostileJsonArb), high ? 6 : 40),
        reverse: fc.boolean(),
      },
      { noNullPrototype: true },
    )
    .map(({ opEntry, pathEntry, valueEntry, duplicate, extra, reverse }) => {
      const entries: (readonly [string, unknown])[] = [];
      for (const entry of [opEntry, pathEntry, valueEntry, duplicate, extra]) if (entry !== undefined) entries.push(entry);
      if (reverse) entries.reverse();
      return jsonObject(entries);
    });
}

/** A PATCH envelope around operations; `schemas` and `Operations` sometimes odd. */
export function envelopeArb(operations: fc.Arbitrary<readonly unknown[]>, noise: Noise = 'high'): fc.Arbitrary<unknown> {
  const high = noise === 'high';
  return fc
    .record(
      {
        schemas: fc.oneof(
          { weight: high ? 10 : 40, arbitrary: fc.constant<unknown>([PATCH_OP_SCHEMA]) },
          { weight: high ? 2 : 8, arbitrary: fc.constant<unknown>(undefined) },
          {
            weight: 1,
            arbitrary: fc.constantFrom<unknown>(
              [PATCH_OP_SCHEMA.toUpperCase()],
              [GROUP_SCHEMA, PATCH_OP_SCHEMA],
              PATCH_OP_SCHEMA,
              [],
              null,
              [PATCH_OP_SCHEMA, 5],
              ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
            ),
          },
          { weight: high ? 1 : 0, arbitrary: hostileJsonArb },
        ),
        operationsKey: fc.oneof(
          { weight: high ? 10 : 40, arbitrary: fc.constant('Operations') },
          { weight: 2, arbitrary: fc.mixedCase(fc.constant('Operations')) },
          { weight: high ? 1 : 0, arbitrary: fc.constantFrom('Operation', 'ops', '__proto__', 'operations ') },
        ),
        operations,
        extra: rarely(fc.tuple(hostileKeyArb, hostileJsonArb), high ? 8 : 40),
      },
      { noNullPrototype: true },
    )
    .map(({ schemas, operationsKey, operations: ops, extra }) => {
      const entries: (readonly [string, unknown])[] = [];
      if (schemas !== undefined) entries.push(['schemas', schemas]);
      entries.push([operationsKey, [...ops]]);
      if (extra !== undefined) entries.push(extra);
      return jsonObject(entries);
    });
}

// ---------------------------------------------------------------------------------------------
// Members with odd shapes
// ---------------------------------------------------------------------------------------------

/** Member values: the pool groups use (so they collide), case variants, prototype names, huge ones. */
export const hostileMemberValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 24, arbitrary: memberValueArb },
  { weight: 6, arbitrary: memberValueArb.map((v) => v.toUpperCase()) },
  { weight: 6, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, ...PROTOTYPE_MEMBER_NAMES) },
  { weight: 3, arbitrary: fc.constantFrom<unknown>('', ' ', null, 5, -0, true, [], {}, ['u1'], { value: 'u1' }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 200_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);

/** A member object as a client might send it, well-formed or not. */
export const hostileMemberArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          valueKey: fc.oneof({ weight: 8, arbitrary: fc.constant('value') }, { weight: 2, arbitrary: fc.mixedCase(fc.constant('value')) }, { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, 'values', 'id') }),
          value: hostileMemberValueArb,
          display: fc.option(fc.oneof({ weight: 4, arbitrary: displayArb }, { weight: 1, arbitrary: hostileLeafArb }), { nil: undefined }),
          type: fc.option(fc.oneof(fc.constantFrom<unknown>('User', 'Group', null), hostileLeafArb), { freq: 4, nil: undefined }),
          ref: fc.option(fc.constantFrom<unknown>(null, 'https://example.com/v2/Users/u1', 5, {}), { freq: 3, nil: undefined }),
          extra: rarely(fc.tuple(hostileKeyArb, hostileJsonArb), 5),
          twice: rarely(fc.tuple(fc.mixedCase(fc.constant('value')), hostileMemberValueArb), 8),
        },
        { noNullPrototype: true },
      )
      .map(({ valueKey, value, display, type, ref, extra, twice }) => {
        const entries: (readonly [string, unknown])[] = [[valueKey, value]];
        if (display !== undefined) entries.push(['display', display]);
        if (type !== undefined) entries.push(['type', type]);
        if (ref !== undefined) entries.push(['$ref', ref]);
        if (twice !== undefined) entries.push(twice);
        if (extra !== undefined) entries.push(extra);
        return jsonObject(entries);
      }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      0,
      1,
      true,
      'u1',
      '',
      [],
      [{ value: 'u1' }],
      [[{ value: 'u2' }]],
      {},
      { display: 'no value' },
      { $ref: null, value: null },
      { value: 'u1', display: null, type: null, $ref: null },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS).map((key) => jsonObject([[key, { value: 'u1' }], ['value', 'u3']])) },
  { weight: 1, arbitrary: hostileJsonArb },
);

/** Lists of members: odd elements, duplicates, lots of them, wrapped, single objects, non-lists. */
export const hostileMemberListArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.array(hostileMemberArb, { maxLength: 8 }) },
  {
    // Many duplicates of a few values, in case variants.
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom(...SHORT_VALUES, 'U1', 'U2', '__proto__', 'constructor'), { minLength: 2, maxLength: 30 })
      .map((values) => values.map((value) => ({ value }))),
  },
  {
    // A long list (sometimes over a lowered maxValuesPerOperation).
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 50, max: 3000 }), fc.nat({ max: 1000 }))
      .map(([n, salt]) => Array.from({ length: n }, (_, i) => ({ value: i % 7 === 0 ? `u${String(1 + (i % 8))}` : `bulk-${String(salt)}-${String(i)}` }))),
  },
  { weight: 1, arbitrary: hostileMemberArb },
  { weight: 1, arbitrary: fc.array(hostileMemberArb, { maxLength: 4 }).map((list) => ({ members: list })) },
  { weight: 1, arbitrary: hostileLeafArb },
);

/** Where a member list goes: path `members` (any spelling), pathless `{members}`, under the Group URN, or a filtered path. */
export const memberListOperationArb: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.mixedCase(fc.constantFrom('add', 'remove', 'replace', 'add', 'replace')),
    fc.constantFrom('path', 'pathless', 'urnPathless', 'filter', 'filterSub', 'urnPath'),
    hostileMemberListArb,
    fc.oneof({ weight: 8, arbitrary: anyCase(fc.constant('members')) }, { weight: 1, arbitrary: fc.constantFrom('MEMBERS', 'member', ...PROTOTYPE_KEYS) }),
    fc.oneof(filterTextArb, anyFilterTextArb),
  )
  .map(([op, where, list, key, filter]) => {
    switch (where) {
      case 'pathless':
        return jsonObject([['op', op], ['value', jsonObject([[key, list]])]]);
      case 'urnPathless':
        return jsonObject([['op', op], ['value', jsonObject([[GROUP_SCHEMA, jsonObject([[key, list]])]])]]);
      case 'filter':
        return jsonObject([['op', op], ['path', `${key}[${filter}]`], ['value', list]]);
      case 'filterSub':
        return jsonObject([['op', op], ['path', `${key}[${filter}].display`], ['value', Array.isArray(list) ? list[0] : list]]);
      case 'urnPath':
        return jsonObject([['op', op], ['path', `${GROUP_SCHEMA}:${key}`], ['value', list]]);
      default:
        return jsonObject([['op', op], ['path', key], ['value', list]]);
    }
  });

// ---------------------------------------------------------------------------------------------
// Deep values, built without recursion
// ---------------------------------------------------------------------------------------------

/** How a deep value nests. */
export type NestStyle = 'array' | 'object' | 'mixed' | 'members' | 'proto';

/** `leaf` nested `depth` levels deep, built iteratively (no recursion at any depth). */
export function nest(leaf: unknown, depth: number, style: NestStyle): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) {
    switch (style) {
      case 'array':
        value = [value];
        break;
      case 'object':
        value = jsonObject([['value', value]]);
        break;
      case 'mixed':
        value = i % 2 === 0 ? [value] : jsonObject([['value', value]]);
        break;
      case 'members':
        value = jsonObject([['members', [value]]]);
        break;
      case 'proto':
        value = jsonObject([[i % 3 === 0 ? '__proto__' : i % 3 === 1 ? 'constructor' : 'prototype', value]]);
        break;
    }
  }
  return value;
}

/** A deep value: mostly thousands of levels, up to 20,000. */
export const deepValueArb: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(1_000, 5_000, 10_000, 20_000) },
      { weight: 2, arbitrary: fc.integer({ min: 100, max: 12_000 }) },
    ),
    fc.constantFrom<NestStyle>('array', 'object', 'mixed', 'members', 'proto'),
    fc.constantFrom<unknown>('u1', null, 5, { value: 'u1' }, [], {}),
  )
  .map(([depth, style, leaf]) => nest(structuredClone(leaf), depth, style));

/** A string of `length` characters. */
function longString(length: number, seed: string): string {
  return seed.length === 0 ? 'x'.repeat(length) : seed.repeat(Math.ceil(length / seed.length)).slice(0, length);
}

// ---------------------------------------------------------------------------------------------
// Real client requests and their mutations
// ---------------------------------------------------------------------------------------------

/** Entra ID: `{"op":"Add","path":"members","value":[{"$ref":null,"value":"<uuid>"}]}`. */
export function entraAddMembers(ids: readonly string[]): Record<string, unknown> {
  return { op: 'Add', path: 'members', value: ids.map((id) => ({ $ref: null, value: id })) };
}

/** Entra ID: `{"op":"Remove","path":"members","value":[{"value":"<uuid>"}]}`. */
export function entraRemoveMembers(ids: readonly string[]): Record<string, unknown> {
  return { op: 'Remove', path: 'members', value: ids.map((id) => ({ value: id })) };
}

/** Entra ID: `{"op":"Replace","path":"displayName","value":"x"}`. */
export function entraRename(name: string): Record<string, unknown> {
  return { op: 'Replace', path: 'displayName', value: name };
}

/** Okta: `{"op":"replace","value":{"id":"<id>","displayName":"x"}}`. */
export function oktaPathlessReplace(id: string, name: string): Record<string, unknown> {
  return { op: 'replace', value: { id, displayName: name } };
}

/** Okta: `{"op":"remove","path":"members[value eq \"<id>\"]"}`. */
export function oktaRemoveMember(id: string): Record<string, unknown> {
  return { op: 'remove', path: `members[value eq ${JSON.stringify(id)}]` };
}

/** Okta: `{"op":"replace","path":"members","value":[{"value":"<id>","display":"a@b.c"}]}`. */
export function oktaReplaceMembers(ids: readonly string[]): Record<string, unknown> {
  return { op: 'replace', path: 'members', value: ids.map((id) => ({ value: id, display: 'a@b.c' })) };
}

/** Okta: `{"op":"add","path":"members","value":[{"value":"<id>","display":"a@b.c"}]}`. */
export function oktaAddMembers(ids: readonly string[]): Record<string, unknown> {
  return { op: 'add', path: 'members', value: ids.map((id) => ({ value: id, display: 'a@b.c' })) };
}

/** Entra's and Okta's envelope. */
export function clientEnvelope(operations: readonly unknown[]): Record<string, unknown> {
  return { schemas: [PATCH_OP_SCHEMA], Operations: [...operations] };
}

/** Ids for a group: its own member values (so operations hit), fresh UUIDs, the shared pool. */
function idArb(group: Group): fc.Arbitrary<string> {
  const own = (group.members ?? []).map((m) => m.value);
  return fc.oneof(
    { weight: own.length > 0 ? 4 : 0, arbitrary: own.length > 0 ? fc.constantFrom(...own) : fc.constant('u1') },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.constantFrom(...SHORT_VALUES) },
    { weight: 1, arbitrary: fc.constantFrom(...TRICKY_VALUES) },
  );
}

/** One verbatim Entra ID or Okta operation, with ids drawn for the group. */
export function clientOperationArb(group: Group): fc.Arbitrary<Record<string, unknown>> {
  const ids = fc.array(idArb(group), { minLength: 1, maxLength: 4 });
  const name = fc.oneof(displayArb, fc.constantFrom('Tour Guides', 'Engineering', 'x'));
  return fc.oneof(
    ids.map(entraAddMembers),
    ids.map(entraRemoveMembers),
    name.map(entraRename),
    fc.tuple(fc.oneof(fc.constant(group.id), fc.uuid()), name).map(([id, n]) => oktaPathlessReplace(id, n)),
    idArb(group).map(oktaRemoveMember),
    ids.map(oktaReplaceMembers),
    ids.map(oktaAddMembers),
  );
}

/** A whole Entra ID or Okta request: one to four verbatim operations in the envelope they use. */
export function clientRequestArb(group: Group): fc.Arbitrary<Record<string, unknown>> {
  return fc.array(clientOperationArb(group), { minLength: 1, maxLength: 4 }).map(clientEnvelope);
}

/** One mutation of a JSON tree; `at` picks the node (pre-order, modulo the node count). */
export type Mutation =
  | { readonly kind: 'drop'; readonly at: number }
  | { readonly kind: 'renameKey'; readonly at: number; readonly to: 'upper' | 'lower' | 'mixed' | 'proto' | 'word' | 'urn' | 'padded'; readonly word: string }
  | { readonly kind: 'duplicateKey'; readonly at: number; readonly sameValue: boolean; readonly value: unknown }
  | { readonly kind: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'retype'; readonly at: number; readonly choice: number }
  | { readonly kind: 'recase'; readonly at: number; readonly how: 'upper' | 'lower' | 'swap' }
  | { readonly kind: 'wrap'; readonly at: number; readonly how: 'array' | 'value' | 'members' | 'urn' | 'operations' }
  | { readonly kind: 'protoString'; readonly at: number; readonly word: string }
  | { readonly kind: 'corrupt'; readonly at: number; readonly edits: readonly CharEdit[] }
  | { readonly kind: 'deep'; readonly at: number; readonly depth: number; readonly style: NestStyle }
  | { readonly kind: 'long'; readonly at: number; readonly length: number }
  | { readonly kind: 'manyOperations'; readonly count: number }
  | { readonly kind: 'insertKey'; readonly at: number; readonly key: string; readonly value: unknown }
  | { readonly kind: 'repeatElement'; readonly at: number; readonly times: number };

/** A random mutation; the expensive ones (deep, long, many operations) are rare. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }, { noNullPrototype: true }) },
  {
    weight: 12,
    arbitrary: fc.record(
      {
        kind: fc.constant('renameKey' as const),
        at: fc.nat(),
        to: fc.constantFrom('upper', 'lower', 'mixed', 'proto', 'word', 'urn', 'padded'),
        word: fc.constantFrom(...SCIM_WORDS, ...PROTOTYPE_KEYS),
      },
      { noNullPrototype: true },
    ),
  },
  {
    weight: 9,
    arbitrary: fc.record(
      { kind: fc.constant('duplicateKey' as const), at: fc.nat(), sameValue: fc.boolean(), value: hostileLeafArb },
      { noNullPrototype: true },
    ),
  },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileJsonArb }, { noNullPrototype: true }) },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('retype' as const), at: fc.nat(), choice: fc.nat() }, { noNullPrototype: true }) },
  {
    weight: 9,
    arbitrary: fc.record(
      { kind: fc.constant('recase' as const), at: fc.nat(), how: fc.constantFrom('upper', 'lower', 'swap') },
      { noNullPrototype: true },
    ),
  },
  {
    weight: 9,
    arbitrary: fc.record(
      { kind: fc.constant('wrap' as const), at: fc.nat(), how: fc.constantFrom('array', 'value', 'members', 'urn', 'operations') },
      { noNullPrototype: true },
    ),
  },
  {
    weight: 9,
    arbitrary: fc.record(
      { kind: fc.constant('protoString' as const), at: fc.nat(), word: fc.constantFrom(...PROTOTYPE_KEYS, ...PROTOTYPE_MEMBER_NAMES) },
      { noNullPrototype: true },
    ),
  },
  {
    weight: 12,
    arbitrary: fc.record(
      { kind: fc.constant('corrupt' as const), at: fc.nat(), edits: fc.array(charEditArb, { minLength: 1, maxLength: 3 }) },
      { noNullPrototype: true },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        kind: fc.constant('deep' as const),
        at: fc.nat(),
        depth: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 2, max: 100 }) }, { weight: 1, arbitrary: fc.constantFrom(1_000, 10_000) }),
        style: fc.constantFrom<NestStyle>('array', 'object', 'mixed', 'members', 'proto'),
      },
      { noNullPrototype: true },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      { kind: fc.constant('long' as const), at: fc.nat(), length: fc.constantFrom(4_096, 4_097, 100_000, 1_000_000) },
      { noNullPrototype: true },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      { kind: fc.constant('manyOperations' as const), count: fc.constantFrom(999, 1_000, 1_001, 2_500) },
      { noNullPrototype: true },
    ),
  },
  {
    weight: 9,
    arbitrary: fc.record(
      { kind: fc.constant('insertKey' as const), at: fc.nat(), key: hostileKeyArb, value: hostileJsonArb },
      { noNullPrototype: true },
    ),
  },
  {
    weight: 6,
    arbitrary: fc.record(
      { kind: fc.constant('repeatElement' as const), at: fc.nat(), times: fc.integer({ min: 1, max: 4 }) },
      { noNullPrototype: true },
    ),
  },
);

/** A node of a JSON tree with where it hangs. */
interface Slot {
  readonly parent: Record<string, unknown> | unknown[];
  readonly key: string | number;
}

/** Pre-order slots of a tree under `holder.root`, without recursion (capped, so huge trees stay cheap). */
function slotsOf(holder: { root: unknown }, cap = 20_000): Slot[] {
  const slots: Slot[] = [];
  const stack: Slot[] = [{ parent: holder, key: 'root' }];
  while (stack.length > 0 && slots.length < cap) {
    const slot = stack.pop() as Slot;
    slots.push(slot);
    const value = (slot.parent as Record<string | number, unknown>)[slot.key];
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ parent: value, key: i });
    } else if (typeof value === 'object' && value !== null) {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ parent: value as Record<string, unknown>, key: keys[i] as string });
    }
  }
  return slots;
}

function getSlot(slot: Slot): unknown {
  return (slot.parent as Record<string | number, unknown>)[slot.key];
}

function setSlot(slot: Slot, value: unknown): void {
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else Object.defineProperty(slot.parent, slot.key, { value, writable: true, enumerable: true, configurable: true });
}

/** Rebuilds `object` with `from` renamed to `to`, keeping the key order. */
function renameKey(object: Record<string, unknown>, from: string, to: string): void {
  const entries = Object.keys(object).map((k): [string, unknown] => [k === from ? to : k, object[k]]);
  for (const k of Object.keys(object)) delete object[k];
  for (const [k, v] of entries) Object.defineProperty(object, k, { value: v, writable: true, enumerable: true, configurable: true });
}

function swapCase(text: string): string {
  let out = '';
  for (const c of text) out += c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  return out;
}

function retype(value: unknown, choice: number): unknown {
  const options: unknown[] =
    typeof value === 'string'
      ? [Number(value), value.length > 0, null, [value], { value }, '', 0]
      : typeof value === 'number'
        ? [String(value), [value], null, -0, Number.POSITIVE_INFINITY]
        : Array.isArray(value)
          ? [value[0] ?? null, Object.fromEntries(value.map((v, i) => [String(i), v])), value.length, {}, null]
          : typeof value === 'object' && value !== null
            ? [Object.values(value), Object.keys(value), null, encodeJson(value), [value]]
            : [String(value), [value], {}, 0, ''];
  return options[choice % options.length];
}

/** The largest body (in JSON characters) a mutated request may grow to. */
export const MUTATED_BODY_BUDGET = 8_000_000;

/**
 * Whether `value` written as JSON stays within `budget` characters (roughly), counting a shared
 * object once per place it appears, as the JSON text does. Stops as soon as it is over.
 */
export function fitsJsonBudget(value: unknown, budget: number): boolean {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') size += item.length + 2;
    else if (typeof item !== 'object' || item === null) size += 8;
    else if (Array.isArray(item)) {
      size += 2 + item.length;
      for (const element of item) stack.push(element);
    } else {
      size += 2;
      for (const key of Object.keys(item)) {
        size += key.length + 4;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
    if (size > budget) return false;
  }
  return true;
}

/** The mutations that can multiply a body's size (long strings, copies, nesting). */
const GROWING: ReadonlySet<Mutation['kind']> = new Set(['long', 'manyOperations', 'repeatElement', 'deep', 'duplicateKey']);

/**
 * Applies mutations in order to a copy of `base` (never to `base` itself). A mutation that would
 * grow the body past `MUTATED_BODY_BUDGET` (a long string copied into thousands of operations)
 * is undone.
 */
export function applyMutations(base: unknown, mutations: readonly Mutation[]): unknown {
  const holder = { root: viaJsonParse(base) };
  for (const mutation of mutations) {
    const before = GROWING.has(mutation.kind) ? viaJsonParse(holder.root) : undefined;
    applyMutation(holder, mutation);
    if (before !== undefined && !fitsJsonBudget(holder.root, MUTATED_BODY_BUDGET)) holder.root = before;
  }
  return viaJsonParse(holder.root);
}

/** Applies one mutation in place. */
function applyMutation(holder: { root: unknown }, mutation: Mutation): void {
  if (mutation.kind === 'manyOperations') {
    const root = holder.root;
    if (typeof root !== 'object' || root === null || Array.isArray(root)) return;
    const key = Object.keys(root).find((k) => k.toLowerCase() === 'operations');
    const list = key === undefined ? undefined : (root as Record<string, unknown>)[key];
    if (!Array.isArray(list) || list.length === 0) return;
    const copy = list.slice();
    while (copy.length < mutation.count) copy.push(list[copy.length % list.length]);
    copy.length = mutation.count;
    (root as Record<string, unknown>)[key as string] = copy;
    return;
  }
  const slots = slotsOf(holder);
  const slot = slots[mutation.at % slots.length] as Slot;
  const value = getSlot(slot);
  const inObject = !Array.isArray(slot.parent) && slot.parent !== (holder as unknown);
  switch (mutation.kind) {
    case 'drop':
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else if (inObject) delete slot.parent[slot.key as string];
      break;
    case 'renameKey': {
      if (!inObject) break;
      const from = slot.key as string;
      const to =
        mutation.to === 'upper'
          ? from.toUpperCase()
          : mutation.to === 'lower'
            ? from.toLowerCase()
            : mutation.to === 'mixed'
              ? swapCase(from)
              : mutation.to === 'urn'
                ? `${GROUP_SCHEMA}:${from}`
                : mutation.to === 'padded'
                  ? `${from} `
                  : mutation.word;
      renameKey(slot.parent, from, mutation.to === 'proto' ? '__proto__' : to);
      break;
    }
    case 'duplicateKey': {
      if (!inObject) break;
      const key = slot.key as string;
      const twin = swapCase(key) === key ? key.toUpperCase() : swapCase(key);
      if (twin !== key) setSlot({ parent: slot.parent, key: twin }, mutation.sameValue ? value : mutation.value);
      break;
    }
    case 'replace':
      setSlot(slot, viaJsonParse(mutation.value));
      break;
    case 'retype':
      setSlot(slot, retype(value, mutation.choice));
      break;
    case 'recase':
      if (typeof value === 'string') {
        setSlot(slot, mutation.how === 'upper' ? value.toUpperCase() : mutation.how === 'lower' ? value.toLowerCase() : swapCase(value));
      }
      break;
    case 'wrap':
      setSlot(
        slot,
        mutation.how === 'array'
          ? [value]
          : mutation.how === 'urn'
            ? jsonObject([[GROUP_SCHEMA, value]])
            : mutation.how === 'operations'
              ? jsonObject([['Operations', [value]]])
              : jsonObject([[mutation.how, value]]),
      );
      break;
    case 'protoString':
      if (typeof value === 'string') setSlot(slot, mutation.word);
      break;
    case 'corrupt':
      if (typeof value === 'string') setSlot(slot, applyEdits(value, mutation.edits));
      break;
    case 'deep':
      setSlot(slot, nest(value, mutation.depth, mutation.style));
      break;
    case 'long':
      setSlot(slot, longString(mutation.length, typeof value === 'string' ? value : 'x'));
      break;
    case 'insertKey':
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        setSlot({ parent: value as Record<string, unknown>, key: mutation.key }, viaJsonParse(mutation.value));
      }
      break;
    case 'repeatElement':
      if (Array.isArray(value) && value.length > 0) {
        for (let i = 0; i < mutation.times; i++) value.push(value[i % value.length]);
      }
      break;
  }
}

/** `base` with zero to four mutations, as a real (JSON-parsed) body. */
export function mutatedArb(base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(base, fc.array(mutationArb, { maxLength: 4 }))
    .map(([value, mutations]) => applyMutations(value, mutations));
}

// ---------------------------------------------------------------------------------------------
// Groups and options
// ---------------------------------------------------------------------------------------------

/**
 * A large stored group: 50 to 3,000 members, unique by value even ignoring case, including the
 * shared pool `u1`..`u8` so that requests hit it.
 */
export const largeGroupArb: fc.Arbitrary<Group> = fc
  .tuple(groupArb, fc.integer({ min: 50, max: 3_000 }), fc.nat({ max: 9_999 }))
  .map(([group, size, salt]) => {
    const members: GroupMember[] = Array.from({ length: size }, (_, i) =>
      i < SHORT_VALUES.length
        ? { value: SHORT_VALUES[i] as string, display: `Member ${String(i)}` }
        : i % 3 === 0
          ? { value: `m-${String(salt)}-${String(i)}`, type: 'User' }
          : { value: `m-${String(salt)}-${String(i)}` },
    );
    return { ...group, members };
  });

/** The stored groups the fuzzer patches: small ones, ones with members, large ones. */
export const fuzzGroupArb: fc.Arbitrary<Group> = fc.oneof(
  // Cross-shrinking lets a counterexample on a large group shrink to a small one.
  { withCrossShrink: true },
  { weight: 5, arbitrary: groupArb },
  { weight: 4, arbitrary: groupWithMembersArb },
  { weight: 1, arbitrary: largeGroupArb },
);

/** Host limits: the defaults, or small ones a request can cross. */
export const fuzzLimitsArb: fc.Arbitrary<PatchLimits> = fc
  .record(
    {
      maxOperations: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 3, arbitrary: fc.constant(1_000) }),
      maxValuesPerOperation: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }) }, { weight: 3, arbitrary: fc.constant(100_000) }),
      maxPathLength: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.constantFrom(4_096, 200_000)),
      maxFilterDepth: fc.integer({ min: 0, max: 64 }),
      maxMembers: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant(Number.POSITIVE_INFINITY)),
      maxScannedMembers: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }) }, { weight: 3, arbitrary: fc.constant(2_000_000) }),
    },
    { requiredKeys: [], noNullPrototype: true },
  )
  .map((limits) => limits as PatchLimits);

/** Host options: mostly the defaults, otherwise any combination (a fixed clock is added by the checker). */
export const fuzzOptionsArb: fc.Arbitrary<PatchOptions | undefined> = fc.option(
  fc
    .record(
      {
        memberValueCaseExact: fc.boolean(),
        externalIdMutability: fc.constantFrom<'readWrite' | 'immutable' | 'readOnly'>('readWrite', 'immutable', 'readOnly'),
        setLastModified: fc.boolean(),
        storedGroupCheck: fc.constantFrom<'full' | 'touched'>('full', 'touched'),
        limits: fuzzLimitsArb,
      },
      { requiredKeys: [], noNullPrototype: true },
    )
    .map((options) => options as PatchOptions),
  { freq: 3, nil: undefined },
);

/** A case over any fuzz group, with the body depending on the group. */
function caseArb(body: (group: Group) => fc.Arbitrary<unknown>): fc.Arbitrary<FuzzCase> {
  return fuzzGroupArb.chain((group) =>
    fc.tuple(body(group), fuzzOptionsArb).map(([b, options]) => ({ group, body: b, options })),
  );
}

/** A case whose body does not depend on the group. */
function independentCaseArb(body: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzCase> {
  return fc.record({ group: fuzzGroupArb, body, options: fuzzOptionsArb }, { noNullPrototype: true });
}

// ---------------------------------------------------------------------------------------------
// The families
// ---------------------------------------------------------------------------------------------

/** A generator family of the fuzzer. */
export interface FuzzFamily {
  /** Short name, used by `FUZZ_FAMILY` and in reports. */
  readonly name: string;
  /** What it generates. */
  readonly description: string;
  /** Its share of the runs (relative). */
  readonly share: number;
  /** The cases. */
  readonly arbitrary: fc.Arbitrary<FuzzCase>;
}

/** Random JSON bodies, and envelopes whose operations or values are random JSON. */
const jsonFamily: fc.Arbitrary<FuzzCase> = independentCaseArb(
  fc.oneof(
    { weight: 1, arbitrary: anyJsonArb },
    { weight: 2, arbitrary: envelopeArb(fc.array(anyJsonArb, { maxLength: 4 })).map(viaJsonParse) },
    {
      weight: 3,
      arbitrary: envelopeArb(
        fc.array(hostileOperationArb(hostileOpNameArb, fc.oneof(hostilePathArb, hostileLeafArb), anyJsonArb), { minLength: 1, maxLength: 4 }),
      ).map(viaJsonParse),
    },
  ),
);

/** Values outside JSON, anywhere in the body. */
const anythingFamily: fc.Arbitrary<FuzzCase> = independentCaseArb(
  fc.oneof(
    { weight: 1, arbitrary: anythingArb },
    { weight: 1, arbitrary: envelopeArb(fc.array(anythingArb, { maxLength: 3 })) },
    {
      weight: 3,
      arbitrary: envelopeArb(
        fc.array(hostileOperationArb(fc.oneof(hostileOpNameArb, anythingArb), fc.oneof(hostilePathArb, anythingArb), anythingArb), {
          minLength: 1,
          maxLength: 3,
        }),
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.mixedCase(fc.constantFrom('add', 'replace', 'remove')), fc.constantFrom('members', 'displayName', 'externalId', undefined, 'members[value eq "u1"]'), anythingArb)
        .map(([op, path, value]) => ({ Operations: [path === undefined ? { op, value } : { op, path, value }] })),
    },
  ),
);

/** Paths and filters from the grammar, valid and corrupted, with plausible values. */
const grammarFamily: fc.Arbitrary<FuzzCase> = independentCaseArb(
  envelopeArb(
    fc.array(
      hostileOperationArb(
        fc.mixedCase(fc.constantFrom('add', 'remove', 'replace', 'remove')),
        hostilePathArb,
        fc.oneof(
          { weight: 3, arbitrary: displayArb },
          { weight: 2, arbitrary: memberValueArb },
          { weight: 2, arbitrary: fc.constant<unknown>(null) },
          { weight: 2, arbitrary: fc.array(memberValueArb, { maxLength: 3 }).map((vs) => vs.map((value) => ({ value }))) },
          { weight: 2, arbitrary: fc.record({ display: displayArb, type: fc.constantFrom('User', 'Group') }, { noNullPrototype: true }) },
          { weight: 1, arbitrary: memberValueArb.map((value) => ({ value, display: 'Ann' })) },
          { weight: 1, arbitrary: hostileJsonArb },
        ),
        'low',
      ),
      { minLength: 1, maxLength: 3 },
    ),
    'low',
  ).map(viaJsonParse),
);

/** Op names in any case and garbage, operation objects with odd, missing and repeated keys. */
const opsFamily: fc.Arbitrary<FuzzCase> = independentCaseArb(
  envelopeArb(
    fc.array(
      hostileOperationArb(
        hostileOpNameArb,
        fc.oneof(
          anyCase(fc.constantFrom('members', 'displayName', 'externalId', 'members[value eq "u1"]', 'members.display', 'id', 'meta')),
          hostileLeafArb,
        ),
        fc.oneof(displayArb, fc.constant<unknown>([{ value: 'u1' }]), fc.constant<unknown>({ displayName: 'x' }), hostileLeafArb),
      ),
      { minLength: 1, maxLength: 5 },
    ),
  ).map(viaJsonParse),
);

/** Member lists with odd shapes, at every place a member list goes. */
const membersFamily: fc.Arbitrary<FuzzCase> = independentCaseArb(
  envelopeArb(fc.array(memberListOperationArb, { minLength: 1, maxLength: 3 }), 'low').map(viaJsonParse),
);

/** The verbatim Entra ID and Okta requests, mutated. */
const clientsFamily: fc.Arbitrary<FuzzCase> = caseArb((group) => mutatedArb(clientRequestArb(group)));

/** The property tests' valid, probably-invalid and no-op requests, under hostile options and large groups. */
const mixedFamily: fc.Arbitrary<FuzzCase> = caseArb((group) =>
  fc.oneof(validRequestArb(6), probablyInvalidRequestArb, noopRequestArb(group), mutatedArb(validRequestArb(3))),
);

/** Where a deep value goes in a request. */
export function placeDeepValue(where: number, deep: unknown): unknown {
  const placements: (() => unknown)[] = [
    () => clientEnvelope([{ op: 'add', path: 'members', value: [{ value: deep }] }]),
    () => clientEnvelope([{ op: 'add', path: 'members', value: [deep] }]),
    () => clientEnvelope([{ op: 'Add', path: 'members', value: deep }]),
    () => clientEnvelope([{ op: 'Remove', path: 'members', value: deep }]),
    () => clientEnvelope([{ op: 'replace', value: deep }]),
    () => clientEnvelope([{ op: 'replace', value: { displayName: deep } }]),
    () => clientEnvelope([{ op: 'add', value: { members: deep } }]),
    () => clientEnvelope([{ op: 'add', value: { [GROUP_SCHEMA]: deep } }]),
    () => clientEnvelope([{ op: 'replace', path: 'members[value eq "u1"]', value: deep }]),
    () => clientEnvelope([{ op: 'replace', path: 'members[value eq "u1"].display', value: deep }]),
    () => clientEnvelope([{ op: 'replace', path: 'members', value: [{ value: 'u1', display: deep, type: deep }] }]),
    () => clientEnvelope([deep]),
    () => clientEnvelope([{ op: deep, path: 'members', value: [] }]),
    () => clientEnvelope([{ op: 'remove', path: deep }]),
    () => ({ schemas: deep, Operations: [] }),
    () => ({ schemas: [PATCH_OP_SCHEMA], Operations: deep }),
    () => deep,
  ];
  return (placements[where % placements.length] as () => unknown)();
}

/** A body whose path holds a filter nested far past any limit. */
export const deepFilterBodyArb: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(1_000, 10_000, 100_000), fc.constantFrom('(', 'not (', 'not(', '[', 'members['), fc.boolean())
  .map(([depth, open, closed]) => {
    const close = open.includes('[') ? ']' : ')';
    const filter = `${open.repeat(depth)}value eq "u1"${closed ? close.repeat(depth) : ''}`;
    return clientEnvelope([{ op: 'remove', path: `members[${filter}]` }]);
  });

/** Long strings where a client controls them. */
export const longStringBodyArb: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(4_095, 4_096, 4_097, 100_000, 1_000_000), fc.nat())
  .map(([length, where]) => {
    const s = longString(length, 'u');
    const placements: (() => unknown)[] = [
      () => clientEnvelope([{ op: 'add', path: 'members', value: [{ value: s, display: s }] }]),
      () => clientEnvelope([{ op: 'replace', path: 'displayName', value: s }]),
      () => clientEnvelope([{ op: 'remove', path: `members[value eq "${s}"]` }]),
      () => clientEnvelope([{ op: 'remove', path: `members[value eq "u1"${' or value eq "u2"'.repeat(Math.floor(length / 17))}]` }]),
      () => clientEnvelope([{ op: 'remove', path: `members[value eq "u1"${' and value pr'.repeat(Math.floor(length / 13))}]` }]),
      () => clientEnvelope([{ op: 'remove', path: `members.${s}` }]),
      () => clientEnvelope([{ op: s, path: 'members' }]),
      () => clientEnvelope([jsonObject([[s, 'add'], ['op', 'add'], ['path', 'members'], ['value', []]])]),
      () => clientEnvelope([{ op: 'add', value: jsonObject([[`${GROUP_SCHEMA}:${s}`, 1]]) }]),
    ];
    return (placements[where % placements.length] as () => unknown)();
  });

/**
 * More operations than the default limit, or just below it: adds, removes by value, renames, and
 * filters that do not pin `value` (each scans the whole group, bounded by `maxScannedMembers`).
 */
export const manyOperationsBodyArb: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(999, 1_000, 1_001, 5_000), fc.constantFrom('add', 'remove', 'rename', 'scan', 'mixed'))
  .map(([count, kind]) =>
    clientEnvelope(
      Array.from({ length: count }, (_, i) => {
        const k = kind === 'mixed' ? (['add', 'remove', 'rename', 'scan'] as const)[i % 4] : kind;
        if (k === 'add') return { op: 'add', path: 'members', value: [{ value: `op-${String(i)}` }, { value: 'u1' }] };
        if (k === 'remove') return { op: 'remove', path: `members[value eq "op-${String(i - 1)}"]` };
        if (k === 'scan') {
          return i % 2 === 0
            ? { op: 'remove', path: `members[display eq "nobody ${String(i)}"]` }
            : { op: 'replace', path: 'members[display sw "M" and not (type pr)].type', value: 'User' };
        }
        return { op: 'replace', path: 'displayName', value: `name ${String(i)}` };
      }),
    ),
  );

/** Deep values in every position, filters nested past every limit, long strings, many operations. */
const deepFamily: fc.Arbitrary<FuzzCase> = independentCaseArb(
  fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.nat(), deepValueArb).map(([where, deep]) => viaJsonParse(placeDeepValue(where, deep))) },
    { weight: 1, arbitrary: deepFilterBodyArb },
    { weight: 2, arbitrary: longStringBodyArb },
    { weight: 1, arbitrary: manyOperationsBodyArb },
  ),
);

/** Every family, in the order the fuzzer runs them. */
export const FUZZ_FAMILIES: readonly FuzzFamily[] = [
  { name: 'json', description: 'random JSON bodies, operations and values (fc.jsonValue and hostile keys)', share: 14, arbitrary: jsonFamily },
  { name: 'anything', description: 'values outside JSON: undefined, NaN, bigint, null-prototype objects, sparse arrays', share: 8, arbitrary: anythingFamily },
  { name: 'grammar', description: 'RFC 7644 paths and filters, valid and corrupted', share: 20, arbitrary: grammarFamily },
  { name: 'ops', description: 'op names in any case and garbage, odd operation objects', share: 10, arbitrary: opsFamily },
  { name: 'members', description: 'member lists with odd shapes everywhere a member list goes', share: 16, arbitrary: membersFamily },
  { name: 'clients', description: 'verbatim Entra ID and Okta requests, mutated', share: 22, arbitrary: clientsFamily },
  { name: 'mixed', description: "the property tests' requests under hostile options and large groups", share: 8, arbitrary: mixedFamily },
  { name: 'deep', description: 'deep values, filters nested past every limit, long strings, many operations', share: 2, arbitrary: deepFamily },
];
