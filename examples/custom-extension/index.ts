/**
 * A custom Group extension: a schema of the host's own, written as an RFC 7643 §7 schema
 * representation, with a `description` and `owners` that a client manages by PATCH like any other
 * attribute (owners are identified by an immutable `value`, as Group members are).
 *
 *   npm run example:extension
 */
import { GROUP_SCHEMA, GROUP_SCHEMA_DEFINITION, tryApplyPatch, type ResourcePatchOptions, type ScimResource } from 'scim-group-patch';

const ACME_GROUP = 'urn:example:params:scim:schemas:extension:acme:2.0:Group';

/** The extension as the host serves it at /Schemas; the library reads the same JSON. */
const acmeGroupExtension = {
  id: ACME_GROUP,
  name: 'AcmeGroup',
  description: 'What a group is for and who owns it',
  attributes: [
    { name: 'description', type: 'string', multiValued: false, required: false, mutability: 'readWrite' },
    {
      name: 'owners',
      type: 'complex',
      multiValued: true,
      required: false,
      mutability: 'readWrite',
      subAttributes: [
        { name: 'value', type: 'string', required: true, caseExact: true, mutability: 'immutable' },
        { name: 'display', type: 'string', mutability: 'readWrite' },
        { name: '$ref', type: 'reference', referenceTypes: ['User'], mutability: 'readWrite' },
      ],
    },
  ],
};

const GROUPS: ResourcePatchOptions = {
  schema: GROUP_SCHEMA_DEFINITION,
  extensions: [acmeGroupExtension],
  now: () => new Date('2026-12-01T12:00:00.000Z'),
};

const group: ScimResource = {
  schemas: [GROUP_SCHEMA],
  id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
  displayName: 'Tour Guides',
  members: [{ value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen' }],
};

const result = tryApplyPatch(
  group,
  {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'add', path: `${ACME_GROUP}:description`, value: 'Guides who lead the city tours' },
      { op: 'add', path: `${ACME_GROUP}:owners`, value: [{ value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen' }] },
      // Adding an owner that is there already changes nothing (RFC 7644 §3.5.2.1).
      { op: 'add', path: `${ACME_GROUP}:owners`, value: { value: '2819c223-7f76-453a-919d-413861904646' } },
    ],
  },
  GROUPS,
);
if (!result.ok) throw result.error;
console.log(`changed: ${result.summary.attributesChanged.join(', ')}`);
console.log(JSON.stringify(result.resource, null, 2));

// An owner's value is immutable: changing it is refused, and nothing of the request is applied.
const refused = tryApplyPatch(
  result.resource,
  {
    Operations: [{ op: 'replace', path: `${ACME_GROUP}:owners[value eq "2819c223-7f76-453a-919d-413861904646"].value`, value: 'someone-else' }],
  },
  GROUPS,
);
if (!refused.ok) console.log(JSON.stringify(refused.error.toResponse()));
