/**
 * The implementations run on the User scenarios (bench/user-scenarios.ts), behind the interface of
 * the Group side (bench/implementations.ts). What each one's timed `call` covers:
 *
 * - library:    `applyPatch(user, body, USER_OPTIONS)`: the library's own schema definitions
 *               (`USER_SCHEMA_DEFINITION`, `ENTERPRISE_USER_SCHEMA_DEFINITION`) and its default
 *               (lenient) options but one limit (below): validate + normalize + apply. The options object is
 *               made once (a schema is read once per object) and the stored user is shared by
 *               every call (the library never mutates it).
 * - baseline:   the scenario's hand-written function below; the user is shared too.
 * - scim-patch: `patchBodyValidation(body)` then `scimPatch(user, body.Operations)`, its README's
 *               two calls. It mutates its input, so every call gets its own deep copy of the user
 *               (and of the body) made by `prepare()`, outside the timed region.
 * - scimmy:     `new PatchOp(body).apply(new Schemas.User(user, 'out'))` awaited, with the
 *               Enterprise User extension attached to scimmy's User schema once, when this module
 *               loads (`Schemas.User.extend(Schemas.EnterpriseUser)`, what `Resources.User.extend`
 *               does). Wrapping the stored plain user in scimmy's schema class is part of what a
 *               request costs with scimmy, as on the Group side; `apply` copies the instance before
 *               patching, so the stored user is shared.
 *
 * Every implementation gets the same plain-JSON user and body and must return the patched user;
 * `view` turns what `call` returned into plain JSON for the case's `check` (untimed).
 */
import SCIMMY from 'scimmy';
import {
  applyPatch,
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
  USER_SCHEMA_DEFINITION,
  type ResourcePatchOptions,
} from '../src/index.js';
import { scimPatchCall, type Prepared } from './implementations.js';
import type { BenchBody } from './scenarios.js';
import type { UserCase, UserScenarioId } from './user-scenarios.js';

/** A plain-JSON user. */
type User = Record<string, unknown>;

/** `Prepared` of the Group side, whose `view` returns the patched user as plain JSON for `UserCase.check`. */
export interface UserPrepared<I = unknown> extends Omit<Prepared<I>, 'view'> {
  /** Reads the patched user, as plain JSON, from what `call` returned. */
  view(result: unknown): unknown;
}

export type UserImplementationId = 'library' | 'baseline' | 'scim-patch' | 'scimmy';

/** One implementation of the User scenarios. */
export interface UserImplementation {
  readonly id: UserImplementationId;
  /** Whether a first call over the budget stops the cell (peers); this library and the baseline always finish. */
  readonly budgeted: boolean;
  setup(userCase: UserCase): UserPrepared;
}

/**
 * The library's options for a User: its own schema definitions, its default leniencies, and its
 * default limits but one. `limits.maxScannedMembers` is raised from 2,000,000 to 100,000,000 so
 * that U2 and U3 run at 10,000 emails at all: there each of about 1,000 `emails[value eq "…"]`
 * filters meets every email (`value` is not an immutable key, so there is no keyed list), about
 * 10,000,000 values in all, and by default the library answers that request with a 400
 * `tooMany`, by design. At 100 and 1,000 emails no scenario comes near the default.
 */
export const USER_OPTIONS: ResourcePatchOptions = {
  schema: USER_SCHEMA_DEFINITION,
  extensions: [ENTERPRISE_USER_SCHEMA_DEFINITION],
  limits: { maxScannedMembers: 100_000_000 },
};

/** A synchronous call on the stored user itself, the same object every call (never mutated). */
function onStoredUser(user: User, call: (user: User) => unknown): UserPrepared {
  return {
    prepare: () => user,
    call: (input) => call(input as User),
    async: false,
    freshInputPerCall: false,
    view: (result) => result,
  };
}

// ---------------------------------------------------------------------------------------------
// The hand-written baseline: for exactly one scenario, the least code a developer would write that
// reads the request body (not a precomputed answer) and returns the same patched user as the
// library without touching the stored one. Paths are matched as the scenario spells them, values
// are taken as sent, nothing is validated beyond what the result needs; `meta.lastModified` is
// stamped, as the library does.

type Baseline = (user: User, body: BenchBody) => User;

const touched = (user: User): User => ({ ...(user['meta'] as User), lastModified: new Date().toISOString() });

const listOf = (user: User, name: string): User[] => [...(user[name] as User[])];

/** Sets `key` on every value of `list` of the given `type`: a filter `[type eq "…"]` meets the whole list. */
function setWhereType(list: User[], type: string, key: string, value: unknown): void {
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as User;
    if (item['type'] === type) list[i] = { ...item, [key]: value };
  }
}

/**
 * U1: a copy of each container the request writes, then one assignment per operation, found by
 * its path in a switch. The `[type eq "…"]` filters loop over the whole list, as a filter must.
 */
