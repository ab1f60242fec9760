/**
 * The five defects the first long fuzz campaign over `applyPatch` found (`npm run fuzz`, the
 * `res-*` families), each as the minimal case it shrank to, with the answer worked out from
 * RFC 7643 / RFC 7644 and the library's documented rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyGroupPatch,
  applyPatch,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA_DEFINITION,
  normalizePatch,
  tryApplyPatch,
  USER_SCHEMA_DEFINITION,
  type ResourcePatchOptions,
} from '../src/index.js';
import { deepFreeze } from './support/freeze.js';
import { scimErrorOf } from './support/scim-error.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ACME_URN = 'urn:example:params:scim:schemas:extension:acme:2.0:Group';
const ACME: unknown = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'resources', 'schemas', 'acme-group-extension.json'), 'utf8'));
const NOW = new Date('2030-01-01T00:00:00.000Z');

const body = (...operations: unknown[]): unknown => deepFreeze({ schemas: [PATCH_OP], Operations: operations });
const user = (options: Partial<ResourcePatchOptions> = {}): ResourcePatchOptions => ({ schema: USER_SCHEMA_DEFINITION, now: () => NOW, ...options });

describe('fuzz findings, fixed', () => {
  it('extension-path-length: maxPathLength limits the path the client sent, not the full URN path of the attribute it names', () => {
    const options = user({ extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION], limits: { maxPathLength: 10 } });
    const request = body({ op: 'add', path: 'manager', value: 'm' });
    expect(normalizePatch(request, options)).toHaveLength(1);
    const result: Record<string, unknown> = applyPatch(deepFreeze({ id: 'u', userName: 'b' }), request, options);
    expect(result[ENTERPRISE]).toEqual({ manager: { value: 'm' } });
    // A path the client sent longer than the limit is still refused.
    expect(scimErrorOf(() => applyPatch({ id: 'u', userName: 'b' }, body({ op: 'add', path: 'displayName2', value: 'x' }), options)).scimType).toBe('invalidPath');
  });

  it('remove-extension-immutable: removing an extension object that holds a set immutable attribute is 400 mutability, as removing the attribute is', () => {
    const group = deepFreeze({ id: 'g', displayName: 'G', schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', ACME_URN], [ACME_URN]: { originSystem: 'okta' } });
    const options = { schema: GROUP_SCHEMA_DEFINITION, extensions: [ACME] };
    const error = scimErrorOf(() =>
      applyPatch(group, body({ op: 'remove', path: ACME_URN }, { op: 'add', path: `${ACME_URN}:originSystem`, value: 'entra' }), options),
    );
    expect(error.scimType).toBe('mutability');
    expect(error.operationIndex).toBe(0);
    // Without an immutable attribute set, the object goes with its URN.
    const plain = deepFreeze({ id: 'g', displayName: 'G', schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', ACME_URN], [ACME_URN]: { description: 'd' } });
    const result = applyPatch(plain, body({ op: 'remove', path: ACME_URN }), { ...options, setLastModified: false });
    expect(result).toEqual({ id: 'g', displayName: 'G', schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'] });
  });

  it('sparse-array-values: a list with a hole (from a parser other than JSON.parse) is 400 invalidValue, never a TypeError or a hole in the result', () => {
    const group = deepFreeze({ id: 'g', displayName: 'G', members: [{ value: 'u1' }] });
    const holed = new Array<unknown>(1);
    const viaPatch = tryApplyPatch(group, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: holed }] }, { schema: GROUP_SCHEMA_DEFINITION });
    expect(!viaPatch.ok && viaPatch.error.scimType).toBe('invalidValue');
    const emails = tryApplyPatch({ id: 'u', userName: 'b' }, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails', value: holed }] }, user());
    expect(!emails.ok && emails.error.scimType).toBe('invalidValue');
    expect(scimErrorOf(() => applyGroupPatch(group, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: holed }] })).scimType).toBe(
      'invalidValue',
    );
  });

  describe('stored-key-case: stored keys in another case are the same attributes (RFC 7643 §2.1)', () => {
    it('a stored "Primary": true is primary: a new primary clears it (RFC 7643 §2.4)', () => {
      const stored = deepFreeze({ id: 'u', userName: 'b', emails: [{ value: 'a@x', Primary: true }, { value: 'b@x' }] });
      const result = applyPatch(stored, body({ op: 'add', path: 'emails[value eq "b@x"]', value: { primary: true } }), user());
      expect(result.emails).toEqual([
        { value: 'a@x', primary: false },
        { value: 'b@x', primary: true },
      ]);
    });

    it('a stored "Meta" with "LastModified" gets one meta.lastModified, in the schema spelling', () => {
      const stored = deepFreeze({ id: 'u', userName: 'b', Meta: { resourceType: 'User', LastModified: '2020-01-01T00:00:00Z' } });
      const result = applyPatch(stored, body({ op: 'replace', path: 'displayName', value: 'B' }), user());
      expect(result).toEqual({ id: 'u', userName: 'b', displayName: 'B', meta: { resourceType: 'User', lastModified: NOW.toISOString() } });
    });

    it('a stored member {"Value": "u1"} is member u1 under applyPatch; the Group API requires `value` (500)', () => {
      const stored = deepFreeze({ id: 'g', displayName: 'G', members: [{ Value: 'u1' }] });
      const options = { schema: GROUP_SCHEMA_DEFINITION, setLastModified: false };
      expect(applyPatch(stored, body({ op: 'add', path: 'members', value: [{ value: 'u1' }] }), options)).toBe(stored);
      expect(applyPatch(stored, body({ op: 'remove', path: 'members[value eq "u1"]' }), options).members).toEqual([]);
      expect(scimErrorOf(() => applyPatch(stored, body({ op: 'replace', path: 'members[value eq "u1"].value', value: 'u2' }), options)).detail).toContain(
        "'u1' cannot become 'u2'",
      );
      expect(scimErrorOf(() => applyGroupPatch(stored as never, body({ op: 'add', path: 'members', value: [{ value: 'u2' }] }))).status).toBe(500);
    });
  });

  it('created-value-missing-required: a value created for an equality filter must have the required sub-attributes (400 invalidValue)', () => {
    const extension = {
      id: 'urn:example:params:scim:schemas:extension:test:2.0:User',
      attributes: [
        {
          name: 'mentors',
          type: 'complex',
          multiValued: true,
          subAttributes: [
            { name: 'value', type: 'string', required: true },
            { name: 'display', type: 'string' },
          ],
        },
      ],
    };
    const options = user({ extensions: [extension] });
    const error = scimErrorOf(() =>
      applyPatch({ id: 'u', userName: 'b' }, body({ op: 'add', path: `${extension.id}:mentors[display eq "A"].display`, value: 'B' }), options),
    );
    expect(error.scimType).toBe('invalidValue');
    // With the required `value` in the filter's reach (a filter on `value` never creates: noTarget),
    // and a complete value through the filter on display: created.
    const created = applyPatch(
      { id: 'u', userName: 'b' },
      body({ op: 'add', path: `${extension.id}:mentors[display eq "A"]`, value: { value: 'm1' } }),
      { ...options, setLastModified: false },
    );
    expect(created).toEqual({
      id: 'u',
      userName: 'b',
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', extension.id],
      [extension.id]: { mentors: [{ display: 'A', value: 'm1' }] },
    });
  });
});
