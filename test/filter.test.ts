import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  matchesFilter,
  parseFilter,
  valueConstraintOf,
  type AttributePath,
  type AttributeType,
  type MatchOptions,
} from '../src/index.js';

const ann = { value: 'U1', display: 'Ann Lee', type: 'User' };
const user = {
  userName: 'bjensen',
  active: true,
  age: 42,
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@home.example', type: 'home' },
  ],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '701984' },
};

function matches(filter: string, resource: unknown = ann): boolean {
  return matchesFilter(parseFilter(filter), resource);
}

describe('matchesFilter', () => {
  it.each([
    ['value eq "u1"', true],
    ['VALUE eq "U1"', true],
    ['value ne "u2"', true],
    ['value ne "u1"', false],
    ['display co "n L"', true],
    ['display sw "ann"', true],
    ['display ew "LEE"', true],
    ['display ew "Ann"', false],
    ['display gt "Ann"', true],
    ['display ge "Ann Lee"', true],
    ['display lt "B"', true],
    ['display le "Ann"', false],
    ['type pr', true],
    ['$ref pr', false],
    ['$ref eq null', true],
    ['display ne null', true],
    ['nickname ne "x"', true],
    ['value eq "u1" and type eq "Group"', false],
    ['value eq "x" or type eq "user"', true],
    ['not (type eq "User")', false],
    ['not(value eq "x") and (display sw "A" or display sw "B")', true],
  ])('%s on a member is %s (case-insensitive by default)', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it('compares case-exactly where the options say so', () => {
    const isCaseExact = (attribute: { name: string }): boolean => attribute.name === 'value';
    expect(matchesFilter(parseFilter('value eq "u1"'), ann, { isCaseExact })).toBe(false);
    expect(matchesFilter(parseFilter('value eq "U1"'), ann, { isCaseExact })).toBe(true);
    expect(matchesFilter(parseFilter('display eq "ann lee"'), ann, { isCaseExact })).toBe(true);
  });

  it.each([
    ['userName eq "bjensen"', true],
    ['active eq true', true],
    ['active eq false', false],
    ['age gt 40 and age le 42', true],
    ['age lt 42', false],
    ['age ge 42', true],
    ['age eq 42', true],
    ['age ne 41.5', true],
    ['age eq "42"', false],
    ['name.familyName co "ens"', true],
    ['emails.type eq "home"', true],
    ['emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "other"]', false],
    ['emails pr', true],
    ['name pr', true],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"', true],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj"', true],
  ])('%s on a user is %s', (filter, expected) => {
    expect(matches(filter, user)).toBe(expected);
  });

  it('treats empty strings, arrays and objects as not present', () => {
    expect(matches('a pr', { a: '' })).toBe(false);
    expect(matches('a pr', { a: [] })).toBe(false);
    expect(matches('a pr', { a: {} })).toBe(false);
    expect(matches('a pr', { a: { b: null } })).toBe(false);
    expect(matches('a pr', { a: 0 })).toBe(true);
  });

  it('reads only own properties, never the prototype chain', () => {
    expect(matches('constructor pr', {})).toBe(false);
    expect(matches('toString pr', { value: 'x' })).toBe(false);
    expect(matches('value pr', 'not an object')).toBe(false);
    expect(matches('value pr', null)).toBe(false);
  });
});

/**
 * RFC 7643 §2.5: "Unassigned attributes, the null value, or empty array (in the case of a
 * multi-valued attribute) SHALL be considered to be equivalent in 'state'." RFC 7644 §3.4.2.2:
 * `pr` matches "if the attribute has a non-empty value, or if it contains a non-empty node for
 * complex attributes".
 */
describe('matchesFilter: unassigned, null and [] are one state (RFC 7643 §2.5)', () => {
  const states: readonly [string, unknown][] = [
    ['missing', {}],
    ['null', { members: null }],
    ['[]', { members: [] }],
    ['[{}]', { members: [{}] }],
    ['[null]', { members: [null] }],
    ['[{value: null}]', { members: [{ value: null }] }],
  ];
  const assigned = { members: [{ value: 'x' }] };

  it.each(states)('members %s: not pr, eq null, equal to no value, ne any value', (_name, resource) => {
    expect(matches('members pr', resource)).toBe(false);
    expect(matches('members eq null', resource)).toBe(true);
    expect(matches('members ne null', resource)).toBe(false);
    expect(matches('members.value eq null', resource)).toBe(true);
    expect(matches('members.value eq "x"', resource)).toBe(false);
    expect(matches('members.value co "x"', resource)).toBe(false);
    expect(matches('members.value gt "a"', resource)).toBe(false);
    // `ne` is the negation of `eq` on an attribute with no value, as on a missing one.
    expect(matches('members.value ne "x"', resource)).toBe(true);
    expect(matches('members[value eq "x"]', resource)).toBe(false);
  });

  it('members with a value: pr, ne null, and the comparisons see the value', () => {
    expect(matches('members pr', assigned)).toBe(true);
    expect(matches('members eq null', assigned)).toBe(false);
    expect(matches('members ne null', assigned)).toBe(true);
    expect(matches('members.value eq null', assigned)).toBe(false);
    expect(matches('members.value eq "x"', assigned)).toBe(true);
    expect(matches('members.value ne "x"', assigned)).toBe(false);
    expect(matches('members[value eq "x"]', assigned)).toBe(true);
  });

  it('an empty string is not pr, so it is eq null as well as eq ""', () => {
    expect(matches('nickName pr', { nickName: '' })).toBe(false);
    expect(matches('nickName eq null', { nickName: '' })).toBe(true);
    expect(matches('nickName eq ""', { nickName: '' })).toBe(true);
    expect(matches('nickName eq null', { nickName: 'Babs' })).toBe(false);
  });

  it('law: `a eq null` matches exactly when `a pr` does not, `a ne null` exactly when it does', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const resource = { a: value };
        const present = matches('a pr', resource);
        expect(matches('a eq null', resource)).toBe(!present);
        expect(matches('a ne null', resource)).toBe(present);
      }),
      { numRuns: 300 },
    );
  });

  it('law: on a single value, `ne` is the negation of `eq`', () => {
    const scalar = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 3 }), fc.boolean());
    fc.assert(
      fc.property(scalar, scalar, (stored, literal) => {
        const resource = { a: stored };
        const eq = matchesFilter({ kind: 'compare', attribute: { name: 'a' }, operator: 'eq', value: literal }, resource);
        const ne = matchesFilter({ kind: 'compare', attribute: { name: 'a' }, operator: 'ne', value: literal }, resource);
        expect(ne).toBe(!eq);
      }),
      { numRuns: 300 },
    );
  });

  it('walks at most three levels of nesting, whatever the resource holds', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(matches('a pr', { a: deep })).toBe(false);
    expect(matches('a eq null', { a: deep })).toBe(true);
    expect(matches('a eq "x"', { a: deep })).toBe(false);
    expect(matches('a pr', { a: [[['x']]] })).toBe(true);
  });
});

