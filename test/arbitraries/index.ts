/**
 * Shared fast-check arbitraries for the property tests of scim-group-patch.
 *
 * Everything here produces plain JSON-like data (never null-prototype objects, never `undefined`
 * values) so that results can be compared with `isDeepStrictEqual` and `structuredClone`.
 *
 * - member values come from a small pool (`u1`..`u8`) so that collisions are frequent, mixed with
 *   UUIDs and a few values that need escaping inside a filter string;
 * - stored groups have members unique by value (case-insensitively, so that the
 *   `memberValueCaseExact: false` option also sees a valid group);
 * - `validOperationArb` covers every operation shape the library accepts, spelled in random case,
 *   sometimes with the core Group URN prefix;
 * - `invalidOperationArb` lists operations that must be rejected, each with the `scimType`s it may
 *   be rejected with; `probablyInvalidOperationArb` adds random JSON and broken shapes.
 */
import fc from 'fast-check';
import {
  GROUP_SCHEMA,
  PATCH_OP_SCHEMA,
  type Group,
  type GroupMember,
  type GroupMeta,
  type ScimType,
} from '../../src/index.js';

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/** A raw (unvalidated) PATCH operation, as a client sends it. */
export type RawOperation = Record<string, unknown>;

/** A raw (unvalidated) PATCH body. */
export type RawRequest = Record<string, unknown>;

/** A mutable member, for building. */
type MutableMember = { value: string; display?: string; type?: string; $ref?: string };

export { deepFreeze } from '../support/freeze.js';

/** A constant object, freshly cloned for every value generated (so freezing one run's input cannot leak into another). */
export function fresh<T>(value: T): fc.Arbitrary<T> {
  return fc.constant(value).map((v) => structuredClone(v));
}

/** A word spelled as is most of the time, in random case otherwise. */
export function spell(word: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(word) },
    { weight: 2, arbitrary: fc.mixedCase(fc.constant(word)) },
  );
}

/** The op name in random case (`add`, `Add`, `ADD`, `aDd`, ...). */
export function opNameArb(op: 'add' | 'remove' | 'replace'): fc.Arbitrary<string> {
  return spell(op);
}

/** The optional core Group URN prefix of an attribute name, itself sometimes in random case. */
export const groupPrefixArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.constant(`${GROUP_SCHEMA}:`) },
  { weight: 1, arbitrary: fc.mixedCase(fc.constant(`${GROUP_SCHEMA}:`)) },
);

/** A top-level Group attribute name in random case, sometimes URN-prefixed. */
export function attributeNameArb(name: 'displayName' | 'externalId' | 'members'): fc.Arbitrary<string> {
  return fc.tuple(groupPrefixArb, spell(name)).map(([prefix, spelled]) => `${prefix}${spelled}`);
}

/** A member sub-attribute name in random case. */
export type MemberSubAttribute = 'value' | 'display' | 'type' | '$ref';

/** Builds `{op, path?, value?}` with the three keys sometimes spelled in other case (`Op`, `Path`). */
function operation(
  op: fc.Arbitrary<string>,
  path: fc.Arbitrary<string> | undefined,
  value: fc.Arbitrary<unknown> | undefined,
): fc.Arbitrary<RawOperation> {
  const keyArb = (key: string): fc.Arbitrary<string> =>
    fc.oneof({ weight: 5, arbitrary: fc.constant(key) }, { weight: 1, arbitrary: fc.mixedCase(fc.constant(key)) });
  return fc
    .record(
      {
        opKey: keyArb('op'),
        op,
        pathKey: keyArb('path'),
        path: path ?? fc.constant(undefined),
        valueKey: keyArb('value'),
        value: value ?? fc.constant(undefined),
      },
      { noNullPrototype: true },
    )
    .map(({ opKey, op: opName, pathKey, path: p, valueKey, value: v }) => {
      const raw: RawOperation = { [opKey]: opName };
      if (path !== undefined) raw[pathKey] = p;
      if (value !== undefined) raw[valueKey] = v;
      return raw;
    });
}

// ---------------------------------------------------------------------------------------------
// Members and groups
// ---------------------------------------------------------------------------------------------

/** The small pool of ids: collisions between the group and the request are the common case. */
export const SHORT_VALUES = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'] as const;

/** Values that must be escaped in a filter string, or that look like path syntax. */
export const TRICKY_VALUES = [
  'a"b',
  'back\\slash',
  'sp ace',
  'br]ack[et',
  'dot.colon:x',
  'ünï©ødé',
  'tab\tx',
  'U1',
] as const;

/** A short member value from the pool. */
export const shortValueArb: fc.Arbitrary<string> = fc.constantFrom(...SHORT_VALUES);

/** A UUID-ish member value, sometimes upper-case. */
export const uuidishValueArb: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
);

/** A member value: mostly from the short pool (so collisions happen), else a UUID or a tricky one. */
export const memberValueArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: shortValueArb },
  { weight: 2, arbitrary: uuidishValueArb },
  { weight: 1, arbitrary: fc.constantFrom(...TRICKY_VALUES) },
);

/** A display name: several start with "A" or "a" so that `display sw "A"` matches some. */
export const displayArb: fc.Arbitrary<string> = fc.constantFrom(
  'Alice',
  'alex',
  'Ann',
  'Bob',
  'bert',
  'Carol',
  'Émile',
  'A "quoted" name',
);

/** A member type. */
export const memberTypeArb: fc.Arbitrary<string> = fc.constantFrom('User', 'Group', 'user');

/** A `$ref` for a value. */
export function refOf(value: string): string {
  return `https://example.com/v2/Users/${encodeURIComponent(value)}`;
}

/** A member `{value, display?, type?, $ref?}` with the given value arbitrary. */
export function memberWithValueArb(valueArb: fc.Arbitrary<string>): fc.Arbitrary<GroupMember> {
  return fc
    .record(
      {
        value: valueArb,
        display: fc.option(displayArb, { nil: undefined }),
        type: fc.option(memberTypeArb, { nil: undefined }),
        withRef: fc.boolean(),
      },
      { noNullPrototype: true },
    )
    .map(({ value, display, type, withRef }) => {
      const member: MutableMember = { value };
      if (display !== undefined) member.display = display;
      if (type !== undefined) member.type = type;
      if (withRef) member.$ref = refOf(value);
      return member;
    });
}

/** A member `{value, display?, type?, $ref?}`. */
export const memberArb: fc.Arbitrary<GroupMember> = memberWithValueArb(memberValueArb);

/** A list of members, unique by value compared case-insensitively. */
export function uniqueMembersArb(
  constraints: { readonly minLength?: number; readonly maxLength?: number } = {},
): fc.Arbitrary<GroupMember[]> {
  return fc.uniqueArray(memberArb, {
    selector: (m) => m.value.toLowerCase(),
    minLength: constraints.minLength ?? 0,
    maxLength: constraints.maxLength ?? 8,
  });
}

