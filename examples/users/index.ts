/**
 * Users: PATCH on a User with the Enterprise User extension, driven by RFC 7643 schema
 * definitions. Applies what Microsoft Entra ID and Okta send, prints each result, then prints
 * the error body of a request that is rejected.
 *
 *   npm run example:users
 */
import {
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  tryApplyPatch,
  USER_SCHEMA,
  USER_SCHEMA_DEFINITION,
  type ResourcePatchOptions,
  type ScimResource,
} from 'scim-group-patch';

/** The schemas of a User resource; pass the same object on every request (it is read once). */
const USERS: ResourcePatchOptions = {
  schema: USER_SCHEMA_DEFINITION,
  extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION],
  now: () => new Date('2026-12-01T12:00:00.000Z'),
};

let user: ScimResource = {
  schemas: [USER_SCHEMA],
  id: '2819c223-7f76-453a-919d-413861904646',
  userName: 'bjensen@example.com',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
};

const patchOp = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

const requests: Record<string, unknown> = {
  // Entra ID's default job: one Replace per attribute, PascalCase ops, "False" as a string.
  'Entra ID: update the work email, the given name and the manager': patchOp(
    { op: 'Replace', path: 'emails[type eq "work"].value', value: 'babs@example.com' },
    { op: 'Replace', path: 'name.givenName', value: 'Babs' },
    { op: 'Add', path: `${ENTERPRISE_USER_SCHEMA}:manager`, value: '26118915-6090-4610-87e4-49d8ca9f808d' },
  ),
  // Entra ID with aadOptscim062020: one pathless replace whose keys are paths.
  'Entra ID (aadOptscim062020): several attributes in one pathless replace': patchOp({
    op: 'replace',
    value: { 'name.familyName': 'Jensen-Smith', [`${ENTERPRISE_USER_SCHEMA}:department`]: 'Tour Operations' },
  }),
  // Okta's deactivation.
  'Okta: deactivate': patchOp({ op: 'replace', value: { active: false } }),
};

for (const [name, request] of Object.entries(requests)) {
  const result = tryApplyPatch(user, request, USERS);
  if (!result.ok) throw result.error;
  console.log(`${name}: changed ${result.summary.attributesChanged.join(', ')}`);
  user = result.resource;
}
console.log(JSON.stringify(user, null, 2));

// userName is required: removing it is refused with a SCIM error body, and nothing is applied.
const refused = tryApplyPatch(user, patchOp({ op: 'remove', path: 'userName' }), USERS);
if (!refused.ok) console.log(JSON.stringify(refused.error.toResponse()));
