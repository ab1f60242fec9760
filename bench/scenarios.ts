/**
 * The benchmark's scenarios: a stored group of `size` members and one PATCH body, each shaped like
 * a request a real client sends, with what the patched group must look like.
 *
 * Members are `{ value: 'user-<i>', display: 'User <i>' }` for i in [0, size); new members take
 * ids from `size` upwards, so they are never already in the group.
 */
import type { Group, GroupMember } from '../src/index.js';

export const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const GROUP_ID = '6c5bb468-14b2-4183-baf2-06d523e03bd3';

/** One operation as a client sends it (op spelled as the client spells it). */
export interface BenchOperation {
  readonly op: string;
  readonly path?: string;
  readonly value?: unknown;
}

/** A PATCH body. */
export interface BenchBody {
  readonly schemas: readonly string[];
  readonly Operations: readonly BenchOperation[];
}

/** What the patched group must look like; checked once per case, outside the timing. */
export interface Expectation {
  readonly memberCount: number;
  readonly displayName: string;
  /** Member values that must be in the result. */
  readonly present: readonly string[];
  /** Member values that must not be in the result. */
  readonly absent: readonly string[];
  /** The `display` every member must have, when the request sets one for all (S7). */
  readonly everyDisplay?: string;
}

export type ScenarioId = 'S1' | 'S2' | 'S3' | 'S4' | 'S5' | 'S6' | 'S6r' | 'S7';

export interface Scenario {
  readonly id: ScenarioId;
  readonly title: string;
  /** Builds the request for a group of `size` members and what it must produce. */
  readonly request: (size: number) => { body: BenchBody; expected: Expectation };
}

export interface BenchCase {
  readonly scenario: Scenario;
  readonly size: number;
  readonly group: Group;
  readonly body: BenchBody;
  readonly expected: Expectation;
}

export const ORIGINAL_NAME = 'Engineering';
const NEW_NAME = 'x';

export const memberValue = (i: number): string => `user-${String(i)}`;
export const member = (i: number): GroupMember => ({ value: memberValue(i), display: `User ${String(i)}` });

/** The stored group. */
export function buildGroup(size: number): Group {
  const members = new Array<GroupMember>(size);
  for (let i = 0; i < size; i++) members[i] = member(i);
  return {
    schemas: [GROUP_URN],
    id: GROUP_ID,
    displayName: ORIGINAL_NAME,
    members,
    meta: {
      resourceType: 'Group',
      created: '2026-01-01T00:00:00.000Z',
      lastModified: '2026-01-01T00:00:00.000Z',
      location: `https://example.com/scim/v2/Groups/${GROUP_ID}`,
    },
  };
}

/** `count` new members, ids from `size` upwards. */
function newMembers(size: number, count: number): GroupMember[] {
  return Array.from({ length: count }, (_, k) => member(size + k));
}

/** `count` existing member indices spread evenly over the group (all of them when count >= size). */
function spreadIndices(size: number, count: number): number[] {
  const n = Math.min(size, count);
  return Array.from({ length: n }, (_, k) => Math.floor((k * size) / n));
}

/** Indices in [0, size) not in `taken`, a few of them, for "must still be there" probes. */
function survivors(size: number, taken: readonly number[], max = 3): string[] {
  const gone = new Set(taken);
  const out: string[] = [];
  for (let i = 0; i < size && out.length < max; i++) if (!gone.has(i)) out.push(memberValue(i));
  return out;
}

const envelope = (Operations: BenchOperation[]): BenchBody => ({ schemas: [PATCH_OP_URN], Operations });
const valueEq = (value: string): string => `members[value eq "${value}"]`;

/** First, middle and last of a list: the probes. */
function probes(values: readonly string[]): string[] {
  if (values.length === 0) return [];
  return [...new Set([values[0]!, values[Math.floor(values.length / 2)]!, values[values.length - 1]!])];
}

/** Removing `count` stored members spread over the group (S3, S4): their values and the result. */
function removalOf(size: number, count: number): { values: string[]; expected: Expectation } {
  const removed = spreadIndices(size, count);
  const values = removed.map(memberValue);
  return {
    values,
    expected: {
      memberCount: size - removed.length,
      displayName: ORIGINAL_NAME,
      present: survivors(size, removed),
      absent: probes(values),
    },
  };
}

/**
 * S6 and S6r: a list as long as the group where even positions keep the stored member and odd
 * positions bring a new one. In S6 the kept members stay at their stored positions (a client
 * resending the group with half of it changed); S6r shuffles the same list, so no kept member is
 * where it was stored.
 */
function replaceAll(size: number, shuffled: boolean): { body: BenchBody; expected: Expectation } {
  const list = Array.from({ length: size }, (_, i) => (i % 2 === 0 ? member(i) : member(size + i)));
  if (shuffled) shuffle(list);
  const values = list.map((m) => m.value);
  return {
    body: envelope([{ op: 'replace', path: 'members', value: list }]),
    expected: {
      memberCount: size,
      displayName: ORIGINAL_NAME,
      present: probes(values),
      absent: size > 1 ? [memberValue(1), memberValue(size - (size % 2 === 0 ? 1 : 2))] : [],
    },
  };
}