const isoDateArb: fc.Arbitrary<string> = fc
  .date({ min: new Date('2000-01-01T00:00:00.000Z'), max: new Date('2029-12-31T00:00:00.000Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** A group's `meta`, with optional created/lastModified (and sometimes version and location). */
export const metaArb: fc.Arbitrary<GroupMeta> = fc
  .record(
    {
      created: fc.option(isoDateArb, { nil: undefined }),
      lastModified: fc.option(isoDateArb, { nil: undefined }),
      version: fc.option(fc.constantFrom('W/"1"', 'W/"3694e05e9dff592"'), { nil: undefined }),
      location: fc.option(fc.constant('https://example.com/v2/Groups/g'), { nil: undefined }),
    },
    { noNullPrototype: true },
  )
  .map(({ created, lastModified, version, location }) => {
    const meta: { resourceType: string; created?: string; lastModified?: string; version?: string; location?: string } =
      { resourceType: 'Group' };
    if (created !== undefined) meta.created = created;
    if (lastModified !== undefined) meta.lastModified = lastModified;
    if (version !== undefined) meta.version = version;
    if (location !== undefined) meta.location = location;
    return meta;
  });

/** A group display name: never empty. */
export const groupDisplayNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('Engineering', 'Sales', 'Tour Guides', 'admins', 'Admins') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
);

/** An externalId: never empty. */
export const externalIdArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('ext-1', 'ext-2', 'EXT-1'),
  fc.uuid(),
);

/** A stored group as a host keeps it (members unique by value). */
export const groupArb: fc.Arbitrary<Group> = fc
  .record(
    {
      id: fc.uuid(),
      displayName: groupDisplayNameArb,
      externalId: fc.option(externalIdArb, { nil: undefined }),
      members: fc.option(uniqueMembersArb(), { nil: undefined, freq: 6 }),
      meta: fc.option(metaArb, { nil: undefined, freq: 4 }),
      withSchemas: fc.boolean(),
      extension: fc.option(fresh({ costCenter: '4130', tags: ['a', 'b'] }), { nil: undefined, freq: 6 }),
    },
    { noNullPrototype: true },
  )
  .map(({ id, displayName, externalId, members, meta, withSchemas, extension }) => {
    const group: Record<string, unknown> = {};
    if (withSchemas) group.schemas = [GROUP_SCHEMA];
    group.id = id;
    if (externalId !== undefined) group.externalId = externalId;
    group.displayName = displayName;
    if (members !== undefined) group.members = members;
    if (meta !== undefined) group.meta = meta;
    // An extra property a host may store; the library must carry it over untouched.
    if (extension !== undefined) group['urn:example:params:scim:schemas:extension:acme:2.0:Group'] = extension;
    return group as unknown as Group;
  });

/** A group that has at least one member. */
export const groupWithMembersArb: fc.Arbitrary<Group> = fc
  .tuple(groupArb, uniqueMembersArb({ minLength: 1 }))
  .map(([group, members]) => ({ ...group, members }));

// ---------------------------------------------------------------------------------------------
// Member objects as a client sends them
// ---------------------------------------------------------------------------------------------

/**
 * One way a client may spell a member: keys in random case, unknown sub-attributes (Entra's
 * `operation`, a stray `displayName`), and null sub-attributes (Entra's `"$ref": null`). The
 * library must read it back as exactly `member`.
 */
export function encodeMemberArb(member: GroupMember): fc.Arbitrary<Record<string, unknown>> {
  const entries: [string, unknown][] = Object.entries(member);
  const missing = (['display', 'type', '$ref'] as const).filter((k) => member[k] === undefined);
  return fc
    .record(
      {
        keys: fc.tuple(...entries.map(([k]) => spell(k))),
        // Half the time the member is sent exactly as it is stored.
        nulls: fc.oneof(fc.constant<typeof missing>([]), fc.subarray(missing)),
        extra: fc.oneof(fc.constant<string[]>([]), fc.subarray(['operation', 'displayName', 'primary'])),
        reverse: fc.boolean(),
      },
      { noNullPrototype: true },
    )
    .map(({ keys, nulls, extra, reverse }) => {
      const pairs: [string, unknown][] = entries.map(([, v], i) => [keys[i] as string, v]);
      for (const key of nulls) pairs.push([key, null]);
      for (const key of extra) pairs.push([key, key === 'primary' ? false : 'Add']);
      if (reverse) pairs.reverse();
      return Object.fromEntries(pairs);
    });
}

/** The members of a list, as the client spells each one. */
function encodeMembersArb(members: readonly GroupMember[]): fc.Arbitrary<Record<string, unknown>[]> {
  return fc.tuple(...members.map(encodeMemberArb));
}

/**
 * A list of members as an operation's `value`: an array, `{members: [...]}`, or (for exactly one
 * member) the member object itself.
 */
export function membersValueArb(members: readonly GroupMember[]): fc.Arbitrary<unknown> {
  const encoded = encodeMembersArb(members);
  const forms: fc.Arbitrary<unknown>[] = [
    encoded,
    fc.tuple(spell('members'), encoded).map(([key, list]) => ({ [key]: list })),
  ];
  if (members.length === 1) forms.push(encoded.map((list) => list[0]));
  return fc.oneof(...forms);
}

/**
 * Values to remove, as Entra (and others) send them with `remove` path `members`: an array of
 * `{value}` objects, `{members: [{value}]}`, or one `{value}` object.
 */
export function removeValuesValueArb(values: readonly string[]): fc.Arbitrary<unknown> {
  const list = fc.tuple(...values.map((v) => fc.tuple(spell('value'), fc.constant(v)))).map((pairs) =>
    pairs.map(([key, v]) => ({ [key]: v })),
  );
  const forms: fc.Arbitrary<unknown>[] = [list, fc.tuple(spell('members'), list).map(([k, l]) => ({ [k]: l }))];
  if (values.length === 1) forms.push(list.map((l) => l[0]));
  return fc.oneof(...forms);
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

/** A filter over member sub-attributes, already spelled, with its structure kept for models. */
export type FilterAst =
  | {
      readonly kind: 'compare';
      readonly attribute: MemberSubAttribute;
      readonly operator: string;
      readonly value: string | number | boolean | null;
      readonly text: string;
    }
  | { readonly kind: 'present'; readonly attribute: MemberSubAttribute; readonly text: string }
  | { readonly kind: 'and' | 'or'; readonly left: FilterAst; readonly right: FilterAst; readonly text: string }
  | { readonly kind: 'not'; readonly filter: FilterAst; readonly text: string }
  | {
      /** `f1 and f2 or f3 ...` without parentheses: `and` binds tighter than `or`. */
      readonly kind: 'chain';
      readonly filters: readonly FilterAst[];
      /** `connectives[i]` joins `filters[i]` and `filters[i + 1]`. */
      readonly connectives: readonly ('and' | 'or')[];
      readonly text: string;
    };

/** How a string literal is written: as `JSON.stringify` writes it, every code unit `\uXXXX`, or `/` as `\/`. */
type LiteralStyle = 'json' | 'unicode' | 'solidus';

/** A filter literal: a JSON string (escapes included) or a bare literal. */
function literal(value: string | number | boolean | null, style: LiteralStyle = 'json'): string {
  if (typeof value !== 'string') return String(value);
  if (style === 'unicode') {
    let out = '"';
    for (let i = 0; i < value.length; i++) {
      const hex = value.charCodeAt(i).toString(16).padStart(4, '0');
      out += `\\u${i % 2 === 0 ? hex : hex.toUpperCase()}`;
    }
    return `${out}"`;
  }
  const json = JSON.stringify(value);
  return style === 'solidus' ? json.replaceAll('/', '\\/') : json;
}

const literalStyleArb: fc.Arbitrary<LiteralStyle> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<LiteralStyle>('json') },
  { weight: 1, arbitrary: fc.constant<LiteralStyle>('unicode') },
  { weight: 1, arbitrary: fc.constant<LiteralStyle>('solidus') },
);

function compareArb(
  attribute: MemberSubAttribute,
  operator: string,
  valueArb: fc.Arbitrary<string | number | boolean | null>,
): fc.Arbitrary<FilterAst> {
  return fc
    .tuple(spell(attribute), spell(operator), valueArb, fc.constantFrom(' ', '  '), literalStyleArb)
    .map(([a, o, value, sp, style]) => ({
      kind: 'compare' as const,
      attribute,
      operator,
      value,
      text: `${a}${sp}${o} ${literal(value, style)}`,
    }));
}

/** `value eq "x"` for a given value. */
export function valueEqFilterArb(value: string): fc.Arbitrary<FilterAst> {
  return compareArb('value', 'eq', fc.constant(value));
}