const u1Baseline: Baseline = (user, body) => {
  const result: User = { ...user, meta: touched(user) };
  const name = { ...(user['name'] as User) };
  const enterprise = { ...(user[ENTERPRISE_USER_SCHEMA] as User) };
  const emails = listOf(user, 'emails');
  const phoneNumbers = listOf(user, 'phoneNumbers');
  const addresses = listOf(user, 'addresses');
  for (const { path, value } of body.Operations) {
    switch (path) {
      case 'displayName':
      case 'title':
      case 'active':
        result[path] = value;
        break;
      case 'name.givenName':
        name['givenName'] = value;
        break;
      case 'name.familyName':
        name['familyName'] = value;
        break;
      case 'emails[type eq "work"].value':
        setWhereType(emails, 'work', 'value', value);
        break;
      case 'emails[type eq "work"].display':
        setWhereType(emails, 'work', 'display', value);
        break;
      case 'phoneNumbers[type eq "work"].value':
        setWhereType(phoneNumbers, 'work', 'value', value);
        break;
      case 'phoneNumbers[type eq "mobile"].value':
        setWhereType(phoneNumbers, 'mobile', 'value', value);
        break;
      case 'addresses[type eq "work"].streetAddress':
        setWhereType(addresses, 'work', 'streetAddress', value);
        break;
      case 'addresses[type eq "work"].locality':
        setWhereType(addresses, 'work', 'locality', value);
        break;
      case `${ENTERPRISE_USER_SCHEMA}:department`:
        enterprise['department'] = value;
        break;
      case `${ENTERPRISE_USER_SCHEMA}:manager`:
        // A replace of a complex value sets the sub-attributes sent and keeps the others.
        enterprise['manager'] = { ...(enterprise['manager'] as User), ...(value as User) };
        break;
      default:
        throw new Error(`baseline: unexpected path ${String(path)}`);
    }
  }
  return { ...result, name, emails, phoneNumbers, addresses, [ENTERPRISE_USER_SCHEMA]: enterprise };
};

/** `emails[value eq "…"]`, with `.display` after it for U2. Email values compare case-insensitively (RFC 7643 §4.1.2). */
const EMAIL_VALUE_EQ = /^emails\[value eq "([^"]*)"\](\.display)?$/;

function emailOfPath(path: string | undefined): string {
  const match = EMAIL_VALUE_EQ.exec(path ?? '');
  if (match === null) throw new Error(`baseline: unexpected path ${String(path)}`);
  return (match[1] as string).toLowerCase();
}

/** U2: one Map from email value to its place (the values are distinct), then one copy per operation. */
const u2Baseline: Baseline = (user, body) => {
  const emails = listOf(user, 'emails');
  const place = new Map<string, number>();
  emails.forEach((email, i) => place.set(String(email['value']).toLowerCase(), i));
  for (const { path, value } of body.Operations) {
    const i = place.get(emailOfPath(path));
    if (i === undefined) throw new Error(`baseline: no email for ${String(path)}`);
    emails[i] = { ...(emails[i] as User), display: value };
  }
  return { ...user, emails, meta: touched(user) };
};

/** U3: the added emails after the stored ones (none is there already), then one filter by a Set of the removed values. */
const u3Baseline: Baseline = (user, body) => {
  const [add, ...removes] = body.Operations;
  const gone = new Set(removes.map((operation) => emailOfPath(operation.path)));
  const emails = (user['emails'] as User[])
    .concat(add?.value as User[])
    .filter((email) => !gone.has(String(email['value']).toLowerCase()));
  return { ...user, emails, meta: touched(user) };
};

export const USER_BASELINES: Readonly<Record<UserScenarioId, Baseline>> = { U1: u1Baseline, U2: u2Baseline, U3: u3Baseline };

// ---------------------------------------------------------------------------------------------

// Once per process: the Enterprise User extension on scimmy's User schema (optional, as in RFC 7643 §4.3);
// the resource class passes it to its schema, `Schemas.User.extend`.
SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false);

/** scimmy's constructor wants `op` in lower case in its types; it lower-cases at run time itself. */
type ScimmyPatchRequest = ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0];

export const USER_IMPLEMENTATIONS: readonly UserImplementation[] = [
  {
    id: 'library',
    budgeted: false,
    setup: ({ user, body }) => onStoredUser(user, (input) => applyPatch(input, body, USER_OPTIONS)),
  },
  {
    id: 'baseline',
    budgeted: false,
    setup: ({ user, body, scenario }) => {
      const run = USER_BASELINES[scenario.id];
      return onStoredUser(user, (input) => run(input, body));
    },
  },
  {
    id: 'scim-patch',
    budgeted: true,
    setup: ({ user, body }) => ({ ...scimPatchCall(user, body), view: (result) => result }),
  },
  {
    id: 'scimmy',
    budgeted: true,
    setup: ({ user, body }) => ({
      prepare: () => user,
      call: (input) =>
        new SCIMMY.Messages.PatchOp(body as unknown as ScimmyPatchRequest).apply(new SCIMMY.Schemas.User(input as User, 'out')),
      async: true,
      freshInputPerCall: false,
      // A schema instance: its own JSON form is the resource it answers with.
      view: (result) => JSON.parse(JSON.stringify(result)) as unknown,
    }),
  },
];

export function userImplementationById(id: string): UserImplementation {
  const implementation = USER_IMPLEMENTATIONS.find((i) => i.id === id);
  if (implementation === undefined) throw new Error(`unknown User implementation '${id}'`);
  return implementation;
}
