/**
 * The User benchmark's scenarios and their checks (bench/user-scenarios.ts): the library and the
 * hand-written baseline pass each check, and each check catches what it is there to catch (the
 * unpatched user, one replaced attribute reverted, a changed stored user). The values asserted by
 * hand below are worked out from the scenario definitions: 1,000 operations over 13 paths in
 * turn, so path p is last written by operation 988 + p when p < 12 (999 = 76 × 13 + 11) and by
 * operation 987 for p = 12; U2's operation k pins email ⌊k·size/1000⌋.
 */
import { describe, expect, it } from 'vitest';
import { USER_IMPLEMENTATIONS, type UserPrepared } from '../bench/user-implementations.js';
import { buildUserCase, emailValue, USER_SCENARIOS, type UserCase } from '../bench/user-scenarios.js';
import { deepFreeze } from './support/freeze.js';

type Json = Record<string, unknown>;

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** One synchronous call (library and baseline), on a deep-frozen stored user and body. */
function patchedBy(id: 'library' | 'baseline', userCase: UserCase): Json {
  deepFreeze(userCase.user);
  deepFreeze(userCase.body);
  const implementation = USER_IMPLEMENTATIONS.find((i) => i.id === id);
  if (implementation === undefined) throw new Error(id);
  const prepared: UserPrepared = implementation.setup(userCase);
  return prepared.view(prepared.call(prepared.prepare())) as Json;
}

const emailsOf = (user: Json): Json[] => user['emails'] as Json[];
const emailNamed = (user: Json, value: string): Json | undefined => emailsOf(user).find((e) => e['value'] === value);

/** A deep copy of `user` with `edit` applied to it. */
function edited(user: Json, edit: (copy: Json) => void): Json {
  const copy = structuredClone(user);
  edit(copy);
  return copy;
}

const cases = [...USER_SCENARIOS.map((s) => ({ id: s.id, size: 100 })), { id: 'U1', size: 1000 }];

describe.each(cases)('$id at $size emails', ({ id, size }) => {
  it.each(['library', 'baseline'] as const)('%s passes the check and leaves the stored user as it was', (implementation) => {
    const userCase = buildUserCase(id, size);
    const before = JSON.stringify(userCase.user);
    const result = patchedBy(implementation, userCase);
    expect(userCase.check(result)).toBeUndefined();
    expect(JSON.stringify(userCase.user)).toBe(before);
  });

  it('the check fails on the unpatched user', () => {
    const userCase = buildUserCase(id, size);
    expect(userCase.check(structuredClone(userCase.user))).toBeTypeOf('string');
  });

  it('the check fails when the stored user was modified', () => {
    const userCase = buildUserCase(id, size);
    const result = patchedBy('baseline', buildUserCase(id, size));
    (userCase.user as { userName: string }).userName = 'someone-else@example.com';
    expect(userCase.check(result)).toBe('the stored user was modified');
  });
});

