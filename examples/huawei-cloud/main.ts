/**
 * Starts the Huawei Cloud example (PGlite in .data/huawei-cloud, or DATABASE_URL, or DATA_DIR=memory) with demo data and prints
 * ready-to-paste curl calls. It stops on SIGINT, SIGTERM or when its parent exits (`../shared/run.ts`).
 *
 *   npm run example:huawei            (PORT=8081 npm run example:huawei for another port)
 */
import { runExample } from '../shared/run.js';
import { createSchema, DEMO, seedDemo } from './schema.js';
import { start } from './server.js';

await runExample({
  name: 'Huawei Cloud example',
  slug: 'huawei-cloud',
  marker: 'tenants',
  defaultPort: 3001,
  prepare: async (pg) => {
    await createSchema(pg);
    await seedDemo(pg);
  },
  start: (pg, port) => start({ db: pg, port, logRequest: (line) => console.log(line) }),
  banner,
});

function banner(url: string): string {
  const group = `${url}/${DEMO.tenant.id}/scim/v2/Groups/${DEMO.groupId}`;
  const auth = `-H 'Authorization: Bearer ${DEMO.tenant.token}' -H 'Content-Type: application/scim+json'`;
  const patchOp = '"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]';
  const { first, second, carol, dave } = DEMO.users;
  return `Huawei Cloud SCIM example listening on ${url}

  tenant ${DEMO.tenant.id}: token ${DEMO.tenant.token}
  group "Developers":  ${DEMO.groupId}   (another group of the tenant is named "Finance")
  (tenant ${DEMO.otherTenant.id} has token ${DEMO.otherTenant.token})

# Microsoft Entra ID: add a member, remove another (capitalized ops, "$ref": null, remove by value)
curl -i -X PATCH ${group} ${auth} \\
  -d '{${patchOp},"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"${first}"}]},{"op":"Remove","path":"members","value":[{"value":"${dave}"}]}]}'

# Okta: remove a member with a filter
curl -i -X PATCH ${group} ${auth} \\
  -d '{${patchOp},"Operations":[{"op":"remove","path":"members[value eq \\"${carol}\\"]"}]}'

# The seed's example request: rename, add, replace members, remove them (204; members end empty)
curl -i -X PATCH ${group} ${auth} \\
  -d '{${patchOp},"Operations":[{"op":"replace","value":{"id":"${DEMO.groupId}","displayName":"Update display name"}},{"op":"add","path":"members","value":[{"value":"${first}"}]},{"op":"replace","path":"members","value":[{"value":"${first}"},{"value":"${second}"}]},{"op":"remove","path":"members","value":[{"value":"${first}"},{"value":"${second}"}]}]}'

# Errors: a rename onto "Finance" is 409; another tenant's token is 403; a stale If-Match is 412
curl -i -X PATCH ${group} ${auth} -d '{${patchOp},"Operations":[{"op":"replace","path":"displayName","value":"Finance"}]}'
curl -i -X PATCH ${group} -H 'Authorization: Bearer ${DEMO.otherTenant.token}' -H 'Content-Type: application/scim+json' -d '{${patchOp},"Operations":[]}'
curl -i -X PATCH ${group} ${auth} -H 'If-Match: W/"0"' -d '{${patchOp},"Operations":[]}'`;
}
