/**
 * The schema reader (`compileSchema`) and the built-in schema definitions.
 *
 * The expected definitions come from RFC 7643: §8.7.1's JSON as printed
 * (test/fixtures/schemas/rfc7643-schemas.json), §2.2's defaults, and the three readings of the
 * printed JSON's quirks that §2.4, §4.2 and §8.2 call for.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA,
  GROUP_SCHEMA_DEFINITION,
  USER_SCHEMA,
  USER_SCHEMA_DEFINITION,
  type AttributeRepresentation,
  type SchemaRepresentation,
} from '../src/index.js';
// compileSchema is internal: this file tests it from src/ even when the suite runs against dist/
// (npm run test:dist), so its error class comes from src/ too.
import { ScimError } from '../src/errors.js';
import { compileSchema, type AttributeDefinition } from '../src/resource-schema.js';
import { deepFreeze } from './support/freeze.js';

type Json = Record<string, unknown>;

const BROKEN = 'urn:example:params:scim:schemas:extension:broken:2.0:Thing';

function loadJson(relative: string): unknown {
  return JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8'));
}

const printed = (loadJson('./fixtures/schemas/rfc7643-schemas.json') as { schemas: Json[] }).schemas;

function printedSchema(id: string): Json {
  const found = printed.find((schema) => schema.id === id);
  if (found === undefined) throw new Error(`the fixture has no schema ${id}`);
  return deepFreeze(found);
}

const BUILT_INS: readonly [string, SchemaRepresentation][] = [
  [USER_SCHEMA, USER_SCHEMA_DEFINITION],
  [GROUP_SCHEMA, GROUP_SCHEMA_DEFINITION],
  [ENTERPRISE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA_DEFINITION],
];

/** Every field of a definition but `subAttributes`, which is compared by recursion. */
const FIELDS = [
  'name',
  'type',
  'multiValued',
  'required',
  'caseExact',
  'mutability',
  'returned',
  'uniqueness',
  'canonicalValues',
  'referenceTypes',
  'schema',
  'path',
] as const satisfies readonly (keyof AttributeDefinition)[];

/** Compares two sets of definitions field by field, every attribute and sub-attribute, in order. */
function expectSameDefinitions(
  actual: ReadonlyMap<string, AttributeDefinition>,
  expected: ReadonlyMap<string, AttributeDefinition>,
  where: string,
): void {
  expect([...actual.keys()], `${where}: attribute names`).toEqual([...expected.keys()]);
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (got === undefined) throw new Error(`${where}: no '${key}'`);
    expect(Object.keys(got).sort(), `${where}.${key}: fields`).toEqual([...FIELDS, 'subAttributes'].sort());
    for (const field of FIELDS) expect(got[field], `${where}.${key}.${field}`).toEqual(want[field]);
    expectSameDefinitions(got.subAttributes, want.subAttributes, `${where}.${key}`);
  }
}

/** The names of a compiled schema, sub-attributes as `parent.sub`, in order. */
function compiledNames(attributes: ReadonlyMap<string, AttributeDefinition>): string[] {
  return [...attributes.values()].flatMap((a) => [a.name, ...[...a.subAttributes.values()].map((s) => `${a.name}.${s.name}`)]);
}

/** The names a representation lists, sub-attributes as `parent.sub`, in order. */
function representedNames(attributes: readonly { name: string; subAttributes?: readonly { name: string }[] }[]): string[] {
  return attributes.flatMap((a) => [a.name, ...(a.subAttributes ?? []).map((s) => `${a.name}.${s.name}`)]);
}

function scimErrorOf(action: () => unknown): ScimError {
  try {
    action();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw new Error('expected a ScimError', { cause: error });
  }
  throw new Error('expected a ScimError, nothing was thrown');
}

