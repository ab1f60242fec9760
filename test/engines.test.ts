/**
 * scripts/check-engines.mjs, the guard that keeps `npm ci` free of EBADENGINE warnings on Node 20.
 * Expected answers follow npm's range rules (node-semver): `^` keeps the first non-zero number,
 * `~` the minor, a partial version covers everything it leaves out, `A - B` is inclusive.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkLock, DEVELOPMENT_NODE, satisfies, type Lock } from '../scripts/check-engines.mjs';

const CASES: readonly (readonly [range: string, version: string, accepted: boolean])[] = [
  ['>=20', '20.0.0', true],
  ['>=20', '19.9.9', false],
  ['>= 18.12.0', '20.19.0', true],
  ['>= 18.12.0', '18.11.9', false],
  ['^20.19.0 || >=22.12.0', '20.19.0', true],
  ['^20.19.0 || >=22.12.0', '20.18.9', false],
  ['^20.19.0 || >=22.12.0', '21.0.0', false],
  ['^20.19.0 || >=22.12.0', '22.11.0', false],
  ['^20.19.0 || >=22.12.0', '22.12.0', true],
  ['^22.20 || ^24.12 || >=25', '20.20.2', false],
  ['^22.20 || ^24.12 || >=25', '22.20.0', true],
  ['^22.20 || ^24.12 || >=25', '24.11.0', false],
  ['20 || >=22', '20.5.1', true],
  ['20 || >=22', '21.7.0', false],
  ['10.* || >= 12.*', '10.3.0', true],
  ['10.* || >= 12.*', '11.0.0', false],
  ['10.* || >= 12.*', '20.19.0', true],
  ['>= 10.x', '9.11.2', false],
  ['>=16 || 14 >=14.17', '14.16.0', false],
  ['>=16 || 14 >=14.17', '14.17.0', true],
  ['>=16 || 14 >=14.17', '15.0.0', false],
  ['~1.2', '1.2.9', true],
  ['~1.2', '1.3.0', false],
  ['^0.2.3', '0.2.9', true],
  ['^0.2.3', '0.3.0', false],
  ['^0.0.3', '0.0.4', false],
  ['1 - 3', '3.9.9', true],
  ['1 - 3', '4.0.0', false],
  ['1.2.3 - 2.3.4', '2.3.4', true],
  ['1.2.3 - 2.3.4', '2.3.5', false],
  ['*', '0.0.1', true],
  ['<20', '19.99.0', true],
  ['<20', '20.0.0', false],
  ['<=20', '20.99.0', true],
  ['>20', '20.99.0', false],
  ['>20', '21.0.0', true],
  ['>20.1.2', '20.1.3', true],
];

describe('satisfies: engines.node ranges as npm reads them', () => {
  it.each(CASES)("'%s' with Node %s: %s", (range, version, accepted) => {
    expect(satisfies(version, range)).toBe(accepted);
  });

  it.each(['node >= 20', 'latest', '>=20 <x.y'])("'%s' is a form it does not know: an error, not a pass", (range) => {
    expect(() => satisfies('20.19.0', range)).toThrow(/cannot read/);
  });
});

describe('checkLock', () => {
  const lock: Lock = {
    packages: {
      '': { version: '1.0.0', engines: { node: '>=99' } },
      'node_modules/fits': { version: '1.0.0', engines: { node: '>=18' } },
      'node_modules/no-engines': { version: '1.0.0' },
      'node_modules/a/node_modules/wants-22': { version: '2.0.0', engines: { node: '>=22' } },
      'node_modules/optional-22': { version: '3.0.0', optional: true, engines: { node: '^22.20 || >=24' } },
    },
  };

  it('fails a package that refuses a version, lists an optional one apart, ignores the project itself', () => {
    expect(checkLock(lock, ['20.19.0'])).toEqual({
      failures: [{ name: 'wants-22', version: '2.0.0', range: '>=22', refused: ['20.19.0'] }],
      skipped: [{ name: 'optional-22', version: '3.0.0', range: '^22.20 || >=24', refused: ['20.19.0'] }],
    });
    expect(checkLock(lock, ['24.0.0'])).toEqual({ failures: [], skipped: [] });
  });

  it(`every package in this repository's package-lock.json accepts Node ${DEVELOPMENT_NODE}`, () => {
    const repository = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as Lock;
    expect(Object.keys(repository.packages ?? {}).length).toBeGreaterThan(100);
    expect(checkLock(repository, [DEVELOPMENT_NODE]).failures).toEqual([]);
  });
});
