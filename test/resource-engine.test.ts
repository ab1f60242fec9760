/**
 * Unit tests of the schema-driven engine (`applyPatch`, `tryApplyPatch`): one behaviour per test,
 * each expectation worked out from RFC 7644 §3.5.2, RFC 7643 §2 and the choices listed in
 * test/fixtures/resources/README.md (C1–C28), not copied from the engine's output.
 *
 * Schemas: the built-in User and Enterprise User definitions, Group for the immutable
 * sub-attribute case, and the custom User extension of `arbitraries/resources.ts` (an integer, a
 * decimal, a dateTime, a binary, an immutable string, a simple multi-valued string list and a
 * complex list keyed on an immutable `value`).
 */
import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA,
  GROUP_SCHEMA_DEFINITION,
  LENIENCY_PRESETS,
  ScimError,
  tryApplyPatch,
  USER_SCHEMA,
  USER_SCHEMA_DEFINITION,
  type ResourcePatchOptions,
  type ScimResource,
} from '../src/index.js';
import { ENT, patchBody, TEST_EXTENSION, TEST_URN, type Json } from './arbitraries/resources.js';
import { deepFreeze } from './support/freeze.js';
import { errorShapeOf, scimErrorOf, type ErrorShape } from './support/scim-error.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const OPTIONS: ResourcePatchOptions = {
  schema: USER_SCHEMA_DEFINITION,
  extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION, TEST_EXTENSION],
  now: () => NOW,
  setLastModified: false,
};
const STRICT: ResourcePatchOptions = { ...OPTIONS, preset: 'strict' };

/** Barbara Jensen (RFC 7643 §8.2), cut down, with whatever the test adds. */
function user(extra: Json = {}): Json {
  return {
    schemas: [USER_SCHEMA],
    id: '2819c223-7f76-453a-919d-413861904646',
    userName: 'bjensen@example.com',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    ...extra,
  };
}

/** A user holding the Enterprise User extension object `enterprise`. */
function enterpriseUser(enterprise: Json, extra: Json = {}): Json {
  return user({ schemas: [USER_SCHEMA, ENT], [ENT]: enterprise, ...extra });
}

/** A user holding the custom extension object `test`. */
function testUser(test: Json, extra: Json = {}): Json {
  return user({ schemas: [USER_SCHEMA, TEST_URN], [TEST_URN]: test, ...extra });
}

function patch(resource: unknown, operations: readonly unknown[], options: ResourcePatchOptions = OPTIONS): Json {
  return applyPatch(deepFreeze(resource) as ScimResource, deepFreeze(patchBody(operations)), options);
}

function errorOf(resource: unknown, operations: readonly unknown[], options: ResourcePatchOptions = OPTIONS): ErrorShape {
  return errorShapeOf(() => patch(resource, operations, options));
}

const bad = (scimType: string): ErrorShape => ({ status: 400, scimType });
const SERVER_ERROR: ErrorShape = { status: 500, scimType: undefined };

describe('a stored resource that does not fit its schema is the server\'s error (500)', () => {
  const add = [{ op: 'add', path: 'nickName', value: 'Babs' }];

  it.each([['a string', 'bjensen'], ['an array', [user()]], ['null', null], ['a number', 5]])('the resource is %s', (_name, resource) => {
    expect(errorOf(resource, add)).toEqual(SERVER_ERROR);
  });

  it('a multi-valued attribute stored as a string, when a patch reads the list', () => {
    const resource = user({ emails: 'bjensen@example.com' });
    expect(errorOf(resource, [{ op: 'add', path: 'emails', value: [{ value: 'b@example.com' }] }])).toEqual(SERVER_ERROR);
    expect(errorOf(resource, [{ op: 'replace', path: 'emails.display', value: 'Work' }])).toEqual(SERVER_ERROR);
    expect(errorOf(resource, [{ op: 'remove', path: 'emails', value: [{ value: 'bjensen@example.com' }] }])).toEqual(SERVER_ERROR);
  });

  it('a value of a complex list that is not an object, when a patch writes every value', () => {
    expect(errorOf(user({ emails: ['bjensen@example.com'] }), [{ op: 'replace', path: 'emails.display', value: 'Work' }])).toEqual(SERVER_ERROR);
  });

  it('a single complex attribute stored as a string, when a patch writes a sub-attribute', () => {
    expect(errorOf(user({ name: 'Babs Jensen' }), [{ op: 'replace', path: 'name.givenName', value: 'Barbara' }])).toEqual(SERVER_ERROR);
  });

  it('an extension stored as a non-object, when a patch writes or reads it', () => {
    const resource = user({ schemas: [USER_SCHEMA, ENT], [ENT]: 'Tour Operations' });
    expect(errorOf(resource, [{ op: 'add', path: `${ENT}:department`, value: 'Sales' }])).toEqual(SERVER_ERROR);
    expect(errorOf(resource, [{ op: 'remove', path: `${ENT}:department` }])).toEqual(SERVER_ERROR);
  });

  it('a schema given twice: an extension listed twice, the core schema listed as an extension, URNs differing in case', () => {
    const add1 = [{ op: 'add', path: 'nickName', value: 'Babs' }];
    expect(errorOf(user(), add1, { ...OPTIONS, extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION, ENTERPRISE_USER_SCHEMA_DEFINITION] })).toEqual(SERVER_ERROR);
    expect(errorOf(user(), add1, { ...OPTIONS, extensions: [USER_SCHEMA_DEFINITION] })).toEqual(SERVER_ERROR);
    const shouted = { ...ENTERPRISE_USER_SCHEMA_DEFINITION, id: ENT.toUpperCase().replace('URN:', 'urn:') };
    expect(errorOf(user(), add1, { ...OPTIONS, extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION, shouted] })).toEqual(SERVER_ERROR);
  });
});

