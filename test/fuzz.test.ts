/**
 * The security guarantee (README "Security") under fuzzing, in CI.
 *
 * For any JSON body and any well-formed group, `applyGroupPatch` returns a well-formed group or
 * throws a `ScimError` (status 400..599, a §3.12 scimType on every 400): never a TypeError,
 * RangeError or stack overflow, never a write to an input, never a change to Object.prototype,
 * Array.prototype or Function.prototype. `test/fuzz/guarantee.ts` checks one case;
 * `test/arbitraries/hostile.ts` generates them, family by family.
 *
 * Runs: `FUZZ_RUNS` (default 3,000) cases across the families; `FC_SEED` replays a run. The
 * long campaign is `npm run fuzz` (1,000,000 cases); its counterexamples land in
 * `test/fuzz/regressions.json`, replayed here.
 *
 * No assertion reads a clock: work is bounded by counting member reads (Proxies), and every test
 * here has an explicit timeout far above its run time on a loaded machine (a runaway, such as
 * quadratic work on 100,000 levels of nesting, takes hours, not seconds).
 *
 *   FUZZ_RUNS=30000 npx vitest run test/fuzz.test.ts
 *   FC_SEED=1234 npx vitest run test/fuzz.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyGroupPatch,
  DEFAULT_LIMITS,
  parseFilter,
  parsePath,
  PATCH_OP_SCHEMA,
  ScimError,
  type Group,
  type GroupMember,
  type PatchOptions,
} from '../src/index.js';
import {
  clientEnvelope,
  FUZZ_FAMILIES,
  jsonObject,
  nest,
  placeDeepValue,
  type FuzzCase,
  type FuzzFamily,
  type NestStyle,
} from './arbitraries/hostile.js';
import {
  checkGuarantee,
  cloneIterative,
  deepEqual,
  diffPrototypes,
  equalIterative,
  measure,
  snapshotPrototypes,
} from './fuzz/guarantee.js';
import { decodeJson, encodeJson, viaJsonParse } from './fuzz/json.js';
import { loadRegressions, REGRESSIONS_FILE } from './fuzz/regressions.js';
import { counted } from './support/counted.js';
import { intFromEnv } from './support/env.js';

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------


const TOTAL_RUNS = intFromEnv('FUZZ_RUNS') ?? 3_000;
const SEED = intFromEnv('FC_SEED');
const TOTAL_SHARE = FUZZ_FAMILIES.reduce((sum, f) => sum + f.share, 0);
/** Timeout of a family: generous, and scaled with the run count (about 1 ms a case when idle). */
const TIMEOUT = Math.max(60_000, TOTAL_RUNS * 40);
/** Timeout of the targeted tests on 100,000-level or 1,000,000-character inputs (1 to 3 s each when idle). */
const HEAVY_TIMEOUT = 120_000;

const PROTOTYPES_AT_START = snapshotPrototypes();

const group: Group = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: 'g1',
  displayName: 'Eng',
  members: [
    { value: 'u1', display: 'Ann' },
    { value: 'u2', display: 'Bob' },
  ],
};

/** A fresh copy of the sample group (each check deep-freezes what it gets). */
const sampleGroup = (): Group => structuredClone(group);

function preview(value: unknown, max = 1_500): string {
  const text = encodeJson(value);
  return text.length <= max ? text : `${text.slice(0, max)}… (${String(text.length)} characters)`;
}

/** Runs one family with `fc.check` and reports a failure with its seed, path and a safe preview (no recursive printing). */
function fuzzFamily(family: FuzzFamily, numRuns: number): Map<string, number> {
  const outcomes = new Map<string, number>();
  const details = fc.check(
    fc.property(family.arbitrary, (c: FuzzCase) => {
      const outcome = checkGuarantee(c.group, c.body, c.options);
      const label = outcome.kind === 'ok' ? 'ok' : String(outcome.status);
      outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
    }),
    SEED === undefined ? { numRuns } : { numRuns, seed: SEED },
  );
  if (details.failed) {
    const c = details.counterexample?.[0];
    const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      [
        `family '${family.name}' broke the guarantee: ${message}`,
        `seed ${String(details.seed)}, path "${details.counterexamplePath ?? ''}" (replay: FC_SEED=${String(details.seed)} FUZZ_FAMILY=${family.name} FUZZ_PATH='${details.counterexamplePath ?? ''}' npm run fuzz)`,
        `group:   ${preview(c?.group)}`,
        `body:    ${preview(c?.body)}`,
        `options: ${preview(c?.options ?? null)}`,
      ].join('\n'),
      { cause: details.errorInstance },
    );
  }
  return outcomes;
}

function scimErrorOf(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError, got a result');
}

// ---------------------------------------------------------------------------------------------
// The families
// ---------------------------------------------------------------------------------------------

