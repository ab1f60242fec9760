/**
 * Runs the JSON fixture records in test/fixtures/: each record is a group, a request, and the
 * expected group or the expected error, worked out by hand from RFC 7644, the seed documents and
 * the policy table in README.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import {
  applyGroupChanges,
  applyGroupPatch,
  normalizePatchRequest,
  ScimError,
  tryApplyGroupPatch,
  validatePatchRequest,
  type ChangeSummary,
  type Group,
  type GroupMember,
  type PatchOptions,
} from '../src/index.js';
import { deepFreeze } from './support/freeze.js';
import { operationIndexNamedBy } from './support/scim-error.js';

interface FixtureRecord {
  readonly comment: string;
  readonly source?: string;
  readonly policy?: number;
  readonly options?: PatchOptions;
  readonly group: Group;
  readonly request: unknown;
  readonly expected?: Group;
  readonly expectedError?: { readonly status: number; readonly scimType?: string };
  readonly unchanged?: boolean;
}

const FIXED_NOW = new Date('2030-01-01T00:00:00.000Z');
const directory = join(import.meta.dirname, 'fixtures');
const files = readdirSync(directory).filter((name) => name.endsWith('.json')).sort();

function load(file: string): FixtureRecord[] {
  return JSON.parse(readFileSync(join(directory, file), 'utf8')) as FixtureRecord[];
}

function run(record: FixtureRecord): void {
  const group = deepFreeze(record.group);
  const request = deepFreeze(record.request);
  const options: PatchOptions = { ...record.options, now: () => FIXED_NOW };
  if (record.expectedError !== undefined) {
    let thrown: unknown;
    try {
      applyGroupPatch(group, request, options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'expected the patch to fail').toBeInstanceOf(ScimError);
    const error = thrown as ScimError;
    expect({ status: error.status, scimType: error.scimType }).toEqual({
      status: record.expectedError.status,
      scimType: record.expectedError.scimType,
    });
    expect(error.operationIndex, 'operationIndex and the detail name the same operation').toBe(operationIndexNamedBy(error.detail));
    return;
  }
  const result = applyGroupPatch(group, request, options);
  expect(result).toEqual(record.expected);
  if (record.unchanged === true) expect(result).toBe(group);
  else expect(result).not.toBe(group);
}

/** What any entry point made of a record: the group, or the error's status and scimType. */
function outcomeOf(action: () => Group): Group | { readonly status: number; readonly scimType: string | undefined } {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    return { status: error.status, scimType: error.scimType };
  }
}

/** The summary worked out from the group and the result alone, by comparing them. */
function expectedSummary(group: Group, result: Group, options: PatchOptions): ChangeSummary | undefined {
  const keyOf = (member: GroupMember): string => (options.memberValueCaseExact === false ? member.value.toLowerCase() : member.value);
  const before = group.members ?? [];
  const after = result.members ?? [];
  const beforeKeys = new Map(before.map((member) => [keyOf(member), member]));
  // Stored repeats of a value have no single "before" to compare with.
  if (beforeKeys.size !== before.length) return undefined;
  const afterKeys = new Set(after.map(keyOf));
  const attributesChanged = (['displayName', 'externalId', 'members'] as const).filter((name) =>
    name === 'members' ? !isDeepStrictEqual(before, after) : (group[name] ?? undefined) !== (result[name] ?? undefined),
  );
  return {
    changed: result !== group,
    attributesChanged,
    membersAdded: after.filter((member) => !beforeKeys.has(keyOf(member))),
    membersRemoved: before.filter((member) => !afterKeys.has(keyOf(member))),
    membersUpdated: after.filter((member) => {
      const stored = beforeKeys.get(keyOf(member));
      return stored !== undefined && !isDeepStrictEqual(stored, member);
    }),
  };
}

/** Every entry point gives the record's outcome, and the summary says what changed. */
function runEveryEntryPoint(record: FixtureRecord): void {
  const group = deepFreeze(record.group);
  const request = deepFreeze(record.request);
  const options: PatchOptions = { ...record.options, now: () => FIXED_NOW };
  const expected = record.expectedError === undefined ? record.expected : { status: record.expectedError.status, scimType: record.expectedError.scimType };
  const tried = tryApplyGroupPatch(group, request, options);
  expect(tried.ok ? tried.group : { status: tried.error.status, scimType: tried.error.scimType }).toEqual(expected);
  expect(outcomeOf(() => applyGroupChanges(group, normalizePatchRequest(request, options), options).group)).toEqual(expected);
  expect(outcomeOf(() => applyGroupPatch(group, validatePatchRequest(request, options), options))).toEqual(expected);
  if (!tried.ok) return;
  expect(tried.summary.changed).toBe(tried.group !== group);
  const summary = expectedSummary(group, tried.group, options);
  if (summary !== undefined) expect(tried.summary).toEqual(summary);
}

describe.each(files)('%s', (file) => {
  const records = load(file);
  it('holds records, each with exactly one expectation', () => {
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      expect(typeof record.comment).toBe('string');
      expect((record.expected === undefined) !== (record.expectedError === undefined)).toBe(true);
    }
  });
  it.each(records.map((record, index) => [`#${String(index)} ${record.comment}`, record] as const))(
    '%s',
    (_name, record) => {
      run(record);
    },
  );
});

afterAll(() => {
  // The adversarial records try __proto__, constructor and prototype everywhere.
  for (const proto of [Object.prototype, Array.prototype, Function.prototype]) {
    expect(Object.getOwnPropertyNames(proto)).not.toContain('polluted');
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe.each(files)('%s through every entry point, with the change summary', (file) => {
  it.each(load(file).map((record, index) => [`#${String(index)} ${record.comment}`, record] as const))('%s', (_name, record) => {
    runEveryEntryPoint(record);
  });
});

describe('policy coverage', () => {
  it('has at least one record for every row of the policy table', () => {
    const rows = new Set(files.flatMap((file) => load(file).flatMap((r) => (r.policy === undefined ? [] : [r.policy]))));
    const missing = Array.from({ length: 32 }, (_, i) => i + 1).filter((row) => !rows.has(row));
    expect(missing).toEqual([]);
  });
});
