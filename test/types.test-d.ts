import { describe, expectTypeOf, it } from 'vitest';
import {
  applyGroupPatch,
  buildErrorResponse,
  normalizePatchRequest,
  parsePath,
  tryApplyGroupPatch,
  validatePatchRequest,
  type ChangeSummary,
  type Filter,
  type Group,
  type GroupChange,
  type GroupChangeKind,
  type PatchOptions,
  type PatchRequest,
  type PatchResult,
  type ScimError,
  type ScimType,
  type SCIMErrorResponse,
} from '../src/index.js';

interface TenantGroup extends Group {
  readonly tenantId: string;
}

declare const group: TenantGroup;
declare const body: unknown;

describe('public types', () => {
  it('applyGroupPatch keeps the caller\'s group type', () => {
    expectTypeOf(applyGroupPatch(group, body)).toEqualTypeOf<TenantGroup>();
    expectTypeOf(applyGroupPatch).parameter(1).toBeUnknown();
  });

  it('the result of tryApplyGroupPatch narrows on ok', () => {
    const result = tryApplyGroupPatch(group, body);
    expectTypeOf(result).toEqualTypeOf<PatchResult<TenantGroup>>();
    if (result.ok) {
      expectTypeOf(result.group).toEqualTypeOf<TenantGroup>();
      expectTypeOf(result.summary).toEqualTypeOf<ChangeSummary>();
      expectTypeOf(result).not.toHaveProperty('error');
    } else {
      expectTypeOf(result.error).toEqualTypeOf<ScimError>();
      expectTypeOf(result).not.toHaveProperty('group');
    }
  });

  it('ScimType is a closed union of the RFC 7644 §3.12 keywords', () => {
    expectTypeOf<ScimType>().toEqualTypeOf<
      | 'invalidFilter'
      | 'tooMany'
      | 'uniqueness'
      | 'mutability'
      | 'invalidSyntax'
      | 'invalidPath'
      | 'noTarget'
      | 'invalidValue'
      | 'invalidVers'
      | 'sensitive'
    >();
    expectTypeOf<'badThing'>().not.toMatchTypeOf<ScimType>();
  });

  it('options are checked', () => {
    expectTypeOf<{ memberValueCaseExact: true }>().toMatchTypeOf<PatchOptions>();
    expectTypeOf<{ externalIdMutability: 'readOnly' }>().toMatchTypeOf<PatchOptions>();
    expectTypeOf<{ externalIdMutability: 'sometimes' }>().not.toMatchTypeOf<PatchOptions>();
    expectTypeOf<{ limits: { maxOperations: number } }>().toMatchTypeOf<PatchOptions>();
    expectTypeOf<{ limits: { maxOperations: string } }>().not.toMatchTypeOf<PatchOptions>();
    // @ts-expect-error: an unknown option is a compile error
    applyGroupPatch(group, body, { caseExact: true });
  });

  it('validated requests and changes are typed, with closed kinds', () => {
    expectTypeOf(validatePatchRequest(body)).toEqualTypeOf<PatchRequest>();
    expectTypeOf(validatePatchRequest(body).Operations[0]?.op).toEqualTypeOf<'add' | 'remove' | 'replace' | undefined>();
    expectTypeOf(normalizePatchRequest(body)).toEqualTypeOf<GroupChange[]>();
    expectTypeOf<GroupChangeKind>().toEqualTypeOf<
      | 'setDisplayName'
      | 'setExternalId'
      | 'addMembers'
      | 'removeMembers'
      | 'removeMembersWhere'
      | 'replaceMembers'
      | 'updateMembers'
    >();
  });

  it('a switch over changes narrows each kind', () => {
    const describeChange = (change: GroupChange): string => {
      switch (change.kind) {
        case 'addMembers':
        case 'replaceMembers':
          expectTypeOf(change.members[0]?.value).toEqualTypeOf<string | undefined>();
          return 'members';
        case 'removeMembers':
          expectTypeOf(change.values).toEqualTypeOf<readonly string[]>();
          return 'values';
        case 'removeMembersWhere':
          expectTypeOf(change.filter).toEqualTypeOf<Filter>();
          return 'filter';
        case 'updateMembers':
          expectTypeOf(change.filter).toEqualTypeOf<Filter | null>();
          return 'update';
        case 'setDisplayName':
          return change.displayName;
        case 'setExternalId':
          expectTypeOf(change.externalId).toEqualTypeOf<string | null>();
          return 'externalId';
        default:
          expectTypeOf(change).toBeNever();
          return change;
      }
    };
    expectTypeOf(describeChange).returns.toBeString();
  });

  it('error bodies and parsed paths are typed', () => {
    expectTypeOf(buildErrorResponse({ status: 404, detail: 'x' })).toEqualTypeOf<SCIMErrorResponse>();
    expectTypeOf<SCIMErrorResponse['status']>().toEqualTypeOf<number | string>();
    expectTypeOf(parsePath('members').filter).toEqualTypeOf<Filter | undefined>();
  });
});