/** `value eq "a" or value eq "b" ...` (the normalizer turns it into a delete by value). */
export function valueEqChainArb(values: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(...values.map((v) => fc.tuple(valueEqFilterArb(v), spell('or'))))
    .map((parts) => parts.map(([f, or], i) => (i === 0 ? f.text : `${or} ${f.text}`)).join(' '));
}

/** Leaves of member filters: every sub-attribute, every operator, with values that sometimes match. */
export const filterLeafArb: fc.Arbitrary<FilterAst> = fc.oneof(
  { weight: 5, arbitrary: memberValueArb.chain((v) => valueEqFilterArb(v)) },
  { weight: 1, arbitrary: compareArb('value', 'ne', memberValueArb) },
  // `ne` on attributes members may lack: a missing attribute is "not equal".
  { weight: 1, arbitrary: compareArb('display', 'ne', displayArb) },
  { weight: 1, arbitrary: compareArb('type', 'ne', fc.oneof(memberTypeArb, fc.constant(null))) },
  { weight: 1, arbitrary: compareArb('value', 'sw', fc.constantFrom('u', 'u1', 'U')) },
  { weight: 1, arbitrary: compareArb('value', 'gt', fc.constantFrom('u4', 'a')) },
  { weight: 2, arbitrary: compareArb('display', 'sw', fc.constantFrom('A', 'a', 'Al', 'B')) },
  { weight: 1, arbitrary: compareArb('display', 'co', fc.constantFrom('e', 'quoted', 'o')) },
  { weight: 1, arbitrary: compareArb('display', 'ew', fc.constantFrom('e', 'b')) },
  { weight: 1, arbitrary: compareArb('display', 'eq', fc.oneof(displayArb, fc.constant(null))) },
  { weight: 1, arbitrary: compareArb('type', 'eq', fc.oneof(memberTypeArb, fc.constant(true), fc.constant(1))) },
  { weight: 1, arbitrary: compareArb('$ref', 'co', fc.constantFrom('Users', 'u2')) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom<MemberSubAttribute>('value', 'display', 'type', '$ref')
      .chain((attribute) =>
        fc.tuple(spell(attribute), spell('pr')).map(([a, pr]) => ({
          kind: 'present' as const,
          attribute,
          text: `${a} ${pr}`,
        })),
      ),
  },
);

/** A member filter: leaves combined with `and`, `or`, `not (...)` and parentheses. */
export const filterArb: fc.Arbitrary<FilterAst> = fc.letrec<{ filter: FilterAst }>((tie) => ({
  filter: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    { weight: 4, arbitrary: filterLeafArb },
    {
      weight: 1,
      arbitrary: fc
        .tuple(tie('filter'), tie('filter'), fc.constantFrom<'and' | 'or'>('and', 'or'))
        .chain(([left, right, kind]) =>
          spell(kind).map((kw) => ({ kind, left, right, text: `(${left.text}) ${kw} (${right.text})` })),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(tie('filter'), spell('not'), fc.constantFrom('', ' '))
        .map(([filter, kw, sp]) => ({ kind: 'not' as const, filter, text: `${kw}${sp}(${filter.text})` })),
    },
    {
      // No parentheses: the parser's precedence decides (and > or).
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(tie('filter'), fc.constantFrom<'and' | 'or'>('and', 'or')), { minLength: 2, maxLength: 4 })
        .chain((items) =>
          fc.tuple(...items.map(([, connective]) => spell(connective))).map((spelled) => {
            const filters = items.map(([f]) => f);
            const connectives = items.slice(0, -1).map(([, c]) => c);
            const operand = (f: FilterAst): string => (f.kind === 'compare' || f.kind === 'present' || f.kind === 'not' ? f.text : `(${f.text})`);
            const text = filters.map((f, i) => (i === 0 ? operand(f) : `${spelled[i - 1] ?? ''} ${operand(f)}`)).join(' ');
            return { kind: 'chain' as const, filters, connectives, text };
          }),
        ),
    },
  ),
})).filter;

/** Filters named in the brief, always in the mix: `display sw "A"`, `not (type pr)`, an or-chain. */
export const namedFilterTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(spell('display'), spell('sw')).map(([d, sw]) => `${d} ${sw} "A"`),
  fc.tuple(spell('not'), spell('type'), spell('pr')).map(([n, t, pr]) => `${n} (${t} ${pr})`),
  fc.tuple(memberValueArb, memberValueArb).chain((vs) => valueEqChainArb(vs)),
);

/** The text of any member filter. */
export const filterTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: filterArb.map((f) => f.text) },
  { weight: 1, arbitrary: namedFilterTextArb },
);

/** `members[filter]`, the attribute spelled in random case and sometimes URN-prefixed. */
export function membersFilterPathArb(filterText: fc.Arbitrary<string> = filterTextArb): fc.Arbitrary<string> {
  return fc.tuple(attributeNameArb('members'), filterText).map(([m, f]) => `${m}[${f}]`);
}

/** `members[filter].sub`. */
export function membersFilterSubPathArb(
  sub: MemberSubAttribute,
  filterText: fc.Arbitrary<string> = filterTextArb,
): fc.Arbitrary<string> {
  return fc.tuple(membersFilterPathArb(filterText), spell(sub)).map(([p, s]) => `${p}.${s}`);
}

// ---------------------------------------------------------------------------------------------
// Valid operations
// ---------------------------------------------------------------------------------------------

const memberListArb = (maxLength = 4): fc.Arbitrary<GroupMember[]> =>
  fc.uniqueArray(memberArb, { selector: (m) => m.value, maxLength });

const nonEmptyMemberListArb: fc.Arbitrary<GroupMember[]> = fc.array(memberArb, { minLength: 1, maxLength: 4 });

/** `add`/`replace` of `displayName` with a path. */
export const setDisplayNameOpArb: fc.Arbitrary<RawOperation> = fc
  .tuple(fc.constantFrom<'add' | 'replace'>('add', 'replace'), groupDisplayNameArb)
  .chain(([op, name]) => operation(opNameArb(op), attributeNameArb('displayName'), fc.constant(name)));

/** `add`/`replace`/`remove` of `externalId` with a path. */
export const externalIdOpArb: fc.Arbitrary<RawOperation> = fc.oneof(
  fc
    .constantFrom<'add' | 'replace'>('add', 'replace')
    .chain((op) => operation(opNameArb(op), attributeNameArb('externalId'), externalIdArb)),
  operation(opNameArb('replace'), attributeNameArb('externalId'), fc.constant(null)),
  operation(opNameArb('remove'), attributeNameArb('externalId'), undefined),
);

/** `add` path `members` (array, single object, or `{members: [...]}`), possibly with duplicates. */
export const addMembersOpArb: fc.Arbitrary<RawOperation> = fc
  .oneof(memberListArb(), nonEmptyMemberListArb)
  .chain((members) => operation(opNameArb('add'), attributeNameArb('members'), membersValueArb(members)));

/** `replace` path `members` (the full push), including `[]` and `null`. */
export const replaceMembersOpArb: fc.Arbitrary<RawOperation> = fc.oneof(
  { weight: 4, arbitrary: memberListArb(6).chain((members) => operation(opNameArb('replace'), attributeNameArb('members'), membersValueArb(members))) },
  { weight: 1, arbitrary: operation(opNameArb('replace'), attributeNameArb('members'), fc.constant(null)) },
);

/** `remove` path `members` without a value: removes every member. */
export const removeAllMembersOpArb: fc.Arbitrary<RawOperation> = operation(
  opNameArb('remove'),
  attributeNameArb('members'),
  undefined,
);

/** Entra's `remove` path `members` with a value listing the members to remove (or `[]`/`null`). */
export const removeMembersByValueOpArb: fc.Arbitrary<RawOperation> = fc.oneof(
  { weight: 5, arbitrary: fc.array(memberValueArb, { maxLength: 4 }).chain((values) => operation(opNameArb('remove'), attributeNameArb('members'), removeValuesValueArb(values))) },
  { weight: 1, arbitrary: operation(opNameArb('remove'), attributeNameArb('members'), fc.constant(null)) },
);