/**
 * RFC 7644 §3.4.2.2: "If the specified attribute in a filter expression is a multi-valued
 * attribute, the filter matches if any of the values of the specified attribute match the
 * specified criterion". The filters below are the examples of that section, on a user worked out
 * by hand.
 */
describe('matchesFilter: any resource, multi-valued attributes (RFC 7644 §3.4.2.2)', () => {
  const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  const barbara = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName: 'bjensen',
    title: 'Tour Guide',
    userType: 'Employee',
    name: { familyName: "O'Malley", givenName: 'Barbara' },
    emails: [
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    ims: [{ value: 'someaimhandle', type: 'aim' }],
    meta: { created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
  };

  it.each([
    ['userName eq "bjensen"', true],
    [`name.familyName co "O'Malley"`, true],
    ['userName sw "J"', false],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "B"', true],
    ['title pr', true],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', true],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', true],
    ['title pr and userType eq "Employee"', true],
    ['title pr or userType eq "Intern"', true],
    [`schemas eq "${ENTERPRISE}"`, true],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', true],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', false],
    ['userType eq "Employee" and (emails.type eq "work")', true],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', true],
    ['ims[type eq "xmpp" and value co "@foo.com"]', false],
  ])('%s is %s', (filter, expected) => {
    expect(matches(filter, barbara)).toBe(expected);
  });

  it('a value filter asks one value to match all of it; a plain filter asks any value for each part', () => {
    const split = { emails: [{ value: 'b@other.org', type: 'work' }, { value: 'b@example.com', type: 'home' }] };
    expect(matches('emails[type eq "work" and value co "@example.com"]', split)).toBe(false);
    expect(matches('emails.type eq "work" and emails.value co "@example.com"', split)).toBe(true);
  });

  it('ne matches when any value differs; not (eq) when none equals', () => {
    const both = { emails: [{ type: 'work' }, { type: 'home' }] };
    const workOnly = { emails: [{ type: 'work' }] };
    expect(matches('emails.type ne "work"', both)).toBe(true);
    expect(matches('not (emails.type eq "work")', both)).toBe(false);
    expect(matches('emails.type ne "work"', workOnly)).toBe(false);
  });

  it('compares arrays of strings and numbers item by item', () => {
    expect(matches('schemas eq "URN:A"', { schemas: ['urn:b', 'urn:a'] })).toBe(true);
    expect(matches('schemas ne "urn:a"', { schemas: ['urn:a'] })).toBe(false);
    expect(matches('schemas sw "urn:c"', { schemas: ['urn:b', 'urn:a'] })).toBe(false);
    expect(matches('scores gt 4', { scores: [1, 5] })).toBe(true);
    expect(matches('scores lt 1', { scores: [1, 5] })).toBe(false);
    expect(matches('flags eq true', { flags: [false, true] })).toBe(true);
  });

  it('compares a complex value named without a sub-attribute by its value', () => {
    expect(matches('emails co "jensen.org"', barbara)).toBe(true);
    expect(matches('emails eq "babs@jensen.org"', barbara)).toBe(true);
    expect(matches('name eq "Barbara"', barbara)).toBe(false);
  });
});