describe('fuzz: the guarantee over every generator family', () => {
  for (const family of FUZZ_FAMILIES) {
    const numRuns = Math.max(10, Math.round((TOTAL_RUNS * family.share) / TOTAL_SHARE));
    it(
      `${family.name} (${String(numRuns)} cases): ${family.description}`,
      () => {
        const outcomes = fuzzFamily(family, numRuns);
        expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(numRuns);
      },
      TIMEOUT,
    );
  }
});

// ---------------------------------------------------------------------------------------------
// Targeted: nesting far past every limit
// ---------------------------------------------------------------------------------------------

const DEEP = 100_000;

describe('fuzz: filters nested 100,000 levels deep', () => {
  const deepFilters: [string, string][] = [
    ['(', `${'('.repeat(DEEP)}value eq "u1"${')'.repeat(DEEP)}`],
    ['not (', `${'not ('.repeat(DEEP)}value eq "u1"${')'.repeat(DEEP)}`],
    ['unclosed (', `${'('.repeat(DEEP)}value eq "u1"`],
    ['and/or chain', `value eq "u1"${' or value eq "u2" and value pr'.repeat(DEEP / 10)}`],
  ];

  it.each(deepFilters)('parseFilter, %s: invalidFilter with the default and a raised maxLength (a flat chain parses)', (_, filter) => {
    for (const limits of [{}, { maxLength: 10_000_000 }]) {
      let error: unknown;
      try {
        parseFilter(filter, limits);
      } catch (e) {
        error = e;
      }
      if (filter.includes('or value eq') && 'maxLength' in limits) {
        // A flat chain is not nesting: with the length limit raised it parses (flattened, no recursion).
        expect(error).toBeUndefined();
      } else {
        expect(error).toBeInstanceOf(ScimError);
        expect((error as ScimError).scimType).toBe('invalidFilter');
      }
    }
  }, HEAVY_TIMEOUT);

  it.each(deepFilters)('a path members[%s ...]: a ScimError with the default and a raised maxPathLength (a flat chain applies)', (_, filter) => {
    const body = clientEnvelope([{ op: 'remove', path: `members[${filter}]` }]);
    for (const options of [undefined, { limits: { maxPathLength: 10_000_000 } }] as (PatchOptions | undefined)[]) {
      const outcome = checkGuarantee(sampleGroup(), body, options);
      if (options === undefined) {
        expect(outcome).toEqual({ kind: 'error', status: 400, scimType: 'invalidPath' }); // over 4,096 characters
      } else if (filter.includes('or value eq')) {
        expect(outcome.kind).toBe('ok');
      } else {
        expect(outcome.kind).toBe('error');
        expect(outcome.kind === 'error' && [400].includes(outcome.status)).toBe(true);
      }
    }
  }, HEAVY_TIMEOUT);

  it('parsePath on 100,000 nested brackets and parentheses, raised maxLength: ScimError, no stack overflow', () => {
    for (const path of [`members[${'['.repeat(DEEP)}`, `members${'['.repeat(DEEP)}value eq "u1"${']'.repeat(DEEP)}`, `members[value eq "u1"]${'.display'.repeat(DEEP)}`]) {
      expect(scimErrorOf(() => parsePath(path, { maxLength: 10_000_000 })).status).toBe(400);
    }
  }, HEAVY_TIMEOUT);

  it('the depth limit is exact: 32 levels of parentheses parse, 33 do not', () => {
    const at = (n: number): string => `members[${'('.repeat(n)}value eq "u1"${')'.repeat(n)}]`;
    expect(checkGuarantee(sampleGroup(), clientEnvelope([{ op: 'remove', path: at(32) }]))).toEqual({ kind: 'ok', changed: true });
    expect(checkGuarantee(sampleGroup(), clientEnvelope([{ op: 'remove', path: at(33) }]))).toEqual({
      kind: 'error',
      status: 400,
      scimType: 'invalidFilter',
    });
  });
});

