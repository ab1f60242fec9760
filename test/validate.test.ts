import { describe, expect, it } from 'vitest';
import { PATCH_OP_SCHEMA, ScimError, validatePatchRequest } from '../src/index.js';
import { deepFreeze } from './support/freeze.js';

function scimTypeOf(body: unknown, options = {}): string | undefined {
  try {
    validatePatchRequest(body, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(400);
    return (error as ScimError).scimType;
  }
  return undefined;
}

function detailOf(body: unknown): string {
  try {
    validatePatchRequest(body);
  } catch (error) {
    return (error as ScimError).detail;
  }
  throw new Error('expected a ScimError');
}

describe('validatePatchRequest: envelope', () => {
  it('lower-cases op names and fills in missing schemas', () => {
    const body = deepFreeze({
      Operations: [
        { op: 'Add', path: 'members', value: [{ value: 'u1' }] },
        { op: 'REPLACE', path: 'displayName', value: 'x' },
        { op: 'remove', path: 'members' },
      ],
    });
    expect(validatePatchRequest(body)).toEqual({
      schemas: [PATCH_OP_SCHEMA],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: 'u1' }] },
        { op: 'replace', path: 'displayName', value: 'x' },
        { op: 'remove', path: 'members' },
      ],
    });
  });

  it('keeps the schemas the client sent and accepts envelope names in any case', () => {
    const schemas = [PATCH_OP_SCHEMA.toUpperCase()];
    expect(validatePatchRequest({ SCHEMAS: schemas, operations: [] })).toEqual({ schemas, Operations: [] });
  });

  it.each([
    ['not an object', 'invalidSyntax', 'PATCH'],
    ['an array', 'invalidSyntax', []],
    ['null', 'invalidSyntax', null],
    ['no Operations', 'invalidSyntax', { schemas: [PATCH_OP_SCHEMA] }],
    ['Operations an object', 'invalidSyntax', { Operations: { op: 'add' } }],
    ['schemas without PatchOp', 'invalidSyntax', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], Operations: [] }],
    ['schemas a string', 'invalidSyntax', { schemas: PATCH_OP_SCHEMA, Operations: [] }],
    ['schemas with a number', 'invalidSyntax', { schemas: [PATCH_OP_SCHEMA, 7], Operations: [] }],
    ['a SCIM 1.1 body', 'invalidSyntax', { schemas: ['urn:scim:schemas:core:1.0'], members: [{ value: 'u1', operation: 'delete' }] }],
    ['Operations twice in two spellings', 'invalidSyntax', { Operations: [], operations: [] }],
    ['an operation that is not an object', 'invalidSyntax', { Operations: ['add'] }],
    ['op missing', 'invalidSyntax', { Operations: [{ path: 'displayName', value: 'x' }] }],
    ['op not a string', 'invalidSyntax', { Operations: [{ op: 1, path: 'displayName', value: 'x' }] }],
    ['unknown op', 'invalidSyntax', { Operations: [{ op: 'merge', path: 'displayName', value: 'x' }] }],
    ['op twice', 'invalidSyntax', { Operations: [{ op: 'add', OP: 'remove', path: 'members' }] }],
    ['path not a string', 'invalidPath', { Operations: [{ op: 'remove', path: ['members'] }] }],
    ['add without value', 'invalidValue', { Operations: [{ op: 'add', path: 'members' }] }],
    ['replace without value', 'invalidValue', { Operations: [{ op: 'replace', path: 'displayName' }] }],
    ['remove without path', 'noTarget', { Operations: [{ op: 'remove', value: [{ value: 'u1' }] }] }],
    ['remove with a null path', 'noTarget', { Operations: [{ op: 'remove', path: null }] }],
  ])('rejects %s with %s', (_name, scimType, body) => {
    expect(scimTypeOf(body)).toBe(scimType);
  });

  it('says that a missing body is probably a body parser the framework lacks', () => {
    // undefined is what a framework hands over when it did not parse an application/scim+json body.
    expect(scimTypeOf(undefined)).toBe('invalidSyntax');
    const detail = detailOf(undefined);
    expect(detail).toMatch(/^request body is missing: /);
    expect(detail).toContain('the framework did not parse it');
    expect(detail).toContain('application/scim+json');
    // JSON null was parsed: it keeps the plain envelope message.
    expect(detailOf(null)).toBe('request body must be a PatchOp JSON object, got null');
    expect(detailOf('PATCH')).toBe('request body must be a PatchOp JSON object, got a string');
  });

  it('rejects the whole request for one bad operation anywhere', () => {
    const body = {
      Operations: [
        { op: 'add', path: 'members', value: [{ value: 'u1' }] },
        { op: 'replace', path: 'displayName', value: 'ok' },
        { op: 'remove', path: 'members[value eq]' },
      ],
    };
    expect(scimTypeOf(body)).toBe('invalidFilter');
    expect(detailOf(body)).toMatch(/^Operations\[2\]\.path: /);
  });

  it('names the failing operation and member in value errors', () => {
    const body = { Operations: [{ op: 'add', path: 'members', value: [{ value: 'u1' }, { display: 'x' }] }] };
    expect(detailOf(body)).toMatch(/^Operations\[0\]\.value\[1\]\.value /);
  });

  it.each<[unknown, string]>([
    [[{ value: 'a' }, { value: 'b' }, { value: 'c', display: 5 }], 'Operations[0].value[2].display must be a string, got a number'],
    [[{ value: 'a' }, 7], 'Operations[0].value[1]: a member must be an object with a string "value", got a number'],
    [[{ value: 'a' }, { value: '' }], 'Operations[0].value[1].value must be a non-empty string, got an empty string'],
    [{ members: [{ value: 'a' }, { Value: 'b', TYPE: 3 }] }, 'Operations[0].value.members[1].type must be a string, got a number'],
    [[{ value: 'a' }, { constructor: 'x', value: 'b' }], "Operations[0].value[1]: 'constructor' is not allowed as an attribute name"],
    [{ value: 'a', $ref: false }, 'Operations[0].value.$ref must be a string, got a boolean'],
  ])('names the member and sub-attribute at fault: %j', (value, detail) => {
    expect(detailOf({ Operations: [{ op: 'add', path: 'members', value }] })).toBe(detail);
  });

  it('checks values of every operation too', () => {
    expect(scimTypeOf({ Operations: [{ op: 'replace', path: 'displayName', value: '' }] })).toBe('invalidValue');
    expect(scimTypeOf({ Operations: [{ op: 'add', path: 'members', value: ['u1'] }] })).toBe('invalidValue');
    expect(scimTypeOf({ Operations: [{ op: 'replace', value: 'x' }] })).toBe('invalidValue');
  });

  it('depends on the host options', () => {
    const body = { Operations: [{ op: 'replace', path: 'externalId', value: 'e1' }] };
    expect(scimTypeOf(body)).toBeUndefined();
    expect(scimTypeOf(body, { externalIdMutability: 'readOnly' })).toBe('mutability');
  });
});