describe('built-in schema definitions', () => {
  it.each(BUILT_INS)('%s compiles to the same definitions as RFC 7643 §8.7.1 as printed', (id, definition) => {
    const fromBuiltIn = compileSchema(definition);
    const fromRfc = compileSchema(printedSchema(id));
    expect(fromBuiltIn.id).toBe(id);
    expect(fromRfc.id).toBe(id);
    expectSameDefinitions(fromBuiltIn.attributes, fromRfc.attributes, id);
  });

  it('the comparison notices one characteristic that differs', () => {
    const changed = structuredClone(printedSchema(USER_SCHEMA)) as { attributes: Json[] };
    const emails = changed.attributes.find((a) => a.name === 'emails') as { subAttributes: Json[] };
    (emails.subAttributes[0] as Json).caseExact = true;
    expect(() => {
      expectSameDefinitions(compileSchema(changed).attributes, compileSchema(USER_SCHEMA_DEFINITION).attributes, 'changed');
    }).toThrow(/emails\.value\.caseExact/);
  });

  it.each(BUILT_INS)('%s lists every attribute itself: compiling it adds nothing', (_id, definition) => {
    expect(compiledNames(compileSchema(definition).attributes)).toEqual(representedNames(definition.attributes));
  });

  it('the printed JSON needs the three readings the built-ins carry at the source', () => {
    const user = printedSchema(USER_SCHEMA) as { attributes: AttributeRepresentation[] };
    const group = printedSchema(GROUP_SCHEMA) as { attributes: AttributeRepresentation[] };
    expect(representedNames(user.attributes)).not.toContain('addresses.primary');
    expect(representedNames(group.attributes)).not.toContain('members.display');
    expect(group.attributes.find((a) => a.name === 'displayName')?.required).toBe(false);

    expect(representedNames(USER_SCHEMA_DEFINITION.attributes)).toContain('addresses.primary');
    expect(representedNames(GROUP_SCHEMA_DEFINITION.attributes)).toContain('members.display');
    expect(GROUP_SCHEMA_DEFINITION.attributes.find((a) => a.name === 'displayName')?.required).toBe(true);

    const addresses = compileSchema(user).attributes.get('addresses');
    expect(addresses?.subAttributes.get('primary')).toMatchObject({ name: 'primary', type: 'boolean', mutability: 'readWrite', path: 'addresses.primary' });
    const members = compileSchema(group).attributes.get('members');
    expect(members?.subAttributes.get('display')).toMatchObject({ name: 'display', type: 'string', mutability: 'readWrite', path: 'members.display' });
    expect(compileSchema(group).attributes.get('displayname')?.required).toBe(true);
  });

  it('reads the quirks only where they belong: no primary on Group members or User groups', () => {
    const group = compileSchema(printedSchema(GROUP_SCHEMA));
    expect([...(group.attributes.get('members')?.subAttributes.keys() ?? [])]).toEqual(['value', '$ref', 'type', 'display']);
    const user = compileSchema(printedSchema(USER_SCHEMA));
    expect([...(user.attributes.get('groups')?.subAttributes.keys() ?? [])]).toEqual(['value', '$ref', 'display', 'type']);
  });

  it('gives an added sub-attribute the readOnly mutability of a readOnly parent', () => {
    const group = structuredClone(printedSchema(GROUP_SCHEMA)) as { attributes: Json[] };
    const members = group.attributes.find((a) => a.name === 'members') as Json;
    members.mutability = 'readOnly';
    const display = compileSchema(group).attributes.get('members')?.subAttributes.get('display');
    expect(display).toMatchObject({ name: 'display', mutability: 'readOnly' });
  });

  it('reads the quirks whatever the case of the schema URN and the names', () => {
    const group = structuredClone(printedSchema(GROUP_SCHEMA)) as { id: string; attributes: Json[] };
    group.id = GROUP_SCHEMA.toLowerCase();
    for (const attribute of group.attributes) attribute.name = String(attribute.name).toUpperCase();
    const compiled = compileSchema(group);
    expect(compiled.attributes.get('displayname')?.required).toBe(true);
    expect([...(compiled.attributes.get('members')?.subAttributes.keys() ?? [])]).toContain('display');
  });

  it.each(BUILT_INS)('%s spells out every characteristic and no description', (_id, definition) => {
    const characteristics = ['name', 'type', 'multiValued', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness'];
    const check = (attribute: AttributeRepresentation, top: boolean): void => {
      for (const key of characteristics) expect(attribute, `${attribute.name}.${key}`).toHaveProperty(key);
      expect(attribute).not.toHaveProperty('description');
      if (attribute.type === 'complex') {
        expect(top, `${attribute.name} is a complex sub-attribute`).toBe(true);
        expect(attribute.subAttributes?.length, `${attribute.name}.subAttributes`).toBeGreaterThan(0);
        for (const sub of attribute.subAttributes ?? []) check(sub, false);
      } else {
        expect(attribute).not.toHaveProperty('subAttributes');
      }
    };
    for (const attribute of definition.attributes) check(attribute, true);
  });

  it.each(BUILT_INS)('%s has its id, name and meta as RFC 7643 §8.7.1 prints them', (id, definition) => {
    const rfc = printedSchema(id);
    expect(definition.id).toBe(id);
    expect(definition.name).toBe(rfc.name);
    expect(definition.description).toBe(rfc.description);
    expect(definition.meta).toEqual({ resourceType: 'Schema', location: `/v2/Schemas/${id}` });
    expect(definition.meta).toEqual(rfc.meta);
  });

  it.each(BUILT_INS)('%s is deeply frozen', (_id, definition) => {
    const unfrozen: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (typeof value !== 'object' || value === null) return;
      if (!Object.isFrozen(value)) unfrozen.push(where);
      for (const [key, child] of Object.entries(value)) visit(child, `${where}.${key}`);
    };
    visit(definition, 'definition');
    expect(unfrozen).toEqual([]);
    expect(() => {
      (definition.attributes as AttributeRepresentation[]).push(definition.attributes[0] as AttributeRepresentation);
    }).toThrow(TypeError);
  });

  it('holds the characteristics RFC 7643 §4 gives in prose', () => {
    const user = compileSchema(USER_SCHEMA_DEFINITION).attributes;
    expect(user.get('username')).toMatchObject({ required: true, uniqueness: 'server', caseExact: false });
    expect(user.get('password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(user.get('active')?.type).toBe('boolean');
    expect(user.get('groups')?.mutability).toBe('readOnly');
    expect(user.get('photos')?.subAttributes.get('value')).toMatchObject({ type: 'reference', referenceTypes: ['external'] });
    expect(user.get('x509certificates')?.subAttributes.get('value')?.type).toBe('binary');
    expect(user.get('emails')?.subAttributes.get('type')?.canonicalValues).toEqual(['work', 'home', 'other']);
    const group = compileSchema(GROUP_SCHEMA_DEFINITION).attributes;
    expect(group.get('members')?.subAttributes.get('value')?.mutability).toBe('immutable');
    const enterprise = compileSchema(ENTERPRISE_USER_SCHEMA_DEFINITION).attributes;
    expect(enterprise.get('manager')).toMatchObject({ type: 'complex', multiValued: false, schema: ENTERPRISE_USER_SCHEMA });
    expect(enterprise.get('manager')?.subAttributes.get('displayname')?.mutability).toBe('readOnly');
    // Printed required: false although its description says REQUIRED; kept, as the RFC prints it.
    expect(enterprise.get('manager')?.subAttributes.get('value')?.required).toBe(false);
  });
});

describe('compileSchema: RFC 7643 §2.2 defaults', () => {
  it('fills in every characteristic a minimal custom schema leaves out', () => {
    const id = 'urn:example:params:scim:schemas:extension:minimal:2.0:Device';
    const compiled = compileSchema(
      deepFreeze({ id, attributes: [{ name: 'label' }, { name: 'badge', type: 'complex', subAttributes: [{ name: 'code' }] }] }),
    );
    const defaults = {
      type: 'string',
      multiValued: false,
      required: false,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'none',
      canonicalValues: [],
      referenceTypes: [],
      schema: id,
    };
    const code: AttributeDefinition = { ...defaults, name: 'code', path: 'badge.code', subAttributes: new Map() } as AttributeDefinition;
    const expected = new Map<string, AttributeDefinition>([
      ['label', { ...defaults, name: 'label', path: 'label', subAttributes: new Map() } as AttributeDefinition],
      ['badge', { ...defaults, type: 'complex', name: 'badge', path: 'badge', subAttributes: new Map([['code', code]]) } as AttributeDefinition],
    ]);
    expect(compiled.id).toBe(id);
    expectSameDefinitions(compiled.attributes, expected, id);
  });

  it('reads null as the default too', () => {
    const compiled = compileSchema({
      id: 'urn:example:params:scim:schemas:extension:minimal:2.0:Device',
      attributes: [{ name: 'label', type: null, multiValued: null, mutability: null, canonicalValues: null }],
    });
    expect(compiled.attributes.get('label')).toMatchObject({ type: 'string', multiValued: false, mutability: 'readWrite', canonicalValues: [] });
  });

  it('reads a complex attribute without subAttributes as having none', () => {
    const compiled = compileSchema({ id: 'urn:example:params:scim:schemas:extension:minimal:2.0:Device', attributes: [{ name: 'tags', type: 'complex' }] });
    expect(compiled.attributes.get('tags')?.subAttributes.size).toBe(0);
  });
});

describe('compileSchema: a custom Group extension', () => {
  const representation = deepFreeze(loadJson('./fixtures/resources/schemas/acme-group-extension.json'));
  const id = 'urn:example:params:scim:schemas:extension:acme:2.0:Group';

  it('compiles with the types, mutability and sub-attributes its JSON gives', () => {
    const compiled = compileSchema(representation);
    expect(compiled.id).toBe(id);
    const attributes = compiled.attributes;
    expect([...attributes.keys()]).toEqual(['description', 'owners', 'originsystem', 'seatlimit', 'costshare']);
    expect(attributes.get('description')).toMatchObject({ type: 'string', multiValued: false, mutability: 'readWrite', schema: id, path: 'description' });
    expect(attributes.get('originsystem')).toMatchObject({ name: 'originSystem', type: 'string', caseExact: true, mutability: 'immutable' });
    expect(attributes.get('seatlimit')).toMatchObject({ name: 'seatLimit', type: 'integer', caseExact: false });
    expect(attributes.get('costshare')).toMatchObject({ name: 'costShare', type: 'decimal' });

    const owners = attributes.get('owners');
    expect(owners).toMatchObject({ type: 'complex', multiValued: true, required: false, mutability: 'readWrite' });
    // Exactly the sub-attributes the extension lists: a custom schema gets no implicit primary.
    expect([...(owners?.subAttributes.keys() ?? [])]).toEqual(['value', 'display', '$ref', 'since']);
    expect(owners?.subAttributes.get('value')).toMatchObject({ required: true, caseExact: true, mutability: 'immutable', path: 'owners.value', schema: id });
    expect(owners?.subAttributes.get('display')).toMatchObject({ type: 'string', mutability: 'readWrite' });
    expect(owners?.subAttributes.get('$ref')).toMatchObject({ type: 'reference', referenceTypes: ['User'], caseExact: true });
    expect(owners?.subAttributes.get('since')).toMatchObject({ type: 'dateTime', path: 'owners.since' });
  });
});

describe('compileSchema: invalid representations are a ScimError 500 naming the problem', () => {
  const id = BROKEN;
  const withAttributes = (...attributes: unknown[]): Json => ({ id, attributes });
  const cases: readonly [string, unknown, RegExp][] = [
    ['null', null, /not an object/],
    ['a list', [], /not an object/],
    ['a string', 'urn:x:y', /not an object/],
    ['no id', { attributes: [] }, /id must be a schema URN/],
    ['an id that is not a URN', { id: 'User', attributes: [] }, /id must be a schema URN/],
    ['attributes not a list', { id, attributes: { name: 'x' } }, /attributes must be a list/],
    ['no attributes', { id }, /attributes must be a list/],
    ['an attribute that is not an object', withAttributes('userName'), /attributes\[0\] is not an object/],
    ['an unknown type', withAttributes({ name: 'size', type: 'text' }), /size\)\.type is 'text', expected one of string, boolean/],
    ['an unknown mutability', withAttributes({ name: 'size', mutability: 'readonly' }), /mutability is 'readonly', expected one of readOnly/],
    ['an unknown returned', withAttributes({ name: 'size', returned: 'sometimes' }), /returned is 'sometimes'/],
    ['an unknown uniqueness', withAttributes({ name: 'size', uniqueness: 1 }), /uniqueness is 1, expected one of none/],
    ['a mutability that is an object', withAttributes({ name: 'size', mutability: Object.create(null) as object }), /mutability is a value of type object/],
    ['a type that is a list', withAttributes({ name: 'size', type: ['string'] }), /type is a list/],
    ['a non-boolean multiValued', withAttributes({ name: 'size', multiValued: 'true' }), /size\)\.multiValued must be a boolean/],
    ['a non-boolean required', withAttributes({ name: 'size', required: 0 }), /required must be a boolean/],
    ['canonicalValues not strings', withAttributes({ name: 'size', canonicalValues: ['s', 1] }), /canonicalValues must be a list of strings/],
    ['referenceTypes not a list', withAttributes({ name: 'size', type: 'reference', referenceTypes: 'User' }), /referenceTypes must be a list of strings/],
    ['subAttributes not a list', withAttributes({ name: 'size', type: 'complex', subAttributes: {} }), /subAttributes must be a list/],
    [
      'a complex sub-attribute',
      withAttributes({ name: 'outer', type: 'complex', subAttributes: [{ name: 'inner', type: 'complex' }] }),
      /sub-attribute cannot be complex/,
    ],
    ['a duplicate attribute name', withAttributes({ name: 'userName' }, { name: 'USERNAME' }), /defines 'USERNAME' twice/],
    [
      'a duplicate sub-attribute name',
      withAttributes({ name: 'badge', type: 'complex', subAttributes: [{ name: 'code' }, { name: 'Code' }] }),
      /\(badge\) defines 'Code' twice/,
    ],
    ['a __proto__ name', withAttributes({ name: '__proto__' }), /attributes\[0\]\.name is not an attribute name/],
    ['a constructor name', withAttributes({ name: 'Constructor' }), /name is not an attribute name/],
    [
      'a __proto__ sub-attribute',
      withAttributes({ name: 'badge', type: 'complex', subAttributes: [{ name: '__proto__' }] }),
      /subAttributes\[0\]\.name is not an attribute name/,
    ],
    ['a name with a space', withAttributes({ name: 'user name' }), /name is not an attribute name/],
    ['a name that starts with a digit', withAttributes({ name: '2fa' }), /name is not an attribute name/],
    ['no name', withAttributes({ type: 'string' }), /name is not an attribute name/],
  ];

  it.each(cases)('%s', (_label, representation, detail) => {
    const error = scimErrorOf(() => compileSchema(representation));
    expect(error.status).toBe(500);
    expect(error.scimType).toBeUndefined();
    expect(error.detail).toMatch(/^schema is invalid: /);
    expect(error.detail).toMatch(detail);
  });

  it('clips a long value quoted in the detail', () => {
    const error = scimErrorOf(() => compileSchema(withAttributes({ name: 'size', type: 'x'.repeat(10_000) })));
    expect(error.detail.length).toBeLessThan(400);
    expect(error.detail).toContain('(10000 characters)');
  });
});

