/**
 * `normalizePatch`: a body becomes changes that no longer depend on the client's spelling, without
 * the resource. Expectations worked out from RFC 7644 §3.5.2 and the leniencies in README.md.
 */
import { describe, expect, it } from 'vitest';
import {
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  normalizePatch,
  ScimError,
  USER_SCHEMA,
  USER_SCHEMA_DEFINITION,
} from '../src/index.js';
import { deepFreeze } from './support/freeze.js';

const OPTIONS = { schema: USER_SCHEMA_DEFINITION, extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION] };

describe('normalizePatch', () => {
  it("Entra ID's default job: PascalCase ops, a string boolean, a bare manager id, a filtered email", () => {
    const body = deepFreeze({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: 'EMAILS[type eq "work"].VALUE', value: 'babs@example.com' },
        { op: 'Replace', path: `${ENTERPRISE_USER_SCHEMA}:manager`, value: 'm-1' },
        { op: 'Remove', path: 'phoneNumbers', value: [{ value: '555-0100' }] },
      ],
    });
    expect(normalizePatch(body, OPTIONS)).toEqual([
      { op: 'replace', operationIndex: 0, attribute: 'active', value: false },
      {
        op: 'add',
        operationIndex: 1,
        attribute: 'emails',
        subAttribute: 'value',
        filter: { kind: 'compare', attribute: { name: 'type' }, operator: 'eq', value: 'work' },
        value: 'babs@example.com',
      },
      { op: 'replace', operationIndex: 2, attribute: `${ENTERPRISE_USER_SCHEMA}:manager`, value: { value: 'm-1' } },
      { op: 'remove', operationIndex: 3, attribute: 'phoneNumbers', value: [{ value: '555-0100' }] },
    ]);
  });

  it('a pathless value is split per attribute, by dotted and URN keys; readOnly values in it are dropped', () => {
    const body = {
      Operations: [
        {
          op: 'replace',
          value: {
            id: 'ignored',
            meta: { version: 'W/"1"' },
            schemas: [USER_SCHEMA],
            'name.givenName': 'Babs',
            [`${ENTERPRISE_USER_SCHEMA}:employeeNumber`]: '701984',
            [ENTERPRISE_USER_SCHEMA]: { department: 'Tour Operations', manager: { value: 'm-2', displayName: 'dropped: readOnly' } },
          },
        },
      ],
    };
    expect(normalizePatch(body, OPTIONS)).toEqual([
      { op: 'replace', operationIndex: 0, attribute: 'name', subAttribute: 'givenName', value: 'Babs' },
      { op: 'replace', operationIndex: 0, attribute: `${ENTERPRISE_USER_SCHEMA}:employeeNumber`, value: '701984' },
      { op: 'replace', operationIndex: 0, attribute: `${ENTERPRISE_USER_SCHEMA}:department`, value: 'Tour Operations' },
      { op: 'replace', operationIndex: 0, attribute: `${ENTERPRISE_USER_SCHEMA}:manager`, value: { value: 'm-2' } },
    ]);
  });

  it('the extension URN as the path of a remove names the whole extension', () => {
    expect(normalizePatch({ Operations: [{ op: 'remove', path: ENTERPRISE_USER_SCHEMA }] }, OPTIONS)).toEqual([
      { op: 'remove', operationIndex: 0, attribute: ENTERPRISE_USER_SCHEMA },
    ]);
  });

  it('checks every value without the resource: a wrong type is 400 invalidValue, a readOnly path 400 mutability', () => {
    const invalid = (operation: unknown): string | undefined => {
      try {
        normalizePatch({ Operations: [operation] }, OPTIONS);
        return undefined;
      } catch (error) {
        return error instanceof ScimError ? `${String(error.status)} ${error.scimType ?? ''}` : 'not a ScimError';
      }
    };
    expect(invalid({ op: 'replace', path: 'active', value: 'maybe' })).toBe('400 invalidValue');
    expect(invalid({ op: 'replace', path: 'groups', value: [] })).toBe('400 mutability');
    expect(invalid({ op: 'add', path: 'emails', value: [{ type: 'work' }] })).toBeUndefined();
    expect(invalid({ op: 'replace', path: 'active', value: 'False' })).toBeUndefined();
  });

  it('with the strict preset, the string boolean is refused', () => {
    expect(() => normalizePatch({ Operations: [{ op: 'replace', path: 'active', value: 'False' }] }, { ...OPTIONS, preset: 'strict' })).toThrow(ScimError);
  });
});
