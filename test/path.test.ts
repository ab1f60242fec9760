import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnyPath, parseValueEqPath } from '../src/path.js';
import { applyGroupPatch, parseFilter, parsePath, ScimError, type Filter, type ParsedPath } from '../src/index.js';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

function eq(name: string, value: string | number | boolean | null, operator = 'eq'): Filter {
  return { kind: 'compare', attribute: { name }, operator, value } as Filter;
}

function errorOf(run: () => unknown): { status: number; scimType: string | undefined } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    const e = error as ScimError;
    return { status: e.status, scimType: e.scimType };
  }
  throw new Error('expected a ScimError');
}

function detailOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    return (error as ScimError).detail;
  }
  throw new Error('expected a ScimError');
}

describe('parsePath: accepted paths', () => {
  const accepted: readonly [string, ParsedPath][] = [
    ['displayName', { attribute: 'displayName' }],
    ['DISPLAYNAME', { attribute: 'DISPLAYNAME' }],
    ['members', { attribute: 'members' }],
    ['externalId', { attribute: 'externalId' }],
    ['members.display', { attribute: 'members', subAttribute: 'display' }],
    ['members.$ref', { attribute: 'members', subAttribute: '$ref' }],
    ['name-with_dash9', { attribute: 'name-with_dash9' }],
    [`${GROUP}:displayName`, { uri: GROUP, attribute: 'displayName' }],
    [`${GROUP}:members.value`, { uri: GROUP, attribute: 'members', subAttribute: 'value' }],
    ['members[value eq "u1"]', { attribute: 'members', filter: eq('value', 'u1') }],
    [
      'members[value eq "u1"].display',
      { attribute: 'members', filter: eq('value', 'u1'), subAttribute: 'display' },
    ],
    [
      `${GROUP}:members[value eq "u1"].display`,
      { uri: GROUP, attribute: 'members', filter: eq('value', 'u1'), subAttribute: 'display' },
    ],
    // Quoted values may hold dots, colons, brackets, spaces and escaped quotes.
    ['members[value eq "a.b:c"]', { attribute: 'members', filter: eq('value', 'a.b:c') }],
    ['members[value eq "x]y[z"]', { attribute: 'members', filter: eq('value', 'x]y[z') }],
    ['members[display eq "Ann Lee"]', { attribute: 'members', filter: eq('display', 'Ann Lee') }],
    ['members[display eq "say \\"hi\\""]', { attribute: 'members', filter: eq('display', 'say "hi"') }],
    ['members[display eq "a\\\\b\\/c\\u00e9\\n"]', { attribute: 'members', filter: eq('display', 'a\\b/c\u00e9\n') }],
    ['members[display eq "\\b\\f\\r\\t"]', { attribute: 'members', filter: eq('display', '\b\f\r\t') }],
    ['members[ value   eq   "u1" ]', { attribute: 'members', filter: eq('value', 'u1') }],
    ['members[value EQ "u1"]', { attribute: 'members', filter: eq('value', 'u1') }],
    ['members[type pr]', { attribute: 'members', filter: { kind: 'present', attribute: { name: 'type' } } }],
    [
      'members[display sw "A" and type eq "User"]',
      {
        attribute: 'members',
        filter: { kind: 'and', filters: [eq('display', 'A', 'sw'), eq('type', 'User')] },
      },
    ],
  ];
  it.each(accepted)('%s', (path, expected) => {
    expect(parsePath(path)).toEqual(expected);
  });
});

