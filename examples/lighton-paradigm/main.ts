/**
 * Starts the LightOn Paradigm example (PGlite in .data/lighton-paradigm, or DATABASE_URL, or DATA_DIR=memory) with demo data and prints
 * ready-to-paste curl calls. It stops on SIGINT, SIGTERM or when its parent exits (`../shared/run.ts`).
 *
 *   npm run example:lighton            (PORT=8080 npm run example:lighton for another port)
 */
import { runExample } from '../shared/run.js';
import { createSchema, DEMO, seedDemo } from './schema.js';
import { start } from './server.js';

await runExample({
  name: 'LightOn Paradigm example',
  slug: 'lighton-paradigm',
  marker: 'companies',
  defaultPort: 3000,
  prepare: async (pg) => {
    await createSchema(pg);
    await seedDemo(pg);
  },
  start: (pg, port) => start({ db: pg, port, logRequest: (line) => console.log(line) }),
  banner,
});

function banner(url: string): string {
  const group = `${url}/scim/v2/Groups/${DEMO.engineeringId}`;
  const auth = `-H 'Authorization: Bearer ${DEMO.acme.token}' -H 'Content-Type: application/scim+json'`;
  const patchOp = '"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]';
  return `LightOn Paradigm SCIM example listening on ${url}

  company ${DEMO.acme.name}: token ${DEMO.acme.token}
  group "Engineering":  ${DEMO.engineeringId}
  (company ${DEMO.globex.name} has token ${DEMO.globex.token} and group ${DEMO.globexGroupId})

# Rename the group (the seed's example request)
curl -i -X PATCH ${group} ${auth} \\
  -d '{${patchOp},"Operations":[{"op":"replace","path":"displayName","value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]}'

# Microsoft Entra ID: add Eve Adams, remove Bob Smith (capitalized ops, "$ref": null, remove by value)
curl -i -X PATCH ${group} ${auth} \\
  -d '{${patchOp},"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"${DEMO.users.eve}"}]},{"op":"Remove","path":"members","value":[{"value":"${DEMO.users.bob}"}]}]}'

# Okta: remove Ann Lee with a filter
curl -i -X PATCH ${group} ${auth} \\
  -d '{${patchOp},"Operations":[{"op":"remove","path":"members[value eq \\"${DEMO.users.ann}\\"]"}]}'

# Errors: another company's group is 404 like a missing one; no token is 401; PUT is 405
curl -i -X PATCH ${url}/scim/v2/Groups/${DEMO.globexGroupId} ${auth} -d '{${patchOp},"Operations":[]}'
curl -i -X PATCH ${group} -H 'Content-Type: application/scim+json' -d '{${patchOp},"Operations":[]}'
curl -i -X PUT ${group} ${auth} -d '{}'`;
}
