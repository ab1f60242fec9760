/**
 * Why scim-patch's replace of the member list (S6, S6r) takes microseconds: it stores the
 * request's array as it is. Prints what it returns for a list with a repeated value, a list of
 * invalid members and a string, and whether the result is the request's own array.
 *
 *   npx tsx bench/repro-peer-replace.ts
 */
import { patchBodyValidation, scimPatch, type ScimPatch, type ScimResource } from 'scim-patch';

const group = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: 'g',
  displayName: 'G',
  members: [{ value: 'a' }],
  meta: { resourceType: 'Group' },
};

const lists: unknown[] = [[{ value: 'b' }, { value: 'b', display: 'again' }], [{ value: 5 }, { nope: true }], 'not a list'];
for (const value of lists) {
  const body = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'members', value }],
  } as unknown as ScimPatch;
  try {
    patchBodyValidation(body);
    const out = scimPatch(structuredClone(group) as unknown as ScimResource, body.Operations) as unknown as { members: unknown };
    const same = out.members === value ? ' (the request array itself)' : '';
    console.log(`${JSON.stringify(value)} -> ${JSON.stringify(out.members)}${same}`);
  } catch (error) {
    console.log(`${JSON.stringify(value)} -> threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}