describe('parsePath: rejected paths', () => {
  const rejected: readonly [string, 'invalidPath' | 'invalidFilter'][] = [
    ['', 'invalidPath'],
    [' displayName', 'invalidPath'],
    ['displayName ', 'invalidPath'],
    ['display Name', 'invalidPath'],
    ['.members', 'invalidPath'],
    ['members.', 'invalidPath'],
    ['members..value', 'invalidPath'],
    ['members.value.x', 'invalidPath'],
    ['1members', 'invalidPath'],
    ['__proto__', 'invalidPath'],
    ['__proto__.polluted', 'invalidPath'],
    ['members]', 'invalidPath'],
    ['members[value eq "a"]]', 'invalidPath'],
    ['members[value eq "a"]x', 'invalidPath'],
    ['members[value eq "a"].', 'invalidPath'],
    ['members[value eq "a"].display.x', 'invalidPath'],
    ['members.value[value eq "a"]', 'invalidPath'],
    [':displayName', 'invalidPath'],
    ['members/value', 'invalidPath'],
    ['members[', 'invalidPath'],
    ['members[value eq "a" and', 'invalidPath'],
    ['members[]', 'invalidFilter'],
    ['members[value eq "a"', 'invalidPath'],
    ['members[value eq]', 'invalidFilter'],
    ['members[value xx "a"]', 'invalidFilter'],
    ['members[value eq "a" and]', 'invalidFilter'],
    ['members[value eq "a" or or value eq "b"]', 'invalidFilter'],
    ['members[value eq "unterminated]', 'invalidFilter'],
    ['members[value eq "bad \\q escape"]', 'invalidFilter'],
    ['members[value eq "bad \\u12 escape"]', 'invalidFilter'],
    ['members[value eq \'single\']', 'invalidFilter'],
    ['members[value eq a]', 'invalidFilter'],
    ['members[(value eq "a"]', 'invalidFilter'],
    ['members[(value eq "a"', 'invalidPath'],
    ['members[value eq "a")]', 'invalidFilter'],
    ['members[not value eq "a"]', 'invalidFilter'],
    ['members[emails[type eq "work"]]', 'invalidFilter'],
    ['members[value co 1]', 'invalidFilter'],
    ['members[value gt true]', 'invalidFilter'],
    ['members[value lt null]', 'invalidFilter'],
    ['members[value eq 01]', 'invalidFilter'],
    ['members[value eq 1.]', 'invalidFilter'],
    ['members[value eq 1e]', 'invalidFilter'],
    ['members[value eq -]', 'invalidFilter'],
    ['members[value eq 12abc]', 'invalidFilter'],
    ['members[value eq "a" #]', 'invalidFilter'],
    ['members[urn:x: eq "a"]', 'invalidFilter'],
    ['members[value.x.y eq "a"]', 'invalidFilter'],
    ['members[:value eq "a"]', 'invalidFilter'],
  ];
  it.each(rejected)('%j is %s', (path, scimType) => {
    expect(errorOf(() => parsePath(path))).toEqual({ status: 400, scimType });
  });
});