/** `remove members[filter]`. */
export const removeMembersWhereOpArb: fc.Arbitrary<RawOperation> = operation(
  opNameArb('remove'),
  membersFilterPathArb(),
  undefined,
);

const subAttributeValueArb = (sub: 'display' | 'type' | '$ref'): fc.Arbitrary<string> =>
  sub === 'display' ? displayArb : sub === 'type' ? memberTypeArb : memberValueArb.map(refOf);

/** `members[filter].display|type|$ref` set (`add`/`replace`), cleared (`replace` null) or removed. */
export function updateMemberSubAttributeOpArb(
  filterText: fc.Arbitrary<string> = filterTextArb,
): fc.Arbitrary<RawOperation> {
  return fc.constantFrom<'display' | 'type' | '$ref'>('display', 'type', '$ref').chain((sub) =>
    fc.oneof(
      fc
        .constantFrom<'add' | 'replace'>('add', 'replace')
        .chain((op) => operation(opNameArb(op), membersFilterSubPathArb(sub, filterText), subAttributeValueArb(sub))),
      operation(opNameArb('replace'), membersFilterSubPathArb(sub, filterText), fc.constant(null)),
      operation(opNameArb('remove'), membersFilterSubPathArb(sub, filterText), undefined),
    ),
  );
}

/** An object of member sub-attributes for `members[filter]`: strings set them, nulls clear them. */
const memberUpdateObjectArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      display: fc.option(fc.oneof(displayArb, fc.constant(null)), { nil: undefined }),
      type: fc.option(fc.oneof(memberTypeArb, fc.constant(null)), { nil: undefined }),
      $ref: fc.option(fc.oneof(memberValueArb.map(refOf), fc.constant(null)), { nil: undefined }),
    },
    { noNullPrototype: true },
  )
  .map((update) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(update)) if (v !== undefined) out[k] = v;
    return out;
  });

/** `add`/`replace` `members[filter]` with an object of sub-attributes. */
export function updateMembersObjectOpArb(
  filterText: fc.Arbitrary<string> = filterTextArb,
): fc.Arbitrary<RawOperation> {
  return fc
    .constantFrom<'add' | 'replace'>('add', 'replace')
    .chain((op) => operation(opNameArb(op), membersFilterPathArb(filterText), memberUpdateObjectArb));
}

/** `replace members[filter].value` (only valid when it repeats the member's own value). */
export const replaceMemberValueOpArb: fc.Arbitrary<RawOperation> = memberValueArb.chain((v) =>
  operation(opNameArb('replace'), membersFilterSubPathArb('value', valueEqChainArb([v])), fc.oneof(fc.constant(v), memberValueArb)),
);

/** `replace members.display` (no filter): every member. */
export const updateAllMembersOpArb: fc.Arbitrary<RawOperation> = fc
  .constantFrom<'display' | 'type'>('display', 'type')
  .chain((sub) =>
    operation(
      opNameArb('replace'),
      fc.tuple(attributeNameArb('members'), spell(sub)).map(([m, s]) => `${m}.${s}`),
      subAttributeValueArb(sub),
    ),
  );

/** Read-only attributes that Okta, authentik, AWS and Huawei echo in pathless values. */
const readOnlyEntriesArb: fc.Arbitrary<[string, unknown][]> = fc
  .subarray(['id', 'meta', 'schemas'])
  .map((keys) =>
    keys.map((key): [string, unknown] =>
      key === 'id'
        ? ['id', 'some-other-id']
        : key === 'meta'
          ? ['meta', { resourceType: 'Group', lastModified: '1999-01-01T00:00:00.000Z' }]
          : ['schemas', [GROUP_SCHEMA]],
    ),
  );

/** The object of a pathless `add` or `replace`. */
export function pathlessValueArb(op: 'add' | 'replace'): fc.Arbitrary<Record<string, unknown>> {
  const entry = <T>(name: 'displayName' | 'externalId' | 'members', valueArb: fc.Arbitrary<T>) =>
    fc.option(fc.tuple(attributeNameArb(name), valueArb), { nil: undefined });
  const membersArb: fc.Arbitrary<unknown> =
    op === 'add'
      ? memberListArb().chain(membersValueArb)
      : fc.oneof({ weight: 4, arbitrary: memberListArb().chain(membersValueArb) }, { weight: 1, arbitrary: fc.constant(null) });
  const externalIdValueArb: fc.Arbitrary<unknown> =
    op === 'add' ? externalIdArb : fc.oneof(externalIdArb, fc.constant(null));
  return fc
    .record(
      {
        displayName: entry('displayName', groupDisplayNameArb),
        externalId: entry('externalId', externalIdValueArb),
        members: entry('members', membersArb),
        readOnly: readOnlyEntriesArb,
        nested: fc.option(fc.tuple(spell('displayName'), groupDisplayNameArb), { nil: undefined, freq: 5 }),
        shuffle: fc.boolean(),
      },
      { noNullPrototype: true },
    )
    .map(({ displayName, externalId, members, readOnly, nested, shuffle }) => {
      const pairs: [string, unknown][] = [...readOnly];
      for (const pair of [displayName, externalId, members]) if (pair !== undefined) pairs.push(pair);
      // The bare Group URN names an object holding core attributes.
      if (nested !== undefined) pairs.push([GROUP_SCHEMA, { [nested[0]]: nested[1] }]);
      if (shuffle) pairs.reverse();
      return Object.fromEntries(pairs);
    });
}

/** Okta's and Entra's pathless `add`/`replace` (including echoed `id`, `meta`, `schemas`). */
export const pathlessOpArb: fc.Arbitrary<RawOperation> = fc
  .constantFrom<'add' | 'replace'>('add', 'replace')
  .chain((op) => operation(opNameArb(op), undefined, pathlessValueArb(op)));

/**
 * Any operation the validator accepts (under the default options). Some of them can still fail
 * when applied: `replace members[filter]` matching nothing is `noTarget`, and changing a member's
 * `value` is `mutability`.
 */
export const validOperationArb: fc.Arbitrary<RawOperation> = fc.oneof(
  { weight: 2, arbitrary: setDisplayNameOpArb },
  { weight: 2, arbitrary: externalIdOpArb },
  { weight: 4, arbitrary: addMembersOpArb },
  { weight: 2, arbitrary: replaceMembersOpArb },
  { weight: 1, arbitrary: removeAllMembersOpArb },
  { weight: 3, arbitrary: removeMembersByValueOpArb },
  { weight: 3, arbitrary: removeMembersWhereOpArb },
  { weight: 2, arbitrary: updateMemberSubAttributeOpArb() },
  { weight: 1, arbitrary: updateMembersObjectOpArb() },
  { weight: 1, arbitrary: replaceMemberValueOpArb },
  { weight: 1, arbitrary: updateAllMembersOpArb },
  { weight: 3, arbitrary: pathlessOpArb },
);

/**
 * Only `replace` operations whose effect does not depend on the state they are applied to in a
 * way that would make a second application differ: member filters select on `value` only, so
 * the second application matches the same members.
 */
export const replaceOperationArb: fc.Arbitrary<RawOperation> = (() => {
  const valueFilterText: fc.Arbitrary<string> = fc.oneof(
    fc.array(memberValueArb, { minLength: 1, maxLength: 3 }).chain(valueEqChainArb),
    fc.tuple(spell('value'), spell('sw')).map(([v, sw]) => `${v} ${sw} "u"`),
  );
  const replaceOnly = (arb: fc.Arbitrary<RawOperation>): fc.Arbitrary<RawOperation> =>
    arb.filter((raw) => Object.entries(raw).some(([k, v]) => k.toLowerCase() === 'op' && String(v).toLowerCase() === 'replace'));
  return fc.oneof(
    replaceOnly(setDisplayNameOpArb),
    replaceOnly(externalIdOpArb),
    replaceMembersOpArb,
    replaceOnly(updateMemberSubAttributeOpArb(valueFilterText)),
    replaceOnly(updateMembersObjectOpArb(valueFilterText)),
    updateAllMembersOpArb,
    operation(opNameArb('replace'), undefined, pathlessValueArb('replace')),
  );
})();