describe('paths resolved against the schemas (RFC 7644 §3.10)', () => {
  it('the bare core schema URN is not an attribute: 400 invalidPath', () => {
    expect(errorOf(user(), [{ op: 'replace', path: USER_SCHEMA, value: { nickName: 'Babs' } }])).toEqual(bad('invalidPath'));
    expect(errorOf(user(), [{ op: 'remove', path: USER_SCHEMA }])).toEqual(bad('invalidPath'));
  });

  it('an attribute of a schema the resource does not have: 400 invalidPath', () => {
    expect(errorOf(user(), [{ op: 'add', path: 'urn:example:params:scim:schemas:extension:other:2.0:User:badge', value: 1 }])).toEqual(bad('invalidPath'));
  });

  it('a filter on a single-valued simple attribute: 400 invalidPath', () => {
    expect(errorOf(user({ nickName: 'Babs' }), [{ op: 'replace', path: 'nickName[value eq "Babs"]', value: 'B' }])).toEqual(bad('invalidPath'));
  });

  it('a sub-attribute of a simple attribute, or one a complex attribute lacks: 400 invalidPath', () => {
    expect(errorOf(user(), [{ op: 'replace', path: 'nickName.value', value: 'Babs' }])).toEqual(bad('invalidPath'));
    expect(errorOf(user(), [{ op: 'replace', path: 'name.nickName', value: 'Babs' }])).toEqual(bad('invalidPath'));
    expect(errorOf(user(), [{ op: 'replace', path: 'emails[type eq "work"].label', value: 'x' }])).toEqual(bad('invalidPath'));
  });

  it('a filter naming what the attribute\'s values lack, or another schema\'s attribute: 400 invalidFilter', () => {
    expect(errorOf(user(), [{ op: 'remove', path: 'emails[label eq "x"]' }])).toEqual(bad('invalidFilter'));
    expect(errorOf(user(), [{ op: 'remove', path: `emails[${ENT}:type eq "work"]` }])).toEqual(bad('invalidFilter'));
    expect(errorOf(user(), [{ op: 'remove', path: `${TEST_URN}:skills[type eq "go"]` }])).toEqual(bad('invalidFilter'));
    expect(errorOf(user(), [{ op: 'remove', path: 'emails[type eq "work" and value[type eq "x"]]' }])).toEqual(bad('invalidFilter'));
  });

  it('a filter sub-attribute qualified with the attribute\'s own schema URN is the sub-attribute', () => {
    const next = patch(user(), [{ op: 'remove', path: `emails[${USER_SCHEMA}:type eq "work"]` }]);
    expect(next.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
  });

  it('an extension attribute without its URN: found when one extension defines it (C8), refused by the strict preset', () => {
    expect(patch(user(), [{ op: 'replace', path: 'department', value: 'Sales' }])[ENT]).toEqual({ department: 'Sales' });
    expect(errorOf(user(), [{ op: 'replace', path: 'department', value: 'Sales' }], STRICT)).toEqual(bad('invalidPath'));
  });

  it('an extension attribute without its URN that two extensions define is ambiguous: 400 invalidPath', () => {
    const other = { id: 'urn:example:params:scim:schemas:extension:hr:2.0:User', attributes: [{ name: 'department', type: 'string' }] };
    const options = { ...OPTIONS, extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION, other] };
    expect(errorOf(user(), [{ op: 'replace', path: 'department', value: 'Sales' }], options)).toEqual(bad('invalidPath'));
    // With its URN, each is reachable.
    expect(patch(user(), [{ op: 'replace', path: `${other.id}:department`, value: 'Sales' }], options)[other.id]).toEqual({ department: 'Sales' });
  });

  it('a stored extension key spelled in another case is written back in the schema\'s spelling', () => {
    const resource = user({ schemas: [USER_SCHEMA, ENT], [ENT.toLowerCase()]: { costCenter: '4130' } });
    const next = patch(resource, [{ op: 'add', path: `${ENT}:department`, value: 'Sales' }]);
    expect(next[ENT]).toEqual({ costCenter: '4130', department: 'Sales' });
    expect(Object.hasOwn(next, ENT.toLowerCase())).toBe(false);
    expect(next.schemas).toEqual([USER_SCHEMA, ENT]);
  });
});

describe('leniencies: presets and overrides', () => {
  it('the presets are the documented switches', () => {
    expect(LENIENCY_PRESETS.lenient).toEqual({ stringBooleans: true, bareStringComplex: true, unqualifiedExtensionAttributes: true, createOnEqualityFilter: true });
    expect(LENIENCY_PRESETS.strict).toEqual({ stringBooleans: false, bareStringComplex: false, unqualifiedExtensionAttributes: false, createOnEqualityFilter: false });
    expect(Object.isFrozen(LENIENCY_PRESETS.lenient)).toBe(true);
  });

  it('stringBooleans: Entra\'s "False" is false when on, 400 invalidValue when off', () => {
    const disable = [{ op: 'Replace', path: 'active', value: 'False' }];
    expect(patch(user({ active: true }), disable).active).toBe(false);
    expect(errorOf(user({ active: true }), disable, { ...OPTIONS, leniency: { stringBooleans: false } })).toEqual(bad('invalidValue'));
    expect(errorOf(user({ active: true }), disable, STRICT)).toEqual(bad('invalidValue'));
    expect(patch(user({ active: true }), disable, { ...STRICT, leniency: { stringBooleans: true } }).active).toBe(false);
  });

  it('bareStringComplex: a bare manager id is {value} when on, 400 invalidValue when off', () => {
    const set = [{ op: 'replace', path: `${ENT}:manager`, value: 'boss' }];
    expect(patch(user(), set)[ENT]).toEqual({ manager: { value: 'boss' } });
    expect(errorOf(user(), set, STRICT)).toEqual(bad('invalidValue'));
    expect(errorOf(user(), set, { ...OPTIONS, leniency: { bareStringComplex: false } })).toEqual(bad('invalidValue'));
    expect(patch(user(), set, { ...STRICT, leniency: { bareStringComplex: true } })[ENT]).toEqual({ manager: { value: 'boss' } });
  });

  it('unqualifiedExtensionAttributes: overridden either way', () => {
    const set = [{ op: 'replace', path: 'manager', value: { value: 'boss' } }];
    expect(errorOf(user(), set, { ...OPTIONS, leniency: { unqualifiedExtensionAttributes: false } })).toEqual(bad('invalidPath'));
    expect(patch(user(), set, { ...STRICT, leniency: { unqualifiedExtensionAttributes: true } })[ENT]).toEqual({ manager: { value: 'boss' } });
  });

  it('createOnEqualityFilter: a missing mobile number is created when on (C4), 400 noTarget when off', () => {
    const add = [{ op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '555-555-4444' }];
    expect(patch(user(), add).phoneNumbers).toEqual([{ type: 'mobile', value: '555-555-4444' }]);
    expect(errorOf(user(), add, { ...OPTIONS, leniency: { createOnEqualityFilter: false } })).toEqual(bad('noTarget'));
    expect(errorOf(user(), add, STRICT)).toEqual(bad('noTarget'));
  });

  it('creation only for one equality on a discriminator: not on value, not for ne, not for and (C4)', () => {
    expect(errorOf(user(), [{ op: 'add', path: 'phoneNumbers[value eq "555"].display', value: 'Desk' }])).toEqual(bad('noTarget'));
    expect(errorOf(user(), [{ op: 'add', path: 'phoneNumbers[type ne "work"].value', value: '555' }])).toEqual(bad('noTarget'));
    expect(errorOf(user(), [{ op: 'add', path: 'phoneNumbers[type eq "work" and primary eq true].value', value: '555' }])).toEqual(bad('noTarget'));
  });

  it('creation from a filter with a whole value, and from Entra\'s "True" on primary', () => {
    expect(patch(user(), [{ op: 'add', path: 'phoneNumbers[type eq "work"]', value: { value: '555-555-5555' } }]).phoneNumbers).toEqual([{ type: 'work', value: '555-555-5555' }]);
    expect(patch(user(), [{ op: 'replace', path: 'roles[primary eq "True"].value', value: 'admin' }]).roles).toEqual([{ primary: true, value: 'admin' }]);
  });
});