describe('parseFilter: grammar', () => {
  it('parses every comparison operator, case-insensitively', () => {
    for (const operator of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']) {
      expect(parseFilter(`display ${operator.toUpperCase()} "x"`)).toEqual(eq('display', 'x', operator));
    }
  });

  it('parses true, false, null and JSON numbers as values', () => {
    expect(parseFilter('active eq true')).toEqual(eq('active', true));
    expect(parseFilter('active eq FALSE')).toEqual(eq('active', false));
    expect(parseFilter('manager eq null')).toEqual(eq('manager', null));
    expect(parseFilter('age gt -12.5e2')).toEqual(eq('age', -1250, 'gt'));
    expect(parseFilter('age ge 0')).toEqual(eq('age', 0, 'ge'));
  });

  it('gives not > and > or precedence, and flattens chains', () => {
    const a = eq('a', 1);
    const b = eq('b', 2);
    const c = eq('c', 3);
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual({
      kind: 'or',
      filters: [a, { kind: 'and', filters: [b, c] }],
    });
    expect(parseFilter('a eq 1 and b eq 2 or c eq 3')).toEqual({
      kind: 'or',
      filters: [{ kind: 'and', filters: [a, b] }, c],
    });
    expect(parseFilter('(a eq 1 or b eq 2) and c eq 3')).toEqual({
      kind: 'and',
      filters: [{ kind: 'or', filters: [a, b] }, c],
    });
    expect(parseFilter('a eq 1 or b eq 2 or c eq 3')).toEqual({ kind: 'or', filters: [a, b, c] });
    expect(parseFilter('not (a eq 1) and b eq 2')).toEqual({
      kind: 'and',
      filters: [{ kind: 'not', filter: a }, b],
    });
  });

  it('accepts not with and without a space, in any case', () => {
    const expected = { kind: 'not', filter: eq('a', 1) };
    expect(parseFilter('not (a eq 1)')).toEqual(expected);
    expect(parseFilter('not(a eq 1)')).toEqual(expected);
    expect(parseFilter('NOT(a eq 1)')).toEqual(expected);
  });

  it('keeps attribute paths with URN and sub-attribute', () => {
    expect(parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"')).toEqual({
      kind: 'compare',
      attribute: {
        uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
        name: 'manager',
        subAttribute: 'value',
      },
      operator: 'eq',
      value: 'm',
    });
  });

  it('parses a nested value path (filters, not PATCH paths)', () => {
    expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toEqual({
      kind: 'valuePath',
      attribute: { name: 'emails' },
      filter: { kind: 'and', filters: [eq('type', 'work'), eq('value', '@example.com', 'co')] },
    });
  });

  it('lets an attribute be called like a keyword where position makes it one', () => {
    expect(parseFilter('not eq "x"')).toEqual(eq('not', 'x'));
    expect(parseFilter('and pr')).toEqual({ kind: 'present', attribute: { name: 'and' } });
  });

  it('rejects trailing tokens and empty input', () => {
    expect(errorOf(() => parseFilter(''))).toEqual({ status: 400, scimType: 'invalidFilter' });
    expect(errorOf(() => parseFilter('a eq 1 b'))).toEqual({ status: 400, scimType: 'invalidFilter' });
    expect(errorOf(() => parseFilter('a eq 1 ]'))).toEqual({ status: 400, scimType: 'invalidFilter' });
    expect(errorOf(() => parseFilter('a eq "\u0001"'))).toEqual({ status: 400, scimType: 'invalidFilter' });
  });
});

describe('parser limits', () => {
  it('rejects nesting deeper than the limit without recursing', () => {
    const deep = `${'('.repeat(100_000)}a eq 1${')'.repeat(100_000)}`;
    expect(errorOf(() => parseFilter(deep, { maxLength: 1_000_000 }))).toEqual({
      status: 400,
      scimType: 'invalidFilter',
    });
    const nots = `${'not('.repeat(40)}a pr${')'.repeat(40)}`;
    expect(errorOf(() => parseFilter(nots))).toEqual({ status: 400, scimType: 'invalidFilter' });
    expect(parseFilter(nots, { maxDepth: 40 }).kind).toBe('not');
  });

  it('rejects input longer than the limit', () => {
    expect(errorOf(() => parsePath(`members[value eq "${'x'.repeat(5000)}"]`))).toEqual({
      status: 400,
      scimType: 'invalidPath',
    });
    expect(parsePath('displayName', { maxLength: 11 }).attribute).toBe('displayName');
    expect(errorOf(() => parsePath('displayName', { maxLength: 10 })).scimType).toBe('invalidPath');
  });

  it('handles a long flat or-chain without deep recursion', () => {
    const chain = Array.from({ length: 2000 }, (_, i) => `value eq "u${String(i)}"`).join(' or ');
    const filter = parseFilter(chain, { maxLength: 100_000 });
    expect(filter.kind).toBe('or');
    expect(filter.kind === 'or' && filter.filters.length).toBe(2000);
  });
});

describe('parser hardening', () => {
  it('caps the depth limit at 256 whatever the caller asks, so input cannot exhaust the stack', () => {
    const deep = `members[${'('.repeat(3000)}value eq "u1"${')'.repeat(3000)}]`;
    expect(errorOf(() => parsePath(deep, { maxLength: 1e7, maxDepth: 3000 }))).toEqual({ status: 400, scimType: 'invalidFilter' });
    const ok = `members[${'('.repeat(256)}value eq "u1"${')'.repeat(256)}]`;
    expect(parsePath(ok, { maxLength: 1e7, maxDepth: 3000 }).attribute).toBe('members');
  });

  it('quotes at most 80 characters of client text in a detail', () => {
    const long = `x${'y'.repeat(5_000_000)}`;
    let detail = '';
    try {
      parsePath(`${long} `, { maxLength: 1e7 });
    } catch (error) {
      detail = (error as ScimError).detail;
    }
    expect(detail.length).toBeGreaterThan(0);
    expect(detail.length).toBeLessThan(300);
  });
});