/** Only operations on `displayName` (a rename). */
export const renameOperationArb: fc.Arbitrary<RawOperation> = fc.oneof(
  setDisplayNameOpArb,
  fc
    .tuple(fc.constantFrom<'add' | 'replace'>('add', 'replace'), attributeNameArb('displayName'), groupDisplayNameArb)
    .chain(([op, key, name]) => operation(opNameArb(op), undefined, fc.constant({ [key]: name }))),
);

/** A PATCH body around some operations; `schemas` sometimes missing, `Operations` sometimes in other case. */
export function requestOf(operationsArb: fc.Arbitrary<readonly unknown[]>): fc.Arbitrary<RawRequest> {
  return fc
    .record(
      {
        schemas: fc.oneof(
          { weight: 6, arbitrary: fc.constant<string[] | undefined>([PATCH_OP_SCHEMA]) },
          { weight: 1, arbitrary: fc.constant<string[] | undefined>(undefined) },
          { weight: 1, arbitrary: fc.constant<string[] | undefined>([PATCH_OP_SCHEMA.toUpperCase()]) },
          { weight: 1, arbitrary: fc.constant<string[] | undefined>([GROUP_SCHEMA, PATCH_OP_SCHEMA]) },
        ),
        operationsKey: fc.oneof({ weight: 6, arbitrary: fc.constant('Operations') }, { weight: 1, arbitrary: fc.mixedCase(fc.constant('Operations')) }),
        operations: operationsArb,
      },
      { noNullPrototype: true },
    )
    .map(({ schemas, operationsKey, operations }) => {
      const body: RawRequest = {};
      if (schemas !== undefined) body.schemas = schemas;
      body[operationsKey] = [...operations];
      return body;
    });
}

/** A PATCH body of 0 to `maxLength` valid operations. */
export function validRequestArb(maxLength = 5): fc.Arbitrary<RawRequest> {
  return requestOf(fc.array(validOperationArb, { maxLength }));
}

// ---------------------------------------------------------------------------------------------
// Invalid operations
// ---------------------------------------------------------------------------------------------

/** An operation that must be rejected, and the `scimType`s it may be rejected with. */
export interface InvalidOperation {
  readonly operation: unknown;
  readonly scimTypes: readonly ScimType[];
}

const invalid = (scimTypes: readonly ScimType[], operations: readonly unknown[]): fc.Arbitrary<InvalidOperation> =>
  fc.constantFrom(...operations).map((operation) => ({ operation: structuredClone(operation), scimTypes }));

const PATH_OR_FILTER: readonly ScimType[] = ['invalidPath', 'invalidFilter'];

/**
 * Operations that every server must reject, whatever comes before or after them. Under the
 * default options each is a 400 with one of the listed `scimType`s.
 */