/**
 * RFC 7644 §3.4.2.2: for gt/ge/lt/le "the actual comparison is dependent on the attribute type
 * ... for DateTime types, it is a chronological comparison". RFC 7643 §2.3.5: a dateTime is an
 * xsd:dateTime, which carries an offset: the same instant has many spellings.
 */
describe('matchesFilter: dateTimes compare as instants (RFC 7644 §3.4.2.2, RFC 7643 §2.3.5)', () => {
  // created is 04:42:34Z; lastModified is 03:42:34Z, which sorts after "…T04…" as text.
  const resource = { meta: { created: '2011-05-13T06:42:34+02:00', lastModified: '2011-05-13T05:42:34+02:00' } };

  it.each([
    ['meta.created eq "2011-05-13T04:42:34Z"', true],
    ['meta.created ne "2011-05-13T04:42:34Z"', false],
    ['meta.created eq "2011-05-12T23:42:34-05:00"', true],
    ['meta.created eq "2011-05-13T04:42:34"', true],
    ['meta.lastModified gt "2011-05-13T04:00:00Z"', false],
    ['meta.lastModified lt "2011-05-13T04:00:00Z"', true],
    ['meta.lastModified ge "2011-05-13T03:42:34Z"', true],
    ['meta.lastModified le "2011-05-13T03:42:34Z"', true],
    ['meta.lastModified lt "2011-05-13T03:42:34Z"', false],
    ['META.LASTMODIFIED lt "2011-05-13T04:00:00Z"', true],
    ['urn:ietf:params:scim:schemas:core:2.0:Group:meta.lastModified lt "2011-05-13T04:00:00Z"', true],
    ['meta[lastModified lt "2011-05-13T04:00:00Z"]', true],
    // co, sw and ew compare the text.
    ['meta.created sw "2011-05-13T06"', true],
    ['meta.created ew "+02:00"', true],
    ['meta.created co "04:42"', false],
  ])('%s is %s', (filter, expected) => {
    expect(matches(filter, resource)).toBe(expected);
  });

  it('keeps fractions of a second beyond the millisecond', () => {
    const at = (lastModified: string): { meta: { lastModified: string } } => ({ meta: { lastModified } });
    expect(matches('meta.lastModified gt "2011-05-13T04:42:34Z"', at('2011-05-13T04:42:34.5Z'))).toBe(true);
    expect(matches('meta.lastModified eq "2011-05-13T04:42:34.500Z"', at('2011-05-13T04:42:34.5Z'))).toBe(true);
    expect(matches('meta.lastModified lt "2011-05-13T04:42:34.5000001Z"', at('2011-05-13T04:42:34.5Z'))).toBe(true);
    expect(matches('meta.lastModified gt "2011-05-13T04:42:34.12Z"', at('2011-05-13T04:42:34.2Z'))).toBe(true);
    expect(matches('meta.lastModified eq "2011-05-14T00:00:00Z"', at('2011-05-13T24:00:00Z'))).toBe(true);
    expect(matches('meta.lastModified eq "2011-05-13T04:42:34z"', at('2011-05-13t06:42:34+02:00'))).toBe(true);
  });

  it('a value that is not a dateTime equals nothing and is in no order', () => {
    for (const text of ['yesterday', '2011-05-13', '2011-02-30T00:00:00Z', '2011-05-13T25:00:00Z', '2011-05-13 04:42:34Z']) {
      const stored = { meta: { created: text } };
      expect(matches(`meta.created eq "${text}"`, stored), text).toBe(false);
      expect(matches(`meta.created ne "${text}"`, stored), text).toBe(true);
      expect(matches('meta.created gt "2000-01-01T00:00:00Z"', stored), text).toBe(false);
      expect(matches('meta.created lt "2100-01-01T00:00:00Z"', stored), text).toBe(false);
      expect(matches(`meta.created eq "${text}"`, resource), text).toBe(false);
    }
    // 30 February is not rolled over to 2 March.
    expect(matches('meta.created eq "2011-02-30T00:00:00Z"', { meta: { created: '2011-03-02T00:00:00Z' } })).toBe(false);
  });

  it('knows the types a caller declares, and lets the caller override meta', () => {
    const acme = 'urn:example:scim:2.0:Acme';
    const hired = { [acme]: { hired: '2020-01-01T00:00:00+01:00' } };
    const filter = `${acme}:hired eq "2019-12-31T23:00:00Z"`;
    const attributeType = (a: AttributePath): AttributeType | undefined =>
      a.name.toLowerCase() === 'hired' ? 'dateTime' : undefined;
    expect(matches(filter, hired)).toBe(false);
    expect(matchesFilter(parseFilter(filter), hired, { attributeType })).toBe(true);
    // meta stays a dateTime when the caller knows nothing of it.
    expect(matchesFilter(parseFilter('meta.created eq "2011-05-13T04:42:34Z"'), resource, { attributeType })).toBe(true);
    const asText: MatchOptions = { attributeType: () => 'string' };
    expect(matchesFilter(parseFilter('meta.created eq "2011-05-13T04:42:34Z"'), resource, asText)).toBe(false);
  });
});