describe('U1: 1,000 Entra single-attribute replaces', () => {
  const userCase = buildUserCase('U1', 100);
  const result = patchedBy('library', userCase);

  it('sends one capitalized Replace per attribute, 1,000 of them', () => {
    expect(userCase.body.Operations).toHaveLength(1000);
    expect(new Set(userCase.body.Operations.map((o) => o.op))).toEqual(new Set(['Replace']));
    expect(userCase.body.Operations.filter((o) => o.path?.startsWith('emails[')).length).toBe(77 + 76);
  });

  it('keeps the last value written to each attribute', () => {
    expect(result['displayName']).toBe('Babs Jensen 988');
    expect(result['title']).toBe('Tour Guide 991');
    expect(result['active']).toBe(false);
    expect(result['name']).toEqual({ formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen 990', givenName: 'Barbara 989', middleName: 'Jane' });
    expect(emailsOf(result)[0]).toEqual({ value: 'babs-993@example.com', type: 'work', primary: true, display: 'Babs at work 987' });
    expect(result['phoneNumbers']).toEqual([
      { value: '555-000-994', type: 'work' },
      { value: '555-111-995', type: 'mobile' },
    ]);
    expect((result[ENT] as Json)['manager']).toEqual({ value: 'manager-999' });
    expect((result[ENT] as Json)['department']).toBe('Tour Operations 998');
  });

  it('the check fails when any one replaced attribute is reverted', () => {
    const stored = userCase.user;
    const reverts: ((user: Json) => void)[] = [
      (u) => (u['displayName'] = stored['displayName']),
      (u) => ((u['name'] as Json)['givenName'] = 'Barbara'),
      (u) => ((u['name'] as Json)['familyName'] = 'Jensen'),
      (u) => (u['title'] = stored['title']),
      (u) => (u['active'] = true),
      (u) => ((emailsOf(u)[0] as Json)['value'] = emailValue(0)),
      (u) => delete (emailsOf(u)[0] as Json)['display'],
      (u) => (((u['phoneNumbers'] as Json[])[0] as Json)['value'] = '555-555-5555'),
      (u) => (((u['phoneNumbers'] as Json[])[1] as Json)['value'] = '555-555-4444'),
      (u) => (((u['addresses'] as Json[])[0] as Json)['streetAddress'] = '100 Universal City Plaza'),
      (u) => (((u['addresses'] as Json[])[0] as Json)['locality'] = 'Hollywood'),
      (u) => ((u[ENT] as Json)['department'] = 'Tour Operations'),
      (u) => ((u[ENT] as Json)['manager'] = { value: '26118915-6090-4610-87e4-49d8ca9f808d' }),
    ];
    expect(reverts).toHaveLength(13);
    for (const revert of reverts) expect(userCase.check(edited(result, revert))).toBeTypeOf('string');
  });

  it('the check fails when an untouched attribute or email changes, and ignores key order and lastModified', () => {
    expect(userCase.check(edited(result, (u) => ((u[ENT] as Json)['costCenter'] = '9999')))).toBeTypeOf('string');
    expect(userCase.check(edited(result, (u) => ((emailsOf(u)[50] as Json)['type'] = 'work')))).toBeTypeOf('string');
    expect(userCase.check(edited(result, (u) => emailsOf(u).pop()))).toBeTypeOf('string');
    expect(userCase.check(edited(result, (u) => (u['nickName'] = undefined)))).toBeTypeOf('string');
    expect(userCase.check(edited(result, (u) => (u['password'] = 'x')))).toBeTypeOf('string');
    const reordered = edited(result, (u) => {
      emailsOf(u).reverse();
      u['meta'] = { ...(u['meta'] as Json), lastModified: '2030-01-01T00:00:00.000Z' };
    });
    expect(userCase.check(reordered)).toBeUndefined();
  });
});

describe('U2: 1,000 replaces emails[value eq "…"].display', () => {
  const userCase = buildUserCase('U2', 100);
  const result = patchedBy('library', userCase);

  it('the last operation pinning an email wins; every email keeps its value and type', () => {
    // Email 7 is pinned by operations 70 to 79.
    expect(emailNamed(result, emailValue(7))).toEqual({ value: emailValue(7), type: 'home', display: 'Mailbox 7, revision 79' });
    expect(emailNamed(result, emailValue(0))).toEqual({ value: emailValue(0), type: 'work', primary: true, display: 'Mailbox 0, revision 9' });
    expect(emailsOf(result)).toHaveLength(100);
  });

  it('the check fails when one email keeps its old display, or loses it', () => {
    expect(userCase.check(edited(result, (u) => ((emailsOf(u)[42] as Json)['display'] = 'Mailbox 42, revision 419')))).toBeTypeOf('string');
    expect(userCase.check(edited(result, (u) => delete (emailsOf(u)[99] as Json)['display']))).toBeTypeOf('string');
  });

  it('at 10,000 emails, some emails are never pinned and stay as stored', () => {
    const large = buildUserCase('U2', 10_000);
    const pinned = new Set(large.body.Operations.map((o) => o.path));
    expect(pinned.size).toBe(1000);
    expect(pinned.has(`emails[value eq "${emailValue(10)}"].display`)).toBe(true);
    expect(pinned.has(`emails[value eq "${emailValue(11)}"].display`)).toBe(false);
  });
});

describe('U3: add 1,000 emails, then 999 removes by value', () => {
  const userCase = buildUserCase('U3', 100);
  const result = patchedBy('library', userCase);

  it('ends with the stored and added emails but the 999 removed', () => {
    expect(userCase.body.Operations).toHaveLength(1000);
    expect(emailsOf(result)).toHaveLength(100 + 1000 - 999);
    // Removes take emails 1 + ⌊r·1099/999⌋: 1, 2, …; email 0 stays, and so does the last one added.
    expect(emailNamed(result, emailValue(0))).toBeDefined();
    expect(emailNamed(result, emailValue(1))).toBeUndefined();
    expect(emailNamed(result, emailValue(1099))).toEqual({ value: emailValue(1099), type: 'other' });
  });

  it('the check fails when a removed email is still there or an added one is missing', () => {
    const withRemoved = edited(result, (u) => {
      emailsOf(u)[1] = { value: emailValue(1), type: 'home' };
    });
    expect(userCase.check(withRemoved)).toBeTypeOf('string');
    const withoutAdded = edited(result, (u) => {
      u['emails'] = emailsOf(u).filter((e) => e['value'] !== emailValue(1099));
    });
    expect(userCase.check(withoutAdded)).toBeTypeOf('string');
  });
});