export const invalidOperationArb: fc.Arbitrary<InvalidOperation> = fc.oneof(
  // Not an operation / unknown op (policy 6).
  invalid(['invalidSyntax'], [
    'add',
    42,
    null,
    [],
    [{ op: 'add', path: 'members', value: [] }],
    { path: 'members', value: [] },
    { op: 'copy', path: 'members', value: [] },
    { op: 'Adds', path: 'displayName', value: 'x' },
    { op: '', path: 'displayName', value: 'x' },
    { op: 1, path: 'displayName', value: 'x' },
    { op: null, path: 'displayName', value: 'x' },
    { op: 'test', path: 'displayName', value: 'x' },
    { op: 'add', Op: 'add', path: 'displayName', value: 'x' },
    { op: 'add', path: 'displayName', Path: 'displayName', value: 'x' },
  ]),
  // add/replace without value (policy 7).
  invalid(['invalidValue'], [
    { op: 'add', path: 'members' },
    { op: 'Replace', path: 'displayName' },
    { op: 'add' },
    { op: 'replace', path: 'members[value eq "u1"].display' },
  ]),
  // remove without path (policy 8).
  invalid(['noTarget'], [
    { op: 'remove' },
    { op: 'Remove', value: [{ value: 'u1' }] },
    { op: 'remove', path: null, value: [{ value: 'u1' }] },
  ]),
  // Path that is not a string.
  invalid(['invalidPath'], [
    { op: 'add', path: 5, value: 'x' },
    { op: 'remove', path: ['members'] },
    { op: 'replace', path: { members: true }, value: 'x' },
    { op: 'remove', path: true },
  ]),
  // Malformed paths and filters (policy 9).
  invalid(PATH_OR_FILTER, [
    { op: 'remove', path: '' },
    { op: 'remove', path: ' members' },
    { op: 'remove', path: 'members ' },
    { op: 'remove', path: 'members[' },
    { op: 'remove', path: 'members]' },
    { op: 'remove', path: 'members[]' },
    { op: 'remove', path: 'members[value eq "u1"' },
    { op: 'remove', path: 'members[value eq "u1"]x' },
    { op: 'remove', path: 'members[value eq "u1"].' },
    { op: 'remove', path: 'members[value eq "u1"]..display' },
    { op: 'remove', path: 'members..display' },
    { op: 'remove', path: 'members.' },
    { op: 'remove', path: '.members' },
    { op: 'remove', path: '1members' },
    { op: 'remove', path: 'members.display[value eq "u1"]' },
    { op: 'remove', path: 'members[value eq]' },
    { op: 'remove', path: 'members[value]' },
    { op: 'remove', path: 'members[value xx "u1"]' },
    { op: 'remove', path: 'members[value eq "u1" and]' },
    { op: 'remove', path: 'members[value eq "u1" or or value eq "u2"]' },
    { op: 'remove', path: 'members[(value eq "u1"]' },
    { op: 'remove', path: 'members[value eq "u1")]' },
    { op: 'remove', path: 'members[value eq "unterminated]' },
    { op: 'remove', path: 'members[value eq "bad \\x escape"]' },
    { op: 'remove', path: 'members[value eq u1]' },
    { op: 'remove', path: 'members[value eq 01]' },
    { op: 'remove', path: 'members[value sw 5]' },
    { op: 'remove', path: 'members[display co true]' },
    { op: 'remove', path: 'members[value gt null]' },
    { op: 'remove', path: 'members[not value eq "u1"]' },
    { op: 'remove', path: 'members[emails[type eq "work"]]' },
    { op: 'remove', path: 'members[foo eq "x"]' },
    { op: 'remove', path: 'members[members.value eq "x"]' },
    { op: 'remove', path: 'members[urn:x:value eq "x"]' },
    { op: 'replace', path: 'members[value eq "u1"]].display', value: 'x' },
    { op: 'remove', path: `members[${'('.repeat(40)}value eq "u1"${')'.repeat(40)}]` },
    { op: 'remove', path: `members[value eq "${'x'.repeat(5000)}"]` },
  ]),
  // Unknown attributes, schemas and sub-attributes (policy 10).
  invalid(['invalidPath'], [
    { op: 'add', path: 'name', value: 'x' },
    { op: 'replace', path: 'userName', value: 'x' },
    { op: 'remove', path: 'foo' },
    { op: 'add', path: 'urn:ietf:params:scim:schemas:core:2.0:User:displayName', value: 'x' },
    { op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:members', value: [] },
    { op: 'remove', path: 'members.foo' },
    { op: 'remove', path: 'members[value eq "u1"].foo' },
    { op: 'replace', path: 'displayName.value', value: 'x' },
    { op: 'replace', path: 'displayName[value eq "x"]', value: 'x' },
    { op: 'replace', path: 'externalId[value eq "x"]', value: 'x' },
    { op: 'add', value: { name: 'x' } },
    { op: 'replace', value: { displayName: 'x', 'urn:example:other:attr': 1 } },
    { op: 'add', value: { 'urn:ietf:params:scim:schemas:core:2.0:User:displayName': 'x' } },
  ]),
  // Read-only and required attributes (policies 12, 14, 27).
  invalid(['mutability'], [
    { op: 'replace', path: 'id', value: 'x' },
    { op: 'remove', path: 'ID' },
    { op: 'replace', path: 'meta', value: {} },
    { op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' },
    { op: 'add', path: 'schemas', value: [GROUP_SCHEMA] },
    { op: 'add', path: 'urn:ietf:params:scim:schemas:core:2.0:Group:id', value: 'x' },
    { op: 'remove', path: 'displayName' },
    { op: 'remove', path: 'urn:ietf:params:scim:schemas:core:2.0:Group:DisplayName' },
    { op: 'replace', path: 'displayName', value: null },
    { op: 'replace', value: { displayName: null } },
    { op: 'remove', path: 'members.value' },
    { op: 'remove', path: 'members[value eq "u1"].value' },
  ]),
  // Bad values (policies 11, 19, 26).
  invalid(['invalidValue'], [
    { op: 'replace', path: 'displayName', value: '' },
    { op: 'add', path: 'displayName', value: 42 },
    { op: 'replace', path: 'displayName', value: ['x'] },
    { op: 'replace', path: 'displayName', value: { value: 'x' } },
    { op: 'add', path: 'externalId', value: null },
    { op: 'replace', path: 'externalId', value: '' },
    { op: 'replace', path: 'externalId', value: 7 },
    { op: 'add', path: 'members', value: 'u1' },
    { op: 'add', path: 'members', value: ['u1'] },
    { op: 'add', path: 'members', value: [{}] },
    { op: 'add', path: 'members', value: [{ value: '' }] },
    { op: 'add', path: 'members', value: [{ value: 5 }] },
    { op: 'add', path: 'members', value: [{ value: null }] },
    { op: 'add', path: 'members', value: [{ value: 'u1' }, { display: 'no value' }] },
    { op: 'add', path: 'members', value: [{ value: 'u1', display: 5 }] },
    { op: 'add', path: 'members', value: [{ value: 'u1', $ref: {} }] },
    { op: 'add', path: 'members', value: null },
    { op: 'add', path: 'members', value: 42 },
    { op: 'add', path: 'members', value: true },
    { op: 'add', path: 'members', value: { members: 'u1' } },
    { op: 'add', path: 'members', value: { members: [{ value: 'u1' }, 'u2'] } },
    { op: 'replace', path: 'members', value: 'u1' },
    { op: 'replace', path: 'members', value: [{ value: ['u1'] }] },
    { op: 'remove', path: 'members', value: 'u1' },
    { op: 'remove', path: 'members', value: ['u1'] },
    { op: 'remove', path: 'members', value: [{}] },
    { op: 'remove', path: 'members', value: {} },
    { op: 'add', path: 'members[value eq "u1"]', value: null },
    { op: 'add', path: 'members[value eq "u1"]', value: 'Alice' },
    { op: 'replace', path: 'members[value eq "u1"]', value: ['x'] },
    { op: 'replace', path: 'members[value eq "u1"].display', value: 5 },
    { op: 'replace', path: 'members[value eq "u1"].value', value: '' },
    { op: 'replace', path: 'members[value eq "u1"].value', value: null },
    { op: 'replace', path: 'members[value eq "u1"]', value: { value: 5 } },
    { op: 'replace', path: 'members[value eq "u1"]', value: { display: 5 } },
    { op: 'add', value: 'displayName' },
    { op: 'add', value: [{ displayName: 'x' }] },
    { op: 'replace', value: 42 },
    { op: 'replace', value: null },
    { op: 'replace', value: { displayName: '' } },
    { op: 'replace', value: { members: 'u1' } },
    { op: 'add', value: { members: null } },
    { op: 'add', value: { externalId: null } },
    { op: 'add', value: { [GROUP_SCHEMA]: 'x' } },
    { op: 'add', value: { [GROUP_SCHEMA]: { [GROUP_SCHEMA]: { displayName: 'x' } } } },
  ]),
);

/** Paths that are broken in one way or another, plus random strings. */
export const brokenPathArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'members[',
    'members[value eq "u1"',
    'members[value eq]',
    'members]]',
    'members[value eq "u1"]]',
    'members[[value eq "u1"]]',
    'members[value eq "u1"].display.type',
    'members..value',
    'members[value eq "\\u12"]',
    'members[value eq "\\uZZZZ"]',
    'members[value eq -]',
    'members[value eq 1e]',
    'members[value eq 1.]',
    'members[$ref eq "x"].$',
    'urn:ietf:params:scim:schemas:core:2.0:Group:',
    'urn:ietf:params:scim:schemas:core:2.0:Group',
    ':members',
    'members[value eq "u1"] ',
    '__proto__',
    'constructor',
    'members[__proto__ eq "x"]',
    'members.__proto__',
    'members[value eq "u1"].constructor',
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ maxLength: 12 }).map((s) => `members[${s}]`),
  fc.string({ maxLength: 12 }).map((s) => `members[value eq ${s}]`),
);

/** Values of the wrong type for wherever they end up. */
const wrongValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc
    .constantFrom<unknown>('', 0, -0, true, false, null, [], {}, [[]], [null], [{ value: '' }], { value: {} }, { members: {} })
    .map((value) => structuredClone(value)),
);

/**
 * Operations that are probably invalid: the curated ones, random JSON, operations with a broken
 * path, and operation-shaped objects with random parts.
 */
export const probablyInvalidOperationArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: invalidOperationArb.map((i) => i.operation) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 3,
    arbitrary: fc
      .record(
        {
          op: fc.oneof(opNameArb('add'), opNameArb('remove'), opNameArb('replace'), fc.jsonValue({ maxDepth: 1 })),
          path: fc.option(fc.oneof(brokenPathArb, attributeNameArb('members'), membersFilterPathArb(), fc.jsonValue({ maxDepth: 1 })), { nil: undefined }),
          value: fc.option(wrongValueArb, { nil: undefined }),
        },
        { noNullPrototype: true },
      )
      .map(({ op, path, value }) => {
        const raw: RawOperation = { op };
        if (path !== undefined) raw.path = path;
        if (value !== undefined) raw.value = value;
        return raw;
      }),
  },
  // Prototype-looking keys, as `JSON.parse` produces them (own properties).
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      JSON.parse('{"op":"add","value":{"__proto__":{"displayName":"x"}}}') as unknown,
      JSON.parse('{"op":"add","path":"members","value":[{"value":"u1","__proto__":{"value":"u2"}}]}') as unknown,
      JSON.parse('{"__proto__":{"op":"add","path":"displayName","value":"x"}}') as unknown,
      JSON.parse('{"op":"replace","value":{"constructor":{"prototype":{"polluted":true}}}}') as unknown,
    ).map((operation) => structuredClone(operation)),
  },
);