describe('matchesFilter: what the options are asked', () => {
  it('names each attribute by its full path, inside a value filter too', () => {
    const typed: AttributePath[] = [];
    const exact: AttributePath[] = [];
    const options: MatchOptions = {
      attributeType: (attribute) => {
        typed.push(attribute);
        return undefined;
      },
      isCaseExact: (attribute) => {
        exact.push(attribute);
        return false;
      },
    };
    const user = { emails: [{ type: 'work', value: 'a@x.org' }], name: { givenName: 'A' } };
    const filter = parseFilter(
      'urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work" and value co "@x"] and name.givenName eq "a"',
    );
    expect(matchesFilter(filter, user, options)).toBe(true);
    const uri = 'urn:ietf:params:scim:schemas:core:2.0:User';
    const expected = [
      { uri, name: 'emails', subAttribute: 'type' },
      { uri, name: 'emails', subAttribute: 'value' },
      { name: 'name', subAttribute: 'givenName' },
    ];
    expect(typed).toEqual(expected);
    expect(exact).toEqual(expected);
  });

  it('asks once per attribute for a pass of one filter over many values, not once per value', () => {
    let asked = 0;
    const options: MatchOptions = {
      attributeType: () => {
        asked++;
        return 'string';
      },
      isCaseExact: () => {
        asked++;
        return false;
      },
    };
    const filter = parseFilter('type eq "work" and value ew "@x.org"');
    const values = Array.from({ length: 1000 }, (_, i) => ({ type: i % 2 === 0 ? 'work' : 'home', value: `u${String(i)}@X.org` }));
    expect(values.filter((value) => matchesFilter(filter, value, options))).toHaveLength(500);
    // Two attributes, two callbacks each.
    expect(asked).toBe(4);
  });

  it('answers by the options of each call when one filter is used with several in turn', () => {
    const filter = parseFilter('value eq "u1"');
    const exact: MatchOptions = { isCaseExact: () => true };
    const reference: MatchOptions = { attributeType: () => 'reference' };
    const loose: MatchOptions = {};
    for (let round = 0; round < 3; round++) {
      expect(matchesFilter(filter, ann, exact)).toBe(false);
      expect(matchesFilter(filter, ann, loose)).toBe(true);
      expect(matchesFilter(filter, ann, reference)).toBe(false);
      expect(matchesFilter(filter, ann)).toBe(true);
      expect(matchesFilter(parseFilter('value eq "U1"'), ann, exact)).toBe(true);
    }
  });

  it('makes reference and binary values case-exact unless isCaseExact says otherwise (RFC 7643 §2.3.6, §2.3.7)', () => {
    const photo = { photos: [{ value: 'https://photos.example.com/Profile/1.JPG' }] };
    const filter = parseFilter('photos.value eq "https://photos.example.com/profile/1.jpg"');
    expect(matchesFilter(filter, photo)).toBe(true);
    expect(matchesFilter(filter, photo, { attributeType: () => 'reference' })).toBe(false);
    expect(matchesFilter(filter, photo, { attributeType: () => 'binary' })).toBe(false);
    expect(matchesFilter(filter, photo, { attributeType: () => 'reference', isCaseExact: () => false })).toBe(true);
    expect(matchesFilter(filter, photo, { isCaseExact: () => true })).toBe(false);
  });
});

describe('valueConstraintOf', () => {
  it.each([
    ['value eq "u1"', { values: ['u1'], exact: true }],
    ['value eq "u1" or value eq "u2"', { values: ['u1', 'u2'], exact: true }],
    ['value eq "u1" and display pr', { values: ['u1'], exact: false }],
    ['display pr and (value eq "u1" or value eq "u2")', { values: ['u1', 'u2'], exact: false }],
    ['value eq "u1" or display eq "x"', undefined],
    ['value ne "u1"', undefined],
    ['value eq 1', undefined],
    ['not (value eq "u1")', undefined],
  ])('%s', (filter, expected) => {
    expect(valueConstraintOf(parseFilter(filter))).toEqual(expected);
  });
});
