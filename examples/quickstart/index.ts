/**
 * Quick start: apply the requests real clients send to one sample group, print each result, and
 * print the error body of a request that is rejected.
 *
 *   npm run example
 */
import { applyGroupPatch, ScimError, tryApplyGroupPatch, type Group } from 'scim-group-patch';

const clock = { now: () => new Date('2026-11-22T12:00:00.000Z') };

const group: Group = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
  displayName: 'Engineering',
  members: [
    { value: 'ac6aa714-daa7-1aaa-aaa2-6715aaaa4dd9', display: 'Ann Lee' },
    { value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen' },
  ],
  meta: { resourceType: 'Group', created: '2026-01-01T00:00:00.000Z', lastModified: '2026-01-01T00:00:00.000Z' },
};

const requests: Record<string, unknown> = {
  // LightOn Paradigm's example request (PATCH /scim/v2/Groups), verbatim.
  'LightOn Paradigm: rename the group': {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' },
    ],
  },
  // Huawei Cloud's example request (PATCH /{tenant_id}/scim/v2/Groups/{group_id}), verbatim.
  'Huawei Cloud: four operations': {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'replace', value: { id: '0efaa0db-6aa4-7aaa-6aa5-c222aaaaf31a', displayName: 'Update display name' } },
      { op: 'add', path: 'members', value: [{ value: 'ac6aa714-daa7-1aaa-aaa2-6715aaaa4dd9' }] },
      {
        op: 'replace',
        path: 'members',
        value: [{ value: 'ac6aa714-daa7-1aaa-aaa2-6715aaaa4dd9' }, { value: '1bdaa75c-7aaf-3aa2-7aac-6a00aaaa335f' }],
      },
      {
        op: 'remove',
        path: 'members',
        value: [{ value: 'ac6aa714-daa7-1aaa-aaa2-6715aaaa4dd9' }, { value: '1bdaa75c-7aaf-3aa2-7aac-6a00aaaa335f' }],
      },
    ],
  },
  // Microsoft Entra ID: capitalized ops, "$ref": null, remove by a value array.
  'Entra ID: add one member, remove another': {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'Add', path: 'members', value: [{ $ref: null, value: '6c8e3b4a-1f2d-4e5f-9a8b-7c6d5e4f3a2b' }] },
      { op: 'Remove', path: 'members', value: [{ value: '2819c223-7f76-453a-919d-413861904646' }] },
    ],
  },
  // Okta group push: pathless replace of id + displayName, then a filter remove.
  'Okta: group push': {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'replace', value: { id: 'e9e30dba-f08f-4109-8486-d5c6a331660a', displayName: 'Engineering (Okta)' } },
      { op: 'remove', path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' },
      { op: 'add', path: 'members', value: [{ value: '00u1abcd2EFGH3ijk4x7', display: 'kim@example.com' }] },
    ],
  },
};

for (const [name, request] of Object.entries(requests)) {
  const result = tryApplyGroupPatch(group, request, clock);
  console.log(`\n== ${name}`);
  if (!result.ok) {
    console.log(JSON.stringify(result.error.toResponse()));
    continue;
  }
  console.log(JSON.stringify(result.group, null, 2));
  console.log('summary:', JSON.stringify(result.summary));
}

// A rejected request: nothing is applied, and the error renders as a SCIMErrorResponse body.
console.log('\n== Rejected: remove displayName');
try {
  applyGroupPatch(group, { Operations: [{ op: 'remove', path: 'displayName' }] });
} catch (error) {
  if (!(error instanceof ScimError)) throw error;
  console.log(`HTTP ${String(error.status)}`, JSON.stringify(error.toResponse()));
}
