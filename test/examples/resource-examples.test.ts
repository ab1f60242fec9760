/**
 * The examples of PATCH on any resource (shown in README.md's "Users, extensions and custom
 * schemas") run and print what RFC 7644 §3.5.2 and the identity providers' requests make of
 * their sample resources.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function runExample(path: string): { readonly stdout: string; readonly lines: readonly string[] } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path], { cwd: root, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return { stdout: run.stdout, lines: run.stdout.split('\n') };
}

describe('the custom Group extension example', () => {
  it('adds a description and an owner (once), updates schemas, and refuses to change an owner\'s value', () => {
    const acme = 'urn:example:params:scim:schemas:extension:acme:2.0:Group';
    const { stdout, lines } = runExample('examples/custom-extension/index.ts');
    expect(lines[0]).toBe(`changed: schemas, ${acme}:description, ${acme}:owners`);
    const printed = stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('\n{'));
    expect(JSON.parse(printed)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', acme],
      id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
      displayName: 'Tour Guides',
      members: [{ value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen' }],
      [acme]: {
        description: 'Guides who lead the city tours',
        owners: [{ value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen' }],
      },
      meta: { lastModified: '2026-12-01T12:00:00.000Z' },
    });
    expect(JSON.parse(lines.filter((line) => line.startsWith('{"schemas"')).at(-1) ?? '{}')).toMatchObject({ status: 400, scimType: 'mutability' });
  }, 60_000);
});

describe('the Users example', () => {
  it('applies the Entra ID and Okta requests and prints the refused remove of userName', () => {
    const run = runExample('examples/users/index.ts');
    const lines = run.lines;
    const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(lines[0]).toBe(`Entra ID: update the work email, the given name and the manager: changed schemas, name, emails, ${enterprise}:manager`);
    expect(lines[1]).toBe(`Entra ID (aadOptscim062020): several attributes in one pathless replace: changed name, ${enterprise}:department`);
    expect(lines[2]).toBe('Okta: deactivate: changed active');
    const printed = run.stdout.slice(run.stdout.indexOf('{'), run.stdout.lastIndexOf('\n{'));
    expect(JSON.parse(printed)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', enterprise],
      id: '2819c223-7f76-453a-919d-413861904646',
      userName: 'bjensen@example.com',
      name: { givenName: 'Babs', familyName: 'Jensen-Smith' },
      active: false,
      emails: [{ value: 'babs@example.com', type: 'work', primary: true }],
      [enterprise]: { manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' }, department: 'Tour Operations' },
      meta: { lastModified: '2026-12-01T12:00:00.000Z' },
    });
    const error = JSON.parse(lines.filter((line) => line.startsWith('{"schemas"')).at(-1) ?? '{}') as Record<string, unknown>;
    expect(error).toMatchObject({ status: 400, scimType: 'mutability', schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
  }, 60_000);
});