/** Fisher–Yates with a fixed-seed generator (mulberry32), so every run shuffles alike. */
function shuffle<T>(items: T[]): void {
  let seed = 0x5c1e_2026;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'S1',
    title: 'rename (replace displayName)',
    request: (size) => ({
      body: envelope([{ op: 'Replace', path: 'displayName', value: NEW_NAME }]),
      expected: {
        memberCount: size,
        displayName: NEW_NAME,
        present: probes([memberValue(0), memberValue(size - 1)]),
        absent: [],
      },
    }),
  },
  {
    id: 'S2',
    title: 'add 1,000 new members (one add)',
    request: (size) => {
      const added = newMembers(size, 1000);
      return {
        body: envelope([{ op: 'add', path: 'members', value: added }]),
        expected: {
          memberCount: size + 1000,
          displayName: ORIGINAL_NAME,
          present: [...probes(added.map((m) => m.value)), memberValue(0), memberValue(size - 1)],
          absent: [memberValue(size + 1000)],
        },
      };
    },
  },
  {
    id: 'S3',
    title: "remove 1,000 members (Entra's value list)",
    request: (size) => {
      const { values, expected } = removalOf(size, 1000);
      return { body: envelope([{ op: 'Remove', path: 'members', value: values.map((value) => ({ value })) }]), expected };
    },
  },
  {
    id: 'S4',
    title: '1,000 remove ops members[value eq "…"]',
    request: (size) => {
      const { values, expected } = removalOf(size, 1000);
      return { body: envelope(values.map((value) => ({ op: 'remove', path: valueEq(value) }))), expected };
    },
  },
  {
    id: 'S5',
    title: 'Okta push: pathless replace + add 100 + 100 removes',
    request: (size) => {
      const added = newMembers(size, 100);
      const removed = spreadIndices(size, 100);
      const values = removed.map(memberValue);
      return {
        body: envelope([
          { op: 'replace', value: { id: GROUP_ID, displayName: NEW_NAME } },
          { op: 'add', path: 'members', value: added },
          ...values.map((value) => ({ op: 'remove', path: valueEq(value) })),
        ]),
        expected: {
          memberCount: size + added.length - removed.length,
          displayName: NEW_NAME,
          present: [...probes(added.map((m) => m.value)), ...survivors(size, removed)],
          absent: probes(values),
        },
      };
    },
  },
  {
    id: 'S6',
    title: 'replace all members (same size, half new)',
    request: (size) => replaceAll(size, false),
  },
  {
    id: 'S6r',
    title: 'replace all members (S6 list, shuffled)',
    request: (size) => replaceAll(size, true),
  },
  {
    id: 'S7',
    title: '1,000 replace members.display (every member, 1,000 times)',
    request: (size) => {
      const names = Array.from({ length: 1000 }, (_, k) => `Renamed ${String(k)}`);
      return {
        body: envelope(names.map((value) => ({ op: 'replace', path: 'members.display', value }))),
        expected: {
          memberCount: size,
          displayName: ORIGINAL_NAME,
          present: [memberValue(0), memberValue(Math.floor(size / 2)), memberValue(size - 1)],
          absent: [],
          everyDisplay: names[names.length - 1] as string,
        },
      };
    },
  },
];

export function scenarioById(id: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.id === id);
  if (scenario === undefined) throw new Error(`unknown scenario '${id}'`);
  return scenario;
}

export function buildCase(scenario: Scenario, size: number): BenchCase {
  const { body, expected } = scenario.request(size);
  return { scenario, size, group: buildGroup(size), body, expected };
}

/** The parts of a patched group the check reads, whatever shape the implementation returns. */
export interface ResultView {
  readonly displayName: unknown;
  readonly members: readonly { readonly value?: unknown; readonly display?: unknown }[];
}

/**
 * Checks a result against the expectation: member count, no duplicate values, displayName, and
 * the probes. Returns a description of the first problem, or undefined when it is right.
 */
export function checkResult(view: ResultView, expected: Expectation): string | undefined {
  if (view.displayName !== expected.displayName) {
    return `displayName is ${JSON.stringify(view.displayName)}, expected ${JSON.stringify(expected.displayName)}`;
  }
  if (view.members.length !== expected.memberCount) {
    return `${String(view.members.length)} members, expected ${String(expected.memberCount)}`;
  }
  const values = new Set<unknown>();
  for (const m of view.members) values.add(m.value);
  if (values.size !== view.members.length) {
    return `${String(view.members.length - values.size)} duplicate member values`;
  }
  for (const value of expected.present) if (!values.has(value)) return `member ${value} missing`;
  for (const value of expected.absent) if (values.has(value)) return `member ${value} still present`;
  if (expected.everyDisplay !== undefined) {
    const other = view.members.find((m) => m.display !== expected.everyDisplay);
    if (other !== undefined) return `member ${String(other.value)} has display ${JSON.stringify(other.display)}, expected ${expected.everyDisplay}`;
  }
  return undefined;
}
