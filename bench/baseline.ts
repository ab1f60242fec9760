/**
 * The hand-written baseline: the simplest correct code a developer would write for exactly one
 * scenario, reading the request body (not a precomputed answer) and returning a new group without
 * touching the stored one. It validates nothing beyond what it needs and handles nothing else:
 * it is the floor a general library is measured against.
 */
import type { Group, GroupMember } from '../src/index.js';
import type { BenchBody, ScenarioId } from './scenarios.js';

type Baseline = (group: Group, body: BenchBody) => Group;

const touched = (group: Group): NonNullable<Group['meta']> => ({ ...group.meta, lastModified: new Date().toISOString() });

const VALUE_EQ = /^members\[value eq "([^"]*)"\]$/i;

/** The member value in a `members[value eq "..."]` path. */
function valueOfPath(path: string | undefined): string {
  const match = VALUE_EQ.exec(path ?? '');
  if (match === null) throw new Error(`baseline: unexpected path ${String(path)}`);
  return match[1]!;
}

function op(body: BenchBody, index: number): BenchBody['Operations'][number] {
  const operation = body.Operations[index];
  if (operation === undefined) throw new Error(`baseline: no operation ${String(index)}`);
  return operation;
}

/** Existing members, then the new ones not already there (a Set of existing values). */
function addMembers(existing: readonly GroupMember[], added: readonly GroupMember[]): GroupMember[] {
  const seen = new Set(existing.map((m) => m.value));
  const fresh = added.filter((m) => !seen.has(m.value) && (seen.add(m.value), true));
  return existing.concat(fresh);
}

export const BASELINES: Readonly<Record<ScenarioId, Baseline>> = {
  S1: (group, body) => ({ ...group, displayName: op(body, 0).value as string, meta: touched(group) }),

  S2: (group, body) => ({
    ...group,
    members: addMembers(group.members ?? [], op(body, 0).value as GroupMember[]),
    meta: touched(group),
  }),

  S3: (group, body) => {
    const gone = new Set((op(body, 0).value as { value: string }[]).map((m) => m.value));
    return { ...group, members: (group.members ?? []).filter((m) => !gone.has(m.value)), meta: touched(group) };
  },

  S4: (group, body) => {
    const gone = new Set(body.Operations.map((o) => valueOfPath(o.path)));
    return { ...group, members: (group.members ?? []).filter((m) => !gone.has(m.value)), meta: touched(group) };
  },

  S5: (group, body) => {
    // replace {id, displayName}; add members; remove members[value eq "..."] × n, in that order.
    let displayName = group.displayName;
    let members = group.members ?? [];
    const gone = new Set<string>();
    for (const operation of body.Operations) {
      if (operation.op === 'replace' && operation.path === undefined) {
        displayName = (operation.value as { displayName: string }).displayName;
      } else if (operation.op === 'add' && operation.path === 'members') {
        members = addMembers(members, operation.value as GroupMember[]);
      } else if (operation.op === 'remove') {
        gone.add(valueOfPath(operation.path));
      } else {
        throw new Error(`baseline: unexpected operation ${operation.op}`);
      }
    }
    // Every remove comes after the add, so one filter at the end is the same as removing in order.
    return { ...group, displayName, members: members.filter((m) => !gone.has(m.value)), meta: touched(group) };
  },

  // The list replaces the members; one Set keeps the first of any value sent twice.
  S6: (group, body) => ({ ...group, members: addMembers([], op(body, 0).value as GroupMember[]), meta: touched(group) }),
  S6r: (group, body) => ({ ...group, members: addMembers([], op(body, 0).value as GroupMember[]), meta: touched(group) }),

  // Every operation sets every member's display: only the last one shows, so one pass applies it.
  S7: (group, body) => {
    const display = op(body, body.Operations.length - 1).value as string;
    return { ...group, members: (group.members ?? []).map((m) => ({ ...m, display })), meta: touched(group) };
  },
};

/**
 * A replace that gives the library's result (README policy row 24), not just a correct one:
 * stored members sent again keep their stored place with the content sent, new ones follow in
 * list order, the first of a repeated value wins. One Map of the list, one pass over the stored
 * list. The plain S6 baseline above returns the list in request order, which the RFC allows too
 * but which is not what the library returns.
 */
function replaceKeepingPlaces(group: Group, body: BenchBody): Group {
  const list = op(body, 0).value as GroupMember[];
  const sent = new Map<string, number>();
  list.forEach((m, i) => {
    if (!sent.has(m.value)) sent.set(m.value, i);
  });
  const placed = new Uint8Array(list.length);
  const members: GroupMember[] = [];
  for (const stored of group.members ?? []) {
    const i = sent.get(stored.value);
    if (i === undefined) continue;
    placed[i] = 1;
    members.push(list[i]!);
  }
  for (const i of sent.values()) if (placed[i] === 0) members.push(list[i]!);
  return { ...group, members, meta: touched(group) };
}

export const KEPT_ORDER_BASELINES: Readonly<Partial<Record<ScenarioId, Baseline>>> = {
  S6: replaceKeepingPlaces,
  S6r: replaceKeepingPlaces,
};