/** A body with at least one probably-invalid operation among valid ones. */
export const probablyInvalidRequestArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: requestOf(fc.array(fc.oneof(validOperationArb, probablyInvalidOperationArb), { minLength: 1, maxLength: 4 })) },
  // Broken envelopes.
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom<unknown>(
        {},
        { schemas: [PATCH_OP_SCHEMA] },
        { schemas: [PATCH_OP_SCHEMA], Operations: {} },
        { schemas: [PATCH_OP_SCHEMA], Operations: 'add' },
        { schemas: [PATCH_OP_SCHEMA], Operations: null },
        { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], Operations: [] },
        { schemas: PATCH_OP_SCHEMA, Operations: [] },
        { schemas: [], Operations: [] },
        { schemas: [PATCH_OP_SCHEMA, 5], Operations: [] },
        { schemas: [PATCH_OP_SCHEMA], Operations: [], operations: [] },
        { schemas: ['urn:scim:schemas:core:1.0'], displayName: 'x', members: [{ value: 'u1' }] },
      ).map((body) => structuredClone(body)),
      fc.record({ schemas: wrongValueArb, Operations: fc.array(validOperationArb, { maxLength: 2 }) }, { noNullPrototype: true }),
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// Group-dependent arbitraries: no-op requests, new members
// ---------------------------------------------------------------------------------------------

/** Values of `group` (exact). */
function valuesOf(group: Group): Set<string> {
  return new Set((group.members ?? []).map((m) => m.value));
}

/** A value not in the group (exact comparison, the default member identity). */
export function absentValueArb(group: Group): fc.Arbitrary<string> {
  const present = valuesOf(group);
  return memberValueArb.map((v) => (present.has(v) ? `${v}-absent` : v));
}

/** Members whose values are not in the group, unique by value, at least one. */
export function newMembersArb(group: Group, maxLength = 4): fc.Arbitrary<GroupMember[]> {
  return fc.uniqueArray(memberWithValueArb(absentValueArb(group)), {
    selector: (m) => m.value,
    minLength: 1,
    maxLength,
  });
}

/** `add` of a list of members: path `members`, or pathless `{members: [...]}`. */
export function addMembersOperationArb(members: readonly GroupMember[]): fc.Arbitrary<RawOperation> {
  return fc.oneof(
    operation(opNameArb('add'), attributeNameArb('members'), membersValueArb(members)),
    fc
      .tuple(attributeNameArb('members'), membersValueArb(members))
      .chain(([key, value]) => operation(opNameArb('add'), undefined, fc.constant({ [key]: value }))),
  );
}

/**
 * Operations removing exactly the members with these values (at least one value): Entra's value
 * array, `{members: [...]}`, `members[value eq "a" or value eq "b"]`, or one
 * `members[value eq "x"]` per value.
 */
export function removeValuesOperationsArb(values: readonly string[]): fc.Arbitrary<RawOperation[]> {
  return fc.oneof(
    operation(opNameArb('remove'), attributeNameArb('members'), removeValuesValueArb(values)).map((op) => [op]),
    operation(opNameArb('remove'), membersFilterPathArb(valueEqChainArb(values)), undefined).map((op) => [op]),
    fc.tuple(
      ...values.map((v) => operation(opNameArb('remove'), membersFilterPathArb(valueEqChainArb([v])), undefined)),
    ),
  );
}

/**
 * A request that changes nothing on `group` (under the default options): any sequence of
 * re-adding existing members, removing absent values, filters that match nothing, setting
 * displayName/externalId to their current value, replacing the members by the same list,
 * setting member sub-attributes to their current value, adding and removing a new member,
 * removing and re-adding a member as it is, and pathless values holding only read-only keys.
 */
export function noopRequestArb(group: Group): fc.Arbitrary<RawRequest> {
  const members = group.members ?? [];
  const pieces: fc.Arbitrary<RawOperation[]>[] = [];

  // Remove values that are not there, or filters that match nobody.
  pieces.push(
    fc
      .uniqueArray(absentValueArb(group), { minLength: 1, maxLength: 3 })
      .chain((values) => removeValuesOperationsArb(values)),
    operation(
      opNameArb('remove'),
      membersFilterPathArb(
        fc.constantFrom('not (value pr)', 'display eq "nobody has this name"', 'value eq "u1" and value eq "u2"', 'type eq 42'),
      ),
      undefined,
    ).map((op) => [op]),
    // Entra's remove with an empty list or null never means "remove all".
    operation(opNameArb('remove'), attributeNameArb('members'), fc.oneof(removeValuesValueArb([]), fc.constant(null))).map(
      (op) => [op],
    ),
  );

  // displayName set to its current value.
  pieces.push(
    fc
      .constantFrom<'add' | 'replace'>('add', 'replace')
      .chain((op) =>
        fc.oneof(
          operation(opNameArb(op), attributeNameArb('displayName'), fc.constant(group.displayName)),
          attributeNameArb('displayName').chain((key) =>
            operation(opNameArb(op), undefined, fc.constant({ [key]: group.displayName })),
          ),
        ),
      )
      .map((op) => [op]),
  );

  // externalId set to its current value, or removed when there is none.
  const externalId = group.externalId;
  if (externalId === undefined) {
    pieces.push(
      fc
        .oneof(
          operation(opNameArb('remove'), attributeNameArb('externalId'), undefined),
          operation(opNameArb('replace'), attributeNameArb('externalId'), fc.constant(null)),
          attributeNameArb('externalId').chain((key) => operation(opNameArb('replace'), undefined, fc.constant({ [key]: null }))),
        )
        .map((op) => [op]),
    );
  } else {
    pieces.push(
      fc
        .constantFrom<'add' | 'replace'>('add', 'replace')
        .chain((op) =>
          fc.oneof(
            operation(opNameArb(op), attributeNameArb('externalId'), fc.constant(externalId)),
            attributeNameArb('externalId').chain((key) => operation(opNameArb(op), undefined, fc.constant({ [key]: externalId }))),
          ),
        )
        .map((op) => [op]),
    );
  }

  // Replace the members by the very same list (in any order, spelled any way).
  if (members.length === 0) {
    pieces.push(
      fc
        .oneof(
          removeAllMembersOpArb,
          operation(opNameArb('replace'), attributeNameArb('members'), fc.oneof(membersValueArb([]), fc.constant(null))),
          operation(opNameArb('replace'), undefined, fc.constant({ members: [] })),
        )
        .map((op) => [op]),
    );
  } else {
    pieces.push(
      fc
        .shuffledSubarray([...members], { minLength: members.length, maxLength: members.length })
        .chain((same) =>
          fc.oneof(
            operation(opNameArb('replace'), attributeNameArb('members'), membersValueArb(same)),
            fc
              .tuple(attributeNameArb('members'), membersValueArb(same))
              .chain(([key, value]) => operation(opNameArb('replace'), undefined, fc.constant({ [key]: value }))),
          ),
        )
        .map((op) => [op]),
    );
  }

  // A new member added and removed again, in the same request.
  pieces.push(
    newMembersArb(group, 2).chain((added) =>
      fc
        .tuple(addMembersOperationArb(added), removeValuesOperationsArb(added.map((m) => m.value)))
        .map(([add, removes]) => [add, ...removes]),
    ),
  );

  if (members.length > 0) {
    const memberArbOfGroup = fc.constantFrom(...members);
    // Re-adding existing members is a no-op, whatever the request says about them.
    pieces.push(
      fc
        .shuffledSubarray([...members], { minLength: 1 })
        .chain((some) => fc.tuple(...some.map((m) => memberWithValueArb(fc.constant(m.value)))))
        .chain((again) => addMembersOperationArb(again))
        .map((op) => [op]),
    );
    // Removing a member and adding it back exactly as it is.
    pieces.push(
      memberArbOfGroup.chain((m) =>
        fc
          .tuple(removeValuesOperationsArb([m.value]), addMembersOperationArb([m]))
          .map(([removes, add]) => [...removes, add]),
      ),
    );
    // Setting a member's sub-attribute to what it already is (or clearing one it does not have).
    pieces.push(
      fc
        .tuple(memberArbOfGroup, fc.constantFrom<'display' | 'type' | '$ref'>('display', 'type', '$ref'))
        .chain(([m, sub]) => {
          const current = m[sub];
          const path = membersFilterSubPathArb(sub, valueEqChainArb([m.value]));
          return current === undefined
            ? fc.oneof(
                operation(opNameArb('replace'), path, fc.constant(null)),
                operation(opNameArb('remove'), path, undefined),
              )
            : fc
                .constantFrom<'add' | 'replace'>('add', 'replace')
                .chain((op) =>
                  fc.oneof(
                    operation(opNameArb(op), path, fc.constant(current)),
                    operation(
                      opNameArb(op),
                      membersFilterPathArb(valueEqChainArb([m.value])),
                      fc.constant({ [sub]: current, value: m.value }),
                    ),
                  ),
                );
        })
        .map((op) => [op]),
    );
  }

  // Pathless values holding only read-only attributes (or nothing).
  pieces.push(
    fc
      .tuple(fc.constantFrom<'add' | 'replace'>('add', 'replace'), readOnlyEntriesArb)
      .chain(([op, entries]) => operation(opNameArb(op), undefined, fc.constant(Object.fromEntries(entries))))
      .map((op) => [op]),
  );

  return requestOf(fc.array(fc.oneof(...pieces), { maxLength: 5, size: 'max' }).map((groups) => groups.flat()));
}