describe('pathless values', () => {
  it('a value keyed by the core schema URN holds core attributes', () => {
    const next = patch(user(), [{ op: 'replace', value: { [USER_SCHEMA]: { nickName: 'Babs', name: { givenName: 'Barbara' } } } }]);
    expect(next.nickName).toBe('Babs');
    expect(next.name).toEqual({ givenName: 'Barbara' });
  });

  it.each([['a string', 'Babs'], ['a list', [{ nickName: 'Babs' }]], ['null', null], ['a number', 1]])('a pathless value that is %s: 400 invalidValue', (_name, value) => {
    expect(errorOf(user(), [{ op: 'replace', value }])).toEqual(bad('invalidValue'));
  });

  it('a core-URN key holding a non-object: 400 invalidValue', () => {
    expect(errorOf(user(), [{ op: 'replace', value: { [USER_SCHEMA]: 'Babs' } }])).toEqual(bad('invalidValue'));
  });

  it('an extension given a non-object, by path or as a key: 400 invalidValue', () => {
    expect(errorOf(user(), [{ op: 'replace', path: ENT, value: 'Sales' }])).toEqual(bad('invalidValue'));
    expect(errorOf(user(), [{ op: 'replace', value: { [ENT]: 5 } }])).toEqual(bad('invalidValue'));
    expect(errorOf(user(), [{ op: 'add', path: ENT, value: [{ department: 'Sales' }] }])).toEqual(bad('invalidValue'));
  });

  it('an unknown attribute inside an extension object: 400 invalidPath naming it', () => {
    const error = scimErrorOf(() => patch(user(), [{ op: 'replace', path: ENT, value: { department: 'Sales', floor: 3 } }]));
    expect({ status: error.status, scimType: error.scimType }).toEqual(bad('invalidPath'));
    expect(error.detail).toContain('floor');
    expect(errorOf(user(), [{ op: 'replace', value: { [ENT]: { floor: 3 } } }])).toEqual(bad('invalidPath'));
  });

  it('a prototype name inside an extension object: 400 invalidPath', () => {
    expect(errorOf(user(), [{ op: 'replace', path: ENT, value: JSON.parse('{"__proto__": {"department": "x"}}') as unknown }])).toEqual(bad('invalidPath'));
    expect(errorOf(user(), [{ op: 'replace', path: ENT, value: { constructor: 'x' } }])).toEqual(bad('invalidPath'));
  });

  it('add with null is 400 invalidValue (RFC 7644 §3.5.2.1 needs a value); replace with null unassigns', () => {
    expect(errorOf(user({ nickName: 'Babs' }), [{ op: 'add', path: 'nickName', value: null }])).toEqual(bad('invalidValue'));
    expect(errorOf(user({ nickName: 'Babs' }), [{ op: 'add', value: { nickName: null } }])).toEqual(bad('invalidValue'));
    expect(patch(user({ nickName: 'Babs' }), [{ op: 'replace', path: 'nickName', value: null }])).toEqual(user());
  });
});