/**
 * RFC 7644 §3.10: a fully qualified attribute is `<schema URI>:<attribute>`, and RFC 7643 §3
 * makes schemas URIs; the SCIM ones are URNs (`urn:ietf:params:scim:schemas:core:2.0:Group`).
 * The parser reads the part before the last colon as the schema URN and accepts it when it is one:
 * `urn:<namespace>:<name>`, the namespace 2 to 32 letters, digits and hyphens (RFC 8141), no part
 * empty.
 */
describe('parsePath and parseFilter: schema URN prefixes', () => {
  const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  const accepted: readonly [string, ParsedPath][] = [
    [`${GROUP}:displayName`, { uri: GROUP, attribute: 'displayName' }],
    [`${ENTERPRISE}:manager.value`, { uri: ENTERPRISE, attribute: 'manager', subAttribute: 'value' }],
    ['URN:IETF:params:scim:schemas:core:2.0:Group:members', { uri: 'URN:IETF:params:scim:schemas:core:2.0:Group', attribute: 'members' }],
    ['urn:example:scim:2.0:Acme:level', { uri: 'urn:example:scim:2.0:Acme', attribute: 'level' }],
    ['urn:ab:c:attr', { uri: 'urn:ab:c', attribute: 'attr' }],
    [`urn:${'n'.repeat(32)}:c:attr`, { uri: `urn:${'n'.repeat(32)}:c`, attribute: 'attr' }],
    [`${GROUP}:members[value eq "x"]`, { uri: GROUP, attribute: 'members', filter: eq('value', 'x') }],
  ];
  it.each(accepted)('%s', (path, expected) => {
    expect(parsePath(path)).toEqual(expected);
  });

  const rejected: readonly string[] = [
    'urn:attr',
    'urn:displayName',
    'urn:x:displayName',
    'urn:example:displayName',
    'urn::displayName',
    'urn:example::scim:displayName',
    'urn:-ab:c:attr',
    'urn:ab-:c:attr',
    `urn:${'n'.repeat(33)}:c:attr`,
    'a:b:displayName',
    'schema:x:y:displayName',
    `${GROUP}:`,
    `${GROUP}:members[value eq "x"]:`,
  ];
  it.each(rejected)('%j is invalidPath', (path) => {
    expect(errorOf(() => parsePath(path))).toEqual({ status: 400, scimType: 'invalidPath' });
  });

  it.each(['urn:attr eq "x"', 'urn:x:attr pr', 'a:b:attr eq 1', `${GROUP}: pr`])('filter %j is invalidFilter', (filter) => {
    expect(errorOf(() => parseFilter(filter))).toEqual({ status: 400, scimType: 'invalidFilter' });
  });

  it('says which URN is not a schema URN, and which URN an attribute is missing after', () => {
    expect(detailOf(() => parsePath('urn:attr'))).toContain(`'urn' is not a schema URN`);
    expect(detailOf(() => parsePath(`${GROUP}:`))).toContain(`after the schema URN '${GROUP}'`);
  });
});

describe('parseFilter: value filters do not nest (RFC 7644 §3.4.2.2 valFilter)', () => {
  it.each(['emails[type[value eq "x"] pr]', 'emails[type eq "work" and x[y eq 1]]', 'a[not (b[c pr])]'])('%j is invalidFilter', (filter) => {
    expect(errorOf(() => parseFilter(filter))).toEqual({ status: 400, scimType: 'invalidFilter' });
  });

  it('accepts value filters side by side and after one another', () => {
    expect(parseFilter('emails[type eq "work"] and ims[type eq "aim"]').kind).toBe('and');
    expect(parseFilter('(emails[type eq "work"]) or not (ims[value pr])').kind).toBe('or');
  });
});