// ---------------------------------------------------------------------------------------------
// Member operations with their meaning, for the model-based test
// ---------------------------------------------------------------------------------------------

/** A member operation, as the reference model understands it. */
export type ModelOperation =
  | { readonly kind: 'add'; readonly members: readonly GroupMember[] }
  | { readonly kind: 'removeValues'; readonly values: readonly string[] }
  | { readonly kind: 'removeAll' }
  | { readonly kind: 'replaceAll'; readonly members: readonly GroupMember[] }
  | { readonly kind: 'removeValueEq'; readonly values: readonly string[] }
  | { readonly kind: 'removeWhere'; readonly filter: FilterAst }
  | {
      readonly kind: 'update';
      /** `null`: every member (`members.display`). */
      readonly filter: FilterAst | null;
      readonly attribute: 'display' | 'type' | '$ref';
      /** `null` removes the sub-attribute. */
      readonly value: string | null;
      /** A filter that matches no member fails the request with `noTarget`. */
      readonly requireMatch: boolean;
    };

/** A model operation together with one way a client may send it. */
export interface EncodedModelOperation {
  readonly model: ModelOperation;
  readonly raw: RawOperation;
}

/** Member values in case variants too (`u1`, `U1`), for the case-insensitive identity option. */
export const caseVariantValueArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: memberValueArb },
  { weight: 1, arbitrary: memberValueArb.map((v) => v.toUpperCase()) },
);

/**
 * Member operations with their meaning: add, remove by values (Entra), remove all, replace all,
 * remove by `value eq` filters and, with `withFilters`, remove by any filter and set/clear a
 * sub-attribute of the members a filter matches.
 */
export function modelOperationArbWith(
  valueArb: fc.Arbitrary<string>,
  withFilters: boolean,
): fc.Arbitrary<EncodedModelOperation> {
  const listArb = fc.array(memberWithValueArb(valueArb), { maxLength: 4 });
  const basic: fc.WeightedArbitrary<EncodedModelOperation>[] = [
    {
      weight: 4,
      arbitrary: listArb.chain((members) =>
        addMembersOperationArb(members).map((raw) => ({ model: { kind: 'add' as const, members }, raw })),
      ),
    },
    {
      weight: 3,
      arbitrary: fc
        .array(valueArb, { maxLength: 4 })
        .chain((values) =>
          operation(opNameArb('remove'), attributeNameArb('members'), removeValuesValueArb(values)).map((raw) => ({
            model: { kind: 'removeValues' as const, values },
            raw,
          })),
        ),
    },
    {
      weight: 1,
      arbitrary: removeAllMembersOpArb.map((raw) => ({ model: { kind: 'removeAll' as const }, raw })),
    },
    {
      weight: 2,
      arbitrary: listArb.chain((members) =>
        fc
          .oneof(
            operation(opNameArb('replace'), attributeNameArb('members'), membersValueArb(members)),
            fc
              .tuple(attributeNameArb('members'), membersValueArb(members))
              .chain(([key, value]) => operation(opNameArb('replace'), undefined, fc.constant({ [key]: value }))),
            ...(members.length === 0
              ? [operation(opNameArb('replace'), attributeNameArb('members'), fc.constant(null))]
              : []),
          )
          .map((raw) => ({ model: { kind: 'replaceAll' as const, members }, raw })),
      ),
    },
    {
      weight: 3,
      arbitrary: fc
        .array(valueArb, { minLength: 1, maxLength: 3 })
        .chain((values) =>
          operation(opNameArb('remove'), membersFilterPathArb(valueEqChainArb(values)), undefined).map((raw) => ({
            model: { kind: 'removeValueEq' as const, values },
            raw,
          })),
        ),
    },
  ];
  if (!withFilters) return fc.oneof(...basic);
  const subAttributeArb = fc.constantFrom<'display' | 'type' | '$ref'>('display', 'type', '$ref');
  const filtered: fc.WeightedArbitrary<EncodedModelOperation>[] = [
    {
      weight: 3,
      arbitrary: filterArb.chain((filter) =>
        operation(opNameArb('remove'), membersFilterPathArb(fc.constant(filter.text)), undefined).map((raw) => ({
          model: { kind: 'removeWhere' as const, filter },
          raw,
        })),
      ),
    },
    {
      // add/replace members[filter].sub = value: noTarget when nothing matches.
      weight: 3,
      arbitrary: fc
        .tuple(filterArb, subAttributeArb, fc.constantFrom<'add' | 'replace'>('add', 'replace'))
        .chain(([filter, attribute, op]) =>
          subAttributeValueArb(attribute).chain((value) =>
            operation(opNameArb(op), membersFilterSubPathArb(attribute, fc.constant(filter.text)), fc.constant(value)).map(
              (raw) => ({ model: { kind: 'update' as const, filter, attribute, value, requireMatch: true }, raw }),
            ),
          ),
        ),
    },
    {
      // replace members[filter] with an object of sub-attributes (one of them), also noTarget.
      weight: 1,
      arbitrary: fc
        .tuple(filterArb, subAttributeArb, fc.boolean())
        .chain(([filter, attribute, clear]) =>
          (clear ? fc.constant<string | null>(null) : subAttributeValueArb(attribute)).chain((value) =>
            operation(opNameArb('replace'), membersFilterPathArb(fc.constant(filter.text)), fc.constant({ [attribute]: value })).map(
              (raw) => ({ model: { kind: 'update' as const, filter, attribute, value, requireMatch: true }, raw }),
            ),
          ),
        ),
    },
    {
      // remove members[filter].sub: clears it; matching nothing is fine.
      weight: 2,
      arbitrary: fc
        .tuple(filterArb, subAttributeArb)
        .chain(([filter, attribute]) =>
          operation(opNameArb('remove'), membersFilterSubPathArb(attribute, fc.constant(filter.text)), undefined).map(
            (raw) => ({ model: { kind: 'update' as const, filter, attribute, value: null, requireMatch: false }, raw }),
          ),
        ),
    },
    {
      // replace members.sub (no filter): every member, however many.
      weight: 1,
      arbitrary: subAttributeArb.chain((attribute) =>
        subAttributeValueArb(attribute).chain((value) =>
          operation(
            opNameArb('replace'),
            fc.tuple(attributeNameArb('members'), spell(attribute)).map(([m, sub]) => `${m}.${sub}`),
            fc.constant(value),
          ).map((raw) => ({ model: { kind: 'update' as const, filter: null, attribute, value, requireMatch: false }, raw })),
        ),
      ),
    },
  ];
  return fc.oneof(...basic, ...filtered);
}

/** The five member operations of the basic model, with values from the short pool. */
export const modelOperationArb: fc.Arbitrary<EncodedModelOperation> = modelOperationArbWith(memberValueArb, false);