describe('compileSchema: cache and names', () => {
  it('compiles the same object once', () => {
    expect(compileSchema(USER_SCHEMA_DEFINITION)).toBe(compileSchema(USER_SCHEMA_DEFINITION));
    const rfc = printedSchema(USER_SCHEMA);
    expect(compileSchema(rfc)).toBe(compileSchema(rfc));
  });

  it('compiles a structurally equal copy to an equal result', () => {
    const copy = structuredClone(USER_SCHEMA_DEFINITION);
    const fromCopy = compileSchema(copy);
    const fromOriginal = compileSchema(USER_SCHEMA_DEFINITION);
    expect(fromCopy).not.toBe(fromOriginal);
    expect(fromCopy.id).toBe(fromOriginal.id);
    expectSameDefinitions(fromCopy.attributes, fromOriginal.attributes, 'copy');
  });

  it('does not cache a representation it refused', () => {
    const representation = { id: BROKEN, attributes: [{ name: 'size', type: 'text' }] };
    expect(() => compileSchema(representation)).toThrow(ScimError);
    expect(() => compileSchema(representation)).toThrow(ScimError);
  });

  it('looks names up case-insensitively and keeps the schema spelling', () => {
    const user = compileSchema(USER_SCHEMA_DEFINITION).attributes;
    for (const spelled of ['userName', 'USERNAME', 'username']) expect(user.get(spelled.toLowerCase())?.name).toBe('userName');
    const givenName = user.get('NAME'.toLowerCase())?.subAttributes.get('GivenName'.toLowerCase());
    expect(givenName).toMatchObject({ name: 'givenName', path: 'name.givenName', schema: USER_SCHEMA });
    expect(user.get('x509certificates')?.name).toBe('x509Certificates');
    expect(user.get('emails')?.subAttributes.get('$ref')).toBeUndefined();

    const acme = 'urn:example:params:scim:schemas:extension:Acme:2.0:User';
    const custom = compileSchema({ id: acme, attributes: [{ name: 'EmployeeID' }] });
    expect([...custom.attributes.keys()]).toEqual(['employeeid']);
    expect(custom.attributes.get('employeeid')).toMatchObject({ name: 'EmployeeID', path: 'EmployeeID', schema: acme });
    expect(custom.id).toBe(acme);
  });
});