describe('Group paths that name a schema URN', () => {
  const group = { id: 'g', displayName: 'G', members: [{ value: 'x' }] };
  const patch = (path: string, op = 'replace'): unknown =>
    applyGroupPatch(group, { Operations: [{ op, path, value: { display: 'X' } }] });

  it.each([
    [GROUP, GROUP],
    [`${GROUP}.displayName`, GROUP],
    [`${GROUP}[value eq "x"]`, GROUP],
    ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:core:2.0:User'],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  ])('%s alone is invalidPath, and the detail names %s whole', (path, named) => {
    expect(errorOf(() => patch(path))).toEqual({ status: 400, scimType: 'invalidPath' });
    const detail = detailOf(() => patch(path));
    expect(detail).toContain(`'${named}' is a schema URN, not an attribute`);
    // Not the URN cut before its last part, as if `Group` were the attribute.
    expect(detail).not.toContain(`'${named.slice(0, named.lastIndexOf(':'))}'`);
  });

  it('names an unknown schema by the URN before the attribute', () => {
    const detail = detailOf(() => patch(`${'urn:ietf:params:scim:schemas:core:2.0:User'}:userName`));
    expect(detail).toContain(`unknown schema 'urn:ietf:params:scim:schemas:core:2.0:User'`);
  });

  it('applies a filter path behind the Group URN', () => {
    const result = applyGroupPatch(group, { Operations: [{ op: 'remove', path: `${GROUP}:members[value eq "x"]` }] });
    expect(result.members).toEqual([]);
  });
});

describe('parsePath: the fast path for attr[value eq "…"] gives what the parser gives', () => {
  const name = fc.stringMatching(/^[A-Za-z$][\w$-]{0,8}$/);
  // Strings with quotes, backslashes, control characters, non-ASCII and lone surrogates: the fast
  // path must take only what needs no decoding and leave the rest to the parser.
  const literal = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '"', '\\', '\n', '\u0001', 'é', '\ud800', '.', ']', '[') , maxLength: 12 });
  // Read by property, not instanceof: under the dist suite parsePath comes from dist/ and the
  // parser's own functions from src/, two copies of the ScimError class.
  const outcome = (run: () => ParsedPath): unknown => {
    try {
      return { ok: run() };
    } catch (error) {
      const { status, scimType, detail } = error as Partial<ScimError>;
      return { error: `${String(status)} ${scimType ?? ''} ${detail ?? String(error)}` };
    }
  };

  it('on generated paths, spellings and limits', () => {
    fc.assert(
      fc.property(
        name,
        fc.constantFrom('value', 'Value', 'display'),
        fc.constantFrom('eq', 'EQ', 'ne'),
        literal,
        fc.option(name, { nil: undefined }),
        fc.constantFrom('', ' '),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        (attribute, key, operator, text, sub, space, maxLength, maxDepth) => {
          const path = `${attribute}[${key} ${operator}${space} ${JSON.stringify(text).slice(0, -1)}${text.length % 3 === 0 ? '\\"' : ''}"]${sub === undefined ? '' : `.${sub}`}`;
          const limits = { ...(maxLength === undefined ? {} : { maxLength }), ...(maxDepth === undefined ? {} : { maxDepth }) };
          expect(outcome(() => parsePath(path, limits))).toStrictEqual(outcome(() => parseAnyPath(path, limits)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('is taken for the paths clients send, with the result of the parser', () => {
    for (const path of ['members[value eq "2819c223-7f76-453a-919d-413861904646"]', 'members[value eq "user-1"].display', 'emails[value eq "bjensen@example.com"].primary']) {
      expect(parseValueEqPath(path, {})).toBeDefined();
      expect(parseValueEqPath(path, {})).toStrictEqual(parseAnyPath(path));
    }
    for (const path of ['members[Value eq "x"]', 'members[value EQ "x"]', 'members[value eq "a\\"b"]', 'members[value eq "x" or value eq "y"]', 'urn:ietf:params:scim:schemas:core:2.0:Group:members[value eq "x"]']) {
      expect(parseValueEqPath(path, {})).toBeUndefined();
    }
  });
});