describe('mutability (RFC 7643 §2.2)', () => {
  it('a readOnly attribute or sub-attribute by path is 400 mutability, even a remove (C12)', () => {
    expect(errorOf(user(), [{ op: 'replace', path: `${ENT}:manager.displayName`, value: 'John Smith' }])).toEqual(bad('mutability'));
    expect(errorOf(user(), [{ op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' }])).toEqual(bad('mutability'));
    expect(errorOf(user(), [{ op: 'remove', path: 'meta.created' }])).toEqual(bad('mutability'));
    expect(errorOf(user(), [{ op: 'remove', path: 'id' }])).toEqual(bad('mutability'));
    expect(errorOf(user(), [{ op: 'replace', path: 'groups[value eq "g1"].display', value: 'x' }])).toEqual(bad('mutability'));
  });

  it('a readOnly sub-attribute inside a value is ignored', () => {
    const next = patch(user(), [{ op: 'replace', path: `${ENT}:manager`, value: { value: 'boss', displayName: 'John Smith' } }]);
    expect(next[ENT]).toEqual({ manager: { value: 'boss' } });
  });

  it('immutable: set while unassigned, the same value again is no change, another value or a remove is 400 mutability (C13)', () => {
    const set = patch(user(), [{ op: 'add', path: `${TEST_URN}:clearance`, value: 'secret' }]);
    expect(set[TEST_URN]).toEqual({ clearance: 'secret' });
    const stored = testUser({ clearance: 'secret' });
    expect(patch(stored, [{ op: 'replace', path: `${TEST_URN}:clearance`, value: 'secret' }])).toBe(stored);
    // caseExact: "Secret" is another value.
    expect(errorOf(stored, [{ op: 'replace', path: `${TEST_URN}:clearance`, value: 'Secret' }])).toEqual(bad('mutability'));
    expect(errorOf(stored, [{ op: 'remove', path: `${TEST_URN}:clearance` }])).toEqual(bad('mutability'));
    expect(errorOf(stored, [{ op: 'replace', path: TEST_URN, value: { clearance: 'public' } }])).toEqual(bad('mutability'));
  });

  it('an immutable sub-attribute cannot change or be removed once set', () => {
    const stored = testUser({ mentors: [{ value: 'm1', display: 'Mentor One' }] });
    expect(errorOf(stored, [{ op: 'replace', path: `${TEST_URN}:mentors[value eq "m1"].value`, value: 'm2' }])).toEqual(bad('mutability'));
    // mentors.value is also required: removing it is refused either way.
    expect(errorOf(stored, [{ op: 'remove', path: `${TEST_URN}:mentors[value eq "m1"].value` }])).toEqual(bad('mutability'));
    const group = { schemas: [GROUP_SCHEMA], id: 'g1', displayName: 'Tour Guides', members: [{ value: 'u1', type: 'User' }] };
    const groupOptions = { schema: GROUP_SCHEMA_DEFINITION, setLastModified: false };
    expect(errorOf(group, [{ op: 'remove', path: 'members[value eq "u1"].type' }], groupOptions)).toEqual(bad('mutability'));
  });

  it('required: removing userName or setting it to null is 400 mutability, "" is 400 invalidValue (C14)', () => {
    expect(errorOf(user(), [{ op: 'remove', path: 'userName' }])).toEqual(bad('mutability'));
    expect(errorOf(user(), [{ op: 'replace', path: 'userName', value: null }])).toEqual(bad('mutability'));
    expect(errorOf(user(), [{ op: 'replace', path: 'userName', value: '' }])).toEqual(bad('invalidValue'));
  });

  it('a value of a list without its required sub-attribute: 400 invalidValue', () => {
    expect(errorOf(user(), [{ op: 'add', path: `${TEST_URN}:mentors`, value: [{ display: 'Mentor' }] }])).toEqual(bad('invalidValue'));
  });
});

describe('types (RFC 7643 §2.3): a value of the wrong type is 400 invalidValue', () => {
  it.each<[string, string, unknown]>([
    ['integer', 'badge', 1.5],
    ['integer', 'badge', '3'],
    ['integer', 'badge', true],
    ['integer', 'badge', 2 ** 60],
    ['decimal', 'score', '1.5'],
    ['decimal', 'score', false],
    ['dateTime', 'hiredAt', 'yesterday'],
    ['dateTime', 'hiredAt', '2024-01-01'],
    ['dateTime', 'hiredAt', '2024-13-01T00:00:00Z'],
    ['dateTime', 'hiredAt', 1_704_067_200_000],
    ['binary', 'avatar', 'not base64!'],
    ['binary', 'avatar', 'a'],
    ['string', 'skills', 5],
  ])('%s %s = %j', (_type, name, value) => {
    expect(errorOf(user(), [{ op: 'replace', path: `${TEST_URN}:${name}`, value }])).toEqual(bad('invalidValue'));
  });

  it.each<[string, string, unknown]>([
    ['integer', 'badge', -42],
    ['decimal', 'score', 2],
    ['decimal', 'score', 0.25],
    ['dateTime', 'hiredAt', '2011-05-13T04:42:34Z'],
    ['dateTime', 'hiredAt', '2024-03-01T10:00:00.123+02:00'],
    ['binary', 'avatar', 'aGVsbG8='],
  ])('%s %s = %j is accepted and stored as sent', (_type, name, value) => {
    expect(patch(user(), [{ op: 'replace', path: `${TEST_URN}:${name}`, value }])[TEST_URN]).toEqual({ [name]: value });
  });

  it.each<[string, unknown]>([
    ['active', 'maybe'],
    ['active', 0],
    ['nickName', 5],
    ['profileUrl', { href: 'https://example.com' }],
    ['name', 'Babs Jensen'],
    ['displayName', ['Babs']],
    ['emails', 'bjensen@example.com'],
    ['emails', [{ value: 5 }]],
  ])('User %s = %j', (path, value) => {
    expect(errorOf(user(), [{ op: 'replace', path, value }])).toEqual(bad('invalidValue'));
  });

  it('manager given a list of two is 400 invalidValue; a list of one is its element; [{value: ""}] and [] unassign it (C7)', () => {
    expect(errorOf(user(), [{ op: 'replace', path: `${ENT}:manager`, value: ['m1', 'm2'] }])).toEqual(bad('invalidValue'));
    expect(errorOf(user(), [{ op: 'replace', path: `${ENT}:manager`, value: [{ value: 'm1' }, { value: 'm2' }] }])).toEqual(bad('invalidValue'));
    expect(patch(user(), [{ op: 'replace', path: `${ENT}:manager`, value: ['m1'] }])[ENT]).toEqual({ manager: { value: 'm1' } });
    const managed = enterpriseUser({ department: 'Sales', manager: { value: 'm1' } });
    expect(patch(managed, [{ op: 'replace', path: `${ENT}:manager`, value: [{ value: '' }] }])[ENT]).toEqual({ department: 'Sales' });
    expect(patch(managed, [{ op: 'replace', path: `${ENT}:manager`, value: [] }])[ENT]).toEqual({ department: 'Sales' });
  });
});

describe('filters compare by type and caseExact', () => {
  const mentored = testUser({ mentors: [{ value: 'm1', since: '2024-03-01T10:00:00+02:00' }] });

  it('dateTimes compare as instants (C21)', () => {
    const next = patch(mentored, [{ op: 'replace', path: `${TEST_URN}:mentors[since eq "2024-03-01T08:00:00Z"].display`, value: 'Mentor One' }]);
    expect(next[TEST_URN]).toEqual({ mentors: [{ value: 'm1', since: '2024-03-01T10:00:00+02:00', display: 'Mentor One' }] });
    // 10:00+02:00 is 08:00Z, before 09:00Z, although its text sorts after it.
    expect(patch(mentored, [{ op: 'remove', path: `${TEST_URN}:mentors[since lt "2024-03-01T09:00:00Z"]` }])).toEqual(user());
  });

  it('a caseExact sub-attribute does not match another case; one that is not caseExact does', () => {
    expect(errorOf(mentored, [{ op: 'replace', path: `${TEST_URN}:mentors[value eq "M1"].display`, value: 'x' }])).toEqual(bad('noTarget'));
    const next = patch(user(), [{ op: 'replace', path: 'emails[value eq "BJENSEN@EXAMPLE.COM"].display', value: 'Work' }]);
    expect(next.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true, display: 'Work' },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
  });

  it('a string literal compared with a boolean that is not "true"/"false" matches nothing', () => {
    const stored = user({ roles: [{ value: 'admin', primary: true }] });
    expect(patch(stored, [{ op: 'remove', path: 'roles[primary eq "maybe"]' }])).toBe(stored);
  });
});

describe('multi-valued attributes (RFC 7644 §3.5.2, RFC 7643 §2.4)', () => {
  it('a request value with two primaries is 400 invalidValue, for add and replace (C3)', () => {
    const two = [{ value: 'a@example.com', primary: true }, { value: 'b@example.com', primary: true }];
    expect(errorOf(user(), [{ op: 'add', path: 'emails', value: two }])).toEqual(bad('invalidValue'));
    expect(errorOf(user(), [{ op: 'replace', path: 'emails', value: two }])).toEqual(bad('invalidValue'));
  });

  it('a new primary value clears the old one, which keeps primary: false (C3)', () => {
    const next = patch(user(), [{ op: 'add', path: 'emails', value: [{ value: 'b@example.com', type: 'other', primary: true }] }]);
    expect(next.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'b@example.com', type: 'other', primary: true },
    ]);
  });

  it('primary set through a filter clears the old one', () => {
    const next = patch(user(), [{ op: 'replace', path: 'emails[type eq "home"].primary', value: true }]);
    expect(next.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home', primary: true },
    ]);
  });

  it('primary set on two values at once (a filter matching two, or every value) is 400 invalidValue', () => {
    const twoWork = user({ emails: [{ value: 'a@example.com', type: 'work' }, { value: 'b@example.com', type: 'work' }] });
    expect(errorOf(twoWork, [{ op: 'replace', path: 'emails[type eq "work"].primary', value: true }])).toEqual(bad('invalidValue'));
    expect(errorOf(user(), [{ op: 'replace', path: 'emails.primary', value: true }])).toEqual(bad('invalidValue'));
  });

  it('an added value already present is no change, whatever the case of a caseExact-false value (C9)', () => {
    const stored = user();
    expect(patch(stored, [{ op: 'add', path: 'emails', value: [{ value: 'BJensen@Example.com', type: 'work' }] }])).toBe(stored);
    const addressed = user({ addresses: [{ type: 'work', locality: 'Hollywood', streetAddress: '100 Universal City Plaza' }] });
    expect(patch(addressed, [{ op: 'add', path: 'addresses', value: [{ type: 'WORK', locality: 'hollywood' }] }])).toBe(addressed);
  });

  it('an added value whose immutable value is stored is no change, and the stored one is kept (C9)', () => {
    const stored = testUser({ mentors: [{ value: 'm1', display: 'Mentor One' }] });
    expect(patch(stored, [{ op: 'add', path: `${TEST_URN}:mentors`, value: [{ value: 'm1', display: 'Someone else' }] }])).toBe(stored);
  });

  it('re-adding a value identified by its immutable value, now as primary, makes it the primary one', () => {
    const stored = testUser({ mentors: [{ value: 'm1' }, { value: 'm2', primary: true }] });
    expect(patch(stored, [{ op: 'add', path: `${TEST_URN}:mentors`, value: [{ value: 'm1', primary: true }] }])[TEST_URN]).toEqual({
      mentors: [{ value: 'm1', primary: true }, { value: 'm2', primary: false }],
    });
  });

  it('remove by value list on a simple multi-valued attribute removes the listed values only, caseExact false (C10)', () => {
    const stored = testUser({ skills: ['go', 'rust', 'sql'] });
    expect(patch(stored, [{ op: 'remove', path: `${TEST_URN}:skills`, value: ['GO', 'sql'] }])[TEST_URN]).toEqual({ skills: ['rust'] });
    expect(patch(stored, [{ op: 'remove', path: `${TEST_URN}:skills`, value: ['haskell'] }])).toBe(stored);
    expect(patch(stored, [{ op: 'remove', path: `${TEST_URN}:skills`, value: [] }])).toBe(stored);
    expect(patch(stored, [{ op: 'remove', path: `${TEST_URN}:skills`, value: null }])).toBe(stored);
  });

  it('remove by value list on complex values matches every listed sub-attribute (C10)', () => {
    const stored = user();
    expect(patch(stored, [{ op: 'remove', path: 'emails', value: [{ value: 'bjensen@example.com', type: 'home' }] }])).toBe(stored);
    expect(patch(stored, [{ op: 'remove', path: 'emails', value: [{ value: 'bjensen@example.com' }] }]).emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
  });

  it('removing a sub-attribute without a filter removes it from every value (C27); nothing to remove is no change', () => {
    const stored = user({ emails: [{ value: 'a@example.com', display: 'A' }, { value: 'b@example.com', type: 'work', display: 'B' }] });
    expect(patch(stored, [{ op: 'remove', path: 'emails.display' }]).emails).toEqual([{ value: 'a@example.com' }, { value: 'b@example.com', type: 'work' }]);
    const empty = user({ emails: [] });
    expect(patch(empty, [{ op: 'remove', path: 'emails.display' }])).toBe(empty);
    const none = user({ emails: undefined });
    expect(patch(none, [{ op: 'remove', path: 'emails.display' }])).toBe(none);
  });

  it('removing a sub-attribute of the values a filter selects leaves the others', () => {
    expect(patch(user(), [{ op: 'remove', path: 'emails[type eq "work"].primary' }]).emails).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
  });

  it('a remove whose filter matches nothing is no change; a replace whose filter matches nothing is 400 noTarget', () => {
    const stored = user();
    expect(patch(stored, [{ op: 'remove', path: 'emails[type eq "other"]' }])).toBe(stored);
    expect(errorOf(stored, [{ op: 'replace', path: 'emails[value eq "nobody@example.com"].display', value: 'x' }])).toEqual(bad('noTarget'));
  });

  it('a filter over a complex value replaces the given sub-attributes and keeps the others (C16)', () => {
    expect(patch(user(), [{ op: 'replace', path: 'emails[type eq "work"]', value: { value: 'barbara@example.com', display: 'Work' } }]).emails).toEqual([
      { value: 'barbara@example.com', type: 'work', primary: true, display: 'Work' },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
  });
});

describe('single complex attributes', () => {
  it('removing the last sub-attribute removes the attribute (C11); removing from an absent one is no change', () => {
    expect(patch(user({ name: { givenName: 'Barbara' } }), [{ op: 'remove', path: 'name.givenName' }])).toEqual(user());
    expect(patch(user({ name: { givenName: 'Barbara', familyName: 'Jensen' } }), [{ op: 'remove', path: 'name.givenName' }]).name).toEqual({ familyName: 'Jensen' });
    const stored = user();
    expect(patch(stored, [{ op: 'remove', path: 'name.givenName' }])).toBe(stored);
  });

  it('a filter on a single complex attribute selects it when it matches (C26)', () => {
    const managed = enterpriseUser({ department: 'Sales', manager: { value: 'm1' } });
    expect(patch(managed, [{ op: 'remove', path: `${ENT}:manager[value eq "m1"]` }])[ENT]).toEqual({ department: 'Sales' });
    expect(patch(managed, [{ op: 'remove', path: `${ENT}:manager[value eq "m2"]` }])).toBe(managed);
    expect(errorOf(managed, [{ op: 'replace', path: `${ENT}:manager[value eq "m2"].value`, value: 'm3' }])).toEqual(bad('noTarget'));
    expect(patch(managed, [{ op: 'replace', path: `${ENT}:manager[value eq "m1"].value`, value: 'm3' }])[ENT]).toEqual({ department: 'Sales', manager: { value: 'm3' } });
    expect(patch(managed, [{ op: 'replace', path: `${ENT}:manager[value eq "m1"]`, value: { value: 'm3' } }])[ENT]).toEqual({ department: 'Sales', manager: { value: 'm3' } });
  });

  it('removing the manager\'s only sub-attribute through a filter removes the manager, the emptied extension and its URN (C2, C11)', () => {
    const next = patch(enterpriseUser({ manager: { value: 'm1' } }), [{ op: 'remove', path: `${ENT}:manager[value eq "m1"].value` }]);
    expect(next).toEqual(user());
  });
});

describe('extension objects and schemas (C2, C24)', () => {
  it('removing a whole extension removes its object and its URN; removing an absent one is no change', () => {
    expect(patch(enterpriseUser({ department: 'Sales' }), [{ op: 'remove', path: ENT }])).toEqual(user());
    const stored = user();
    expect(patch(stored, [{ op: 'remove', path: ENT }])).toBe(stored);
  });

  it('a resource stored without schemas gets the core URN and the extension\'s', () => {
    const next = patch({ id: '1', userName: 'bjensen' }, [{ op: 'add', path: `${ENT}:department`, value: 'Sales' }]);
    expect(next).toEqual({ id: '1', userName: 'bjensen', schemas: [USER_SCHEMA, ENT], [ENT]: { department: 'Sales' } });
  });
});

describe('values kept as the schema and RFC 7643 §2 say', () => {
  it('null for a sub-attribute unassigns it, by path or inside a value; the last one gone removes the attribute (C11)', () => {
    const named = user({ name: { givenName: 'Barbara', familyName: 'Jensen' } });
    expect(patch(named, [{ op: 'replace', path: 'name.givenName', value: null }]).name).toEqual({ familyName: 'Jensen' });
    expect(patch(named, [{ op: 'replace', path: 'name', value: { givenName: null } }]).name).toEqual({ familyName: 'Jensen' });
    expect(patch(named, [{ op: 'replace', path: 'name', value: { givenName: null, familyName: null } }])).toEqual(user());
  });

  it('a sub-attribute stored in another spelling is written back in the schema\'s (C1)', () => {
    const next = patch(user({ name: { GivenName: 'Barbara', familyName: 'Jensen' } }), [{ op: 'replace', path: 'NAME.GIVENNAME', value: 'Babs' }]);
    expect(next.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' });
  });

  it('a value repeated in a replace list is stored once', () => {
    const next = patch(user(), [{ op: 'replace', path: 'emails', value: [{ value: 'a@example.com', type: 'work' }, { value: 'A@EXAMPLE.COM', type: 'WORK' }] }]);
    expect(next.emails).toEqual([{ value: 'a@example.com', type: 'work' }]);
  });

  it('"already present" compares a dateTime as an instant', () => {
    const holidays = { id: 'urn:example:params:scim:schemas:extension:leave:2.0:User', attributes: [{ name: 'holidays', type: 'dateTime', multiValued: true }] };
    const options = { ...OPTIONS, extensions: [holidays] };
    const stored = user({ schemas: [USER_SCHEMA, holidays.id], [holidays.id]: { holidays: ['2024-03-01T10:00:00+02:00'] } });
    expect(patch(stored, [{ op: 'add', path: `${holidays.id}:holidays`, value: ['2024-03-01T08:00:00Z'] }], options)).toBe(stored);
    expect(patch(stored, [{ op: 'add', path: `${holidays.id}:holidays`, value: ['2024-03-01T10:00:00Z'] }], options)[holidays.id]).toEqual({
      holidays: ['2024-03-01T10:00:00+02:00', '2024-03-01T10:00:00Z'],
    });
  });

  it('values without the identifying sub-attribute are compared too when finding one already present', () => {
    const stored = user({ emails: [{ display: 'No address yet', type: 'work' }, { value: 'bjensen@example.com' }] });
    expect(patch(stored, [{ op: 'add', path: 'emails', value: [{ value: 'BJENSEN@example.com' }] }])).toBe(stored);
    expect(patch(stored, [{ op: 'add', path: 'emails', value: [{ display: 'no address YET' }] }])).toBe(stored);
  });

  it.each([['2024-01-01T24:00:01Z'], ['2024-01-01T25:00:00Z'], ['2024-01-01T10:60:00Z'], ['2024-01-01T10:00:61Z'], ['2024-00-10T10:00:00Z'], ['2024-01-32T10:00:00Z']])(
    'dateTime %s is out of range: 400 invalidValue',
    (value) => {
      expect(errorOf(user(), [{ op: 'replace', path: `${TEST_URN}:hiredAt`, value }])).toEqual(bad('invalidValue'));
    },
  );

  it('a stored __proto__ key stays an own data property, at the top, in an extension object and in a list value', () => {
    const stored = JSON.parse(
      `{"schemas": ["${USER_SCHEMA}", "${ENT}"], "userName": "bjensen", "__proto__": {"polluted": true},` +
        `"${ENT}": {"department": "Sales", "__proto__": {"polluted": true}},` +
        '"emails": [{"value": "a@example.com", "__proto__": {"polluted": true}}]}',
    ) as Json;
    const next = patch(stored, [
      { op: 'add', path: 'nickName', value: 'Babs' },
      { op: 'add', path: `${ENT}:costCenter`, value: '4130' },
      { op: 'replace', path: 'emails.display', value: 'Work' },
    ]);
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(next, '__proto__')?.value).toEqual({ polluted: true });
    const enterprise = next[ENT] as Json;
    expect(Object.getPrototypeOf(enterprise)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(enterprise, '__proto__')?.value).toEqual({ polluted: true });
    const email = (next.emails as Json[])[0] as Json;
    expect(Object.getPrototypeOf(email)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(email, '__proto__')?.value).toEqual({ polluted: true });
    expect(email.display).toBe('Work');
    expect(({} as Json).polluted).toBeUndefined();
  });
});

describe('the change summary', () => {
  it('removing a whole extension names every attribute it held, and schemas', () => {
    const resource = deepFreeze(enterpriseUser({ department: 'Sales', manager: { value: 'm1' } }));
    const result = tryApplyPatch(resource, patchBody([{ op: 'remove', path: ENT }]), OPTIONS);
    expect(result.ok && result.summary).toEqual({
      changed: true,
      attributesChanged: expect.arrayContaining(['schemas', `${ENT}:department`, `${ENT}:manager`]) as unknown,
      valuesAdded: {},
      valuesRemoved: { schemas: [ENT] },
    });
    expect(result.ok && result.summary.attributesChanged.length).toBe(3);
  });

  it('a list that changed reports the values it gained and lost, by the extension path for an extension list', () => {
    const resource = deepFreeze(testUser({ skills: ['go', 'rust'] }));
    const result = tryApplyPatch(resource, patchBody([{ op: 'replace', path: `${TEST_URN}:skills`, value: ['rust', 'sql'] }]), OPTIONS);
    expect(result.ok && result.summary).toEqual({
      changed: true,
      attributesChanged: [`${TEST_URN}:skills`],
      valuesAdded: { [`${TEST_URN}:skills`]: ['sql'] },
      valuesRemoved: { [`${TEST_URN}:skills`]: ['go'] },
    });
  });
});

describe('limits: bounded work per request', () => {
  const many = user({ emails: Array.from({ length: 30 }, (_, i) => ({ value: `u${String(i)}@example.com`, type: 'other' })) });
  const filtered = [{ op: 'replace', path: 'emails[value eq "u29@example.com"].display', value: 'Last' }];

  it('a filter over a list longer than maxScannedMembers allows is 400 tooMany; within the budget it applies', () => {
    expect(errorOf(many, filtered, { ...OPTIONS, limits: { maxScannedMembers: 20 } })).toEqual(bad('tooMany'));
    expect(errorOf(many, [{ op: 'remove', path: 'emails[type eq "other"]' }], { ...OPTIONS, limits: { maxScannedMembers: 20 } })).toEqual(bad('tooMany'));
    const next = patch(many, filtered, { ...OPTIONS, limits: { maxScannedMembers: 1_000 } });
    expect((next.emails as Json[])[29]).toEqual({ value: 'u29@example.com', type: 'other', display: 'Last' });
  });

  it('the budget is per request: the passes of every operation add up', () => {
    const twice = [...filtered, ...filtered];
    const options = { ...OPTIONS, limits: { maxScannedMembers: 100 } };
    expect(() => patch(many, filtered, options)).not.toThrow();
    expect(errorOf(many, [...twice, ...twice], options)).toEqual(bad('tooMany'));
  });

  it('more values in one operation than maxValuesPerOperation: 413, as the Group API and PatchLimits say', () => {
    const three = [{ value: '1@example.com' }, { value: '2@example.com' }, { value: '3@example.com' }];
    const options = { ...OPTIONS, limits: { maxValuesPerOperation: 2 } };
    expect(errorOf(user(), [{ op: 'add', path: 'emails', value: three }], options)).toEqual({ status: 413, scimType: undefined });
    expect(errorOf(user(), [{ op: 'remove', path: 'emails', value: three }], options)).toEqual({ status: 413, scimType: undefined });
    expect((patch(user(), [{ op: 'add', path: 'emails', value: three.slice(0, 2) }], options).emails as Json[]).length).toBe(4);
  });

  it('more operations than maxOperations: 413', () => {
    const two = [{ op: 'add', path: 'nickName', value: 'a' }, { op: 'add', path: 'title', value: 'b' }];
    expect(errorOf(user(), two, { ...OPTIONS, limits: { maxOperations: 1 } })).toEqual({ status: 413, scimType: undefined });
  });
});

describe('meta.lastModified', () => {
  const withMeta = (): Json => user({ meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' } });
  const timed = { ...OPTIONS, setLastModified: true };

  it('set from `now` when something changed, the rest of meta kept', () => {
    expect(patch(withMeta(), [{ op: 'add', path: 'nickName', value: 'Babs' }], timed).meta).toEqual({
      resourceType: 'User',
      created: '2010-01-23T04:56:22Z',
      lastModified: NOW.toISOString(),
    });
    expect(patch(user(), [{ op: 'add', path: 'nickName', value: 'Babs' }], timed).meta).toEqual({ lastModified: NOW.toISOString() });
  });

  it('untouched when nothing changed: the same object comes back, and the clock is not needed', () => {
    const stored = withMeta();
    const clockless = { ...timed, now: (): Date => { throw new Error('the clock was read for a no-op'); } };
    expect(patch(stored, [{ op: 'add', path: 'emails', value: [{ value: 'babs@jensen.org' }] }], clockless)).toBe(stored);
  });

  it('setLastModified: false leaves meta as stored', () => {
    const next = patch(withMeta(), [{ op: 'add', path: 'nickName', value: 'Babs' }], { ...OPTIONS, setLastModified: false });
    expect(next.meta).toEqual({ resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' });
    expect(next.nickName).toBe('Babs');
  });
});

describe('tryApplyPatch', () => {
  it('returns a bad request as a ScimError without throwing', () => {
    const result = tryApplyPatch(deepFreeze(user()), patchBody([{ op: 'remove', path: 'userName' }]), OPTIONS);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBeInstanceOf(ScimError);
      expect(result.error.toResponse()).toMatchObject({ scimType: 'mutability', status: 400 });
    }
  });

  it('does not swallow the host\'s own errors (a clock that throws)', () => {
    const options = { ...OPTIONS, setLastModified: true, now: (): Date => { throw new RangeError('clock unavailable'); } };
    expect(() => tryApplyPatch(user(), patchBody([{ op: 'add', path: 'nickName', value: 'Babs' }]), options)).toThrow(RangeError);
  });
});

describe('defects these tests found, now fixed', () => {
  it('a pathless value nesting the core URN key deeply is refused with a ScimError (was a RangeError)', () => {
    // Each `{"urn:…:core:2.0:User": {…}}` level holds core attributes (C6), read by recursion.
    let value: unknown = { nickName: 'Babs' };
    for (let i = 0; i < 100_000; i++) value = { [USER_SCHEMA]: value };
    const request = patchBody([{ op: 'add', value }]);
    let result: ReturnType<typeof tryApplyPatch> | undefined;
    expect(() => (result = tryApplyPatch(user(), request, OPTIONS))).not.toThrow();
    expect(result?.ok === false ? result.error.status : 'applied').toBe(400);
  });

  it('February 30 is not an xsd:dateTime (RFC 7643 §2.3.5): 400 invalidValue', () => {
    expect(errorOf(user(), [{ op: 'replace', path: `${TEST_URN}:hiredAt`, value: '2024-02-30T00:00:00Z' }])).toEqual(bad('invalidValue'));
  });

  it('an empty list added to an absent attribute is no change (C11: absent and [] are both unassigned)', () => {
    const stored = user();
    expect(patch(stored, [{ op: 'add', path: 'phoneNumbers', value: [] }])).toBe(stored);
  });

  it('null replacing an absent multi-valued attribute is no change (C11)', () => {
    const stored = user();
    expect(patch(stored, [{ op: 'replace', path: 'phoneNumbers', value: null }])).toBe(stored);
  });

  it('a filter on a simple multi-valued attribute matches its values: remove skills[value eq "GO"] removes "go"', () => {
    // The path resolver accepts `value` as the sub-attribute of a simple multi-valued attribute
    // (RFC 7644 §3.10), and skills are not caseExact.
    expect(patch(testUser({ skills: ['go', 'rust'] }), [{ op: 'remove', path: `${TEST_URN}:skills[value eq "GO"]` }])[TEST_URN]).toEqual({ skills: ['rust'] });
  });

  it('the summary names each changed attribute once when the stored extension key is spelled in another case', () => {
    const resource = deepFreeze(user({ schemas: [USER_SCHEMA, ENT], [ENT.toLowerCase()]: { costCenter: '4130' } }));
    const result = tryApplyPatch(resource, patchBody([{ op: 'add', path: `${ENT}:department`, value: 'Sales' }]), OPTIONS);
    expect(result.ok ? result.summary.attributesChanged : result.error.detail).toEqual([`${ENT}:department`]);
  });

  it('removing an extension stored as a non-object is a 500, as every other read of it is', () => {
    const resource = deepFreeze(user({ [ENT]: 'Tour Operations' }));
    const result = tryApplyPatch(resource, patchBody([{ op: 'remove', path: ENT }]), OPTIONS);
    expect(result.ok ? 'applied' : result.error.status).toBe(500);
  });
});

describe('primary marks a value, it does not tell values apart', () => {
  it("Entra re-sending a stored email with primary: true makes it the primary one instead of adding a copy (RFC 7643 §2.4)", () => {
    const stored = deepFreeze(user({ emails: [{ value: 'a@example.com', type: 'work' }, { value: 'b@example.com', type: 'home', primary: true }] }));
    const next = patch(stored, [{ op: 'Add', path: 'emails', value: [{ value: 'a@example.com', type: 'work', primary: true }] }]);
    expect(next.emails).toEqual([
      { value: 'a@example.com', type: 'work', primary: true },
      { value: 'b@example.com', type: 'home', primary: false },
    ]);
  });
});