describe('fuzz: JSON values nested 10,000 levels deep', () => {
  const styles: NestStyle[] = ['array', 'object', 'mixed', 'members', 'proto'];
  // Every placement of placeDeepValue: member, member value, member list, pathless value,
  // displayName, {members}, Group URN, members[filter] value, sub-attribute value, operation, op,
  // path, schemas, Operations, the body itself.
  const placements = Array.from({ length: 17 }, (_, i) => i);

  it.each(styles)('a 10,000-deep %s value in every position is a ScimError or a success, never a RangeError', (style) => {
    for (const where of placements) {
      const body = viaJsonParse(placeDeepValue(where, nest('u1', 10_000, style)));
      expect(measure(body).depth).toBeGreaterThanOrEqual(10_000);
      checkGuarantee(sampleGroup(), body);
    }
  }, HEAVY_TIMEOUT);

  it('a 10,000-deep value is really too deep for recursive helpers (so the checker needs its iterative ones)', () => {
    const deep = nest('u1', 10_000, 'array');
    expect(() => structuredClone(deep)).toThrow(RangeError);
    expect(equalIterative(cloneIterative(deep), deep)).toBe(true);
    expect(deepEqual(viaJsonParse(deep), deep)).toBe(true);
  }, HEAVY_TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// Targeted: sizes around the limits
// ---------------------------------------------------------------------------------------------

describe('fuzz: request sizes at the default limits', () => {
  const addOps = (n: number): unknown[] =>
    Array.from({ length: n }, (_, i) => ({ op: 'add', path: 'members', value: [{ value: `n${String(i)}` }] }));

  it('1,000 operations apply; 1,001 are a 413', () => {
    expect(checkGuarantee(sampleGroup(), clientEnvelope(addOps(1_000)))).toEqual({ kind: 'ok', changed: true });
    expect(checkGuarantee(sampleGroup(), clientEnvelope(addOps(1_001)))).toEqual({ kind: 'error', status: 413, scimType: undefined });
  }, HEAVY_TIMEOUT);

  it('100,001 values in one operation are a 413, before any of them is read', () => {
    const values = Array.from({ length: 100_001 }, (_, i) => ({ value: `v${String(i)}` }));
    expect(checkGuarantee(sampleGroup(), clientEnvelope([{ op: 'add', path: 'members', value: values }]))).toEqual({
      kind: 'error',
      status: 413,
      scimType: undefined,
    });
    const reads = { count: 0 };
    const error = scimErrorOf(() => applyGroupPatch(sampleGroup(), clientEnvelope([{ op: 'add', path: 'members', value: counted(values, reads) }])));
    expect(error.status).toBe(413);
    expect(reads.count).toBe(0);
  }, HEAVY_TIMEOUT);

  it('filters that do not pin value scan the group within maxScannedMembers; value filters look members up', () => {
    const SIZE = 3_000;
    const members = (): GroupMember[] => Array.from({ length: SIZE }, (_, i) => ({ value: `m${String(i)}`, display: `Member ${String(i)}` }));
    const big: Group = { id: 'big', displayName: 'Big', members: members() };
    const scans = Array.from({ length: 1_000 }, (_, i) => ({ op: 'remove', path: `members[display eq "nobody ${String(i)}"]` }));
    const lookups = Array.from({ length: 1_000 }, (_, i) => ({ op: 'remove', path: `members[value eq "m${String(i)}" and display pr]` }));
    // 1,000 scans of 3,000 members are 3,000,000 visits, over the default 2,000,000: refused
    // within the budget (plus the few reads per member any request may make), not after the work.
    expect(checkGuarantee(structuredClone(big), clientEnvelope(scans))).toEqual({ kind: 'error', status: 400, scimType: 'tooMany' });
    const reads = { count: 0 };
    const error = scimErrorOf(() => applyGroupPatch({ ...big, members: counted(members(), reads) }, clientEnvelope(scans)));
    expect(error.scimType).toBe('tooMany');
    expect(reads.count).toBeLessThanOrEqual(DEFAULT_LIMITS.maxScannedMembers + 3 * SIZE);
    expect(reads.count).toBeLessThan(1_000 * SIZE);
    expect(checkGuarantee(structuredClone(big), clientEnvelope(lookups))).toEqual({ kind: 'ok', changed: true });
    // 100 scans are 300,000 visits: within the budget, and each visit reads a member once.
    expect(checkGuarantee(structuredClone(big), clientEnvelope(scans.slice(0, 100)))).toEqual({ kind: 'ok', changed: false });
    reads.count = 0;
    applyGroupPatch({ ...big, members: counted(members(), reads) }, clientEnvelope(scans.slice(0, 100)));
    expect(reads.count).toBeLessThanOrEqual(100 * SIZE + 3 * SIZE);
  }, HEAVY_TIMEOUT);

  it('a 4,096-character path is parsed; 4,097 characters are invalidPath', () => {
    const path = (length: number): string => {
      const head = 'members[value eq "';
      return `${head}${'x'.repeat(length - head.length - 2)}"]`;
    };
    expect(path(4_096)).toHaveLength(4_096);
    expect(checkGuarantee(sampleGroup(), clientEnvelope([{ op: 'remove', path: path(4_096) }]))).toEqual({ kind: 'ok', changed: false });
    expect(checkGuarantee(sampleGroup(), clientEnvelope([{ op: 'remove', path: path(4_097) }]))).toEqual({
      kind: 'error',
      status: 400,
      scimType: 'invalidPath',
    });
  });

  it('1,000,000-character strings as a member value, a displayName, a key and an op', () => {
    const s = 'u'.repeat(1_000_000);
    const bodies: unknown[] = [
      clientEnvelope([{ op: 'add', path: 'members', value: [{ value: s, display: s }] }]),
      clientEnvelope([{ op: 'replace', path: 'displayName', value: s }]),
      clientEnvelope([{ op: 'replace', value: jsonObject([[s, 'x']]) }]),
      clientEnvelope([{ op: s, path: 'members', value: [] }]),
    ];
    for (const body of bodies) checkGuarantee(sampleGroup(), body);
  }, HEAVY_TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// Targeted: prototype keys as JSON.parse delivers them
// ---------------------------------------------------------------------------------------------

describe('fuzz: prototype keys in real (JSON.parse) bodies', () => {
  const bodies = [
    '{"__proto__":{"Operations":[{"op":"add","path":"displayName","value":"x"}]},"Operations":[]}',
    '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"__proto__":{"polluted":"yes"}}}]}',
    '{"Operations":[{"op":"add","path":"members","value":[{"value":"u9","__proto__":{"polluted":"yes"}}]}]}',
    '{"Operations":[{"op":"replace","path":"members[value eq \\"u1\\"]","value":{"constructor":{"prototype":{"polluted":"yes"}}}}]}',
    '{"Operations":[{"op":"add","path":"members","value":{"members":[{"value":"u9"}],"__proto__":[{"value":"u8"}]}}]}',
    '{"Operations":[{"op":"add","path":"members","value":[{"value":"__proto__"},{"value":"constructor"},{"value":"prototype"}]}]}',
    '{"Operations":[{"op":"remove","path":"members[value eq \\"__proto__\\" or value eq \\"constructor\\"]"}]}',
    '{"Operations":[{"op":"add","path":"members","value":[{"value":"toString"},{"value":"hasOwnProperty"},{"value":"valueOf"}]}]}',
  ];

  it.each(bodies)('%s', (text) => {
    const body = JSON.parse(text) as unknown;
    checkGuarantee(sampleGroup(), body);
    checkGuarantee(sampleGroup(), body, { memberValueCaseExact: false });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('member values named like prototype members are ordinary ids', () => {
    const body = JSON.parse(bodies[5] as string) as unknown;
    const next = applyGroupPatch(sampleGroup(), body);
    expect(next.members?.map((m) => m.value)).toEqual(['u1', 'u2', '__proto__', 'constructor', 'prototype']);
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
  });
});

// ---------------------------------------------------------------------------------------------
// The checker itself
// ---------------------------------------------------------------------------------------------

describe('fuzz: the checker and its helpers', () => {
  it('refuses a group that is not well-formed (a generator bug, not a finding)', () => {
    const bad = { id: 'g', displayName: 'G', members: [{ value: 'u1' }, { value: 'U1' }] } as Group;
    expect(() => checkGuarantee(bad, { Operations: [] }, { memberValueCaseExact: false })).toThrow(/precondition/);
    expect(checkGuarantee(structuredClone(bad), { Operations: [] })).toEqual({ kind: 'ok', changed: false });
  });

  it('encodeJson/decodeJson round-trip -0, Infinity, own __proto__ keys, exotic values and any depth', () => {
    const holey = new Array<unknown>(3);
    holey[1] = 'x';
    const nullProto = Object.create(null) as Record<string, unknown>;
    nullProto.a = 1;
    const value = jsonObject([
      ['__proto__', { polluted: true }],
      ['numbers', [-0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5]],
      ['exotic', [undefined, Number.NaN, 10n, holey, nullProto]],
      ['deep', nest('u1', 20_000, 'mixed')],
      ['text', 'a"b\\c\u0000\ud800'],
    ]);
    const back = decodeJson(JSON.parse(encodeJson(value)));
    expect(equalIterative(back, value)).toBe(true);
    expect(Object.hasOwn(back as object, '__proto__')).toBe(true);
  });

  it('regression records are well-formed', () => {
    const records = loadRegressions();
    expect(Array.isArray(records), REGRESSIONS_FILE).toBe(true);
    for (const record of records) {
      expect(typeof record.comment).toBe('string');
      expect(record.group).toBeTypeOf('object');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Regressions, and the prototypes after everything
// ---------------------------------------------------------------------------------------------

const regressions = loadRegressions();

describe.runIf(regressions.length > 0)('fuzz: regressions from test/fuzz/regressions.json', () => {
  it.each(regressions.map((record, i) => [i, record.comment, record] as const))('#%i %s', (_, __, record) => {
    checkGuarantee(record.group, record.body, record.options);
  });
});

describe('fuzz: after every run above', () => {
  it('Object.prototype, Array.prototype and Function.prototype are unchanged', () => {
    expect(diffPrototypes(PROTOTYPES_AT_START)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(PATCH_OP_SCHEMA).toBe('urn:ietf:params:scim:api:messages:2.0:PatchOp');
  });
});
