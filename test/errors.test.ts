import { describe, expect, it } from 'vitest';
import {
  applyGroupPatch,
  applyPatch,
  badRequest,
  buildErrorResponse,
  conflict,
  ERROR_SCHEMA,
  forbidden,
  GROUP_SCHEMA_DEFINITION,
  internalError,
  methodNotAllowed,
  notImplemented,
  payloadTooLarge,
  preconditionFailed,
  resourceNotFound,
  SCIM_TYPES,
  ScimError,
  toScimError,
  unauthorized,
  unsupportedMediaType,
  validatePatchRequest,
} from '../src/index.js';
import { scimErrorOf } from './support/scim-error.js';

describe('error bodies from the seeds', () => {
  it('reproduces the LightOn 401 body byte for byte', () => {
    expect(JSON.stringify(unauthorized().toResponse())).toBe(
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Unauthorized","status":401}',
    );
  });

  it('quotes at most 80 characters of an id from the URL', () => {
    expect(resourceNotFound('x'.repeat(10_000)).detail.length).toBeLessThan(150);
  });

  it('reproduces the LightOn 404 body byte for byte', () => {
    expect(JSON.stringify(resourceNotFound('123').toResponse())).toBe(
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Resource 123 not found","status":404}',
    );
  });

  it('adds Huawei Cloud\'s timeStamp when asked, from a Date or a string', () => {
    const at = new Date('2024-04-10T08:00:00.000Z');
    expect(forbidden('Token belongs to another tenant').toResponse({ timeStamp: at })).toEqual({
      schemas: [ERROR_SCHEMA],
      detail: 'Token belongs to another tenant',
      status: 403,
      timeStamp: '2024-04-10T08:00:00.000Z',
    });
    expect(internalError().toResponse({ timeStamp: 'now-ish' }).timeStamp).toBe('now-ish');
  });
});

describe('buildErrorResponse', () => {
  it('renders every RFC 7644 §3.12 scimType on a 400, scimType before detail', () => {
    expect(SCIM_TYPES).toHaveLength(10);
    for (const scimType of SCIM_TYPES) {
      const body = badRequest(scimType, `bad: ${scimType}`).toResponse();
      expect(Object.keys(body)).toEqual(['schemas', 'scimType', 'detail', 'status']);
      expect(body).toEqual({ schemas: [ERROR_SCHEMA], scimType, detail: `bad: ${scimType}`, status: 400 });
    }
  });

  it('renders the RFC\'s string status on request', () => {
    const body = buildErrorResponse(
      { status: 400, scimType: 'mutability', detail: "Attribute 'id' is readOnly" },
      { statusFormat: 'string' },
    );
    expect(body).toEqual({
      schemas: [ERROR_SCHEMA],
      scimType: 'mutability',
      detail: "Attribute 'id' is readOnly",
      status: '400',
    });
  });

  it.each([
    [unauthorized(), 401, undefined],
    [forbidden(), 403, undefined],
    [resourceNotFound('g-9'), 404, undefined],
    [methodNotAllowed(), 405, undefined],
    [unsupportedMediaType(), 415, undefined],
    [conflict('displayName "Eng" is taken'), 409, 'uniqueness'],
    [preconditionFailed(), 412, undefined],
    [payloadTooLarge(), 413, undefined],
    [internalError(), 500, undefined],
    [notImplemented(), 501, undefined],
  ] as const)('builds a %s body', (error, status, scimType) => {
    expect(error).toBeInstanceOf(ScimError);
    expect(error.status).toBe(status);
    expect(error.scimType).toBe(scimType);
    const body = error.toResponse();
    expect(body.status).toBe(status);
    expect(body.schemas).toEqual([ERROR_SCHEMA]);
    expect('scimType' in body).toBe(scimType !== undefined);
    expect(typeof body.detail).toBe('string');
    expect(body.detail.length).toBeGreaterThan(0);
  });
});

describe('ScimError', () => {
  it('is an Error carrying status, scimType and detail', () => {
    const error = badRequest('invalidPath', 'Operations[2].path: nope');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ScimError');
    expect(error.message).toBe('Operations[2].path: nope');
    expect(JSON.parse(JSON.stringify(error))).toEqual(error.toResponse());
  });

  it('always has a scimType on a 400', () => {
    expect(new ScimError({ status: 400, detail: 'x' }).scimType).toBe('invalidSyntax');
    expect(new ScimError({ status: 404, detail: 'x' }).scimType).toBeUndefined();
  });

  it('toScimError keeps a ScimError and hides anything else behind a generic 500', () => {
    const known = badRequest('noTarget', 'x');
    expect(toScimError(known)).toBe(known);
    const hidden = toScimError(new TypeError('secret stack detail at /srv/app.js'));
    expect(hidden.status).toBe(500);
    expect(hidden.detail).not.toContain('secret');
  });
});

describe('ScimError.operationIndex: where the request failed, as data', () => {
  const body = (operations: unknown[]): unknown => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });
  const group = { id: 'g', displayName: 'G', members: [{ value: 'u1' }] };

  it('names the failing operation in validation, normalization and application, for both APIs', () => {
    const bad = [
      body([{ op: 'add', path: 'members', value: [{ value: 'u2' }] }, { op: 'move', path: 'members' }]),
      body([{ op: 'add', path: 'members', value: [{ value: 'u2' }] }, { op: 'add', path: 'members', value: [{ display: 'no id' }] }]),
      body([{ op: 'add', path: 'members', value: [{ value: 'u2' }] }, { op: 'replace', path: 'members[value eq "nobody"].display', value: 'x' }]),
    ];
    for (const request of bad) {
      expect(scimErrorOf(() => applyGroupPatch(group, request)).operationIndex).toBe(1);
      expect(scimErrorOf(() => applyPatch(group, request, { schema: GROUP_SCHEMA_DEFINITION })).operationIndex).toBe(1);
    }
    expect(scimErrorOf(() => validatePatchRequest(bad[0])).operationIndex).toBe(1);
  });

  it('is absent when no one operation is at fault: the envelope, or the stored resource', () => {
    expect(scimErrorOf(() => applyGroupPatch(group, { Operations: 'x' })).operationIndex).toBeUndefined();
    const stored = { id: 'g', displayName: 'G', members: [{ display: 'no id' }] } as unknown as typeof group;
    const error = scimErrorOf(() => applyGroupPatch(stored, body([{ op: 'add', path: 'members', value: [{ value: 'u2' }] }])));
    expect(error.status).toBe(500);
    expect(error.operationIndex).toBeUndefined();
  });

  it('a limit crossed by one operation names it in the detail too', () => {
    const operations = [
      { op: 'remove', path: 'members[display eq "a"]' },
      { op: 'remove', path: 'members[display eq "b"]' },
    ];
    const error = scimErrorOf(() => applyGroupPatch(group, body(operations), { limits: { maxScannedMembers: 1 } }));
    expect(error.scimType).toBe('tooMany');
    expect(error.operationIndex).toBe(1);
    expect(error.detail.startsWith('Operations[1]: ')).toBe(true);
    expect(error.toResponse()).not.toHaveProperty('operationIndex');
  });
});
