// Keeps `npm ci` free of EBADENGINE warnings on Node 20: every package in package-lock.json whose
// `engines.node` is set must accept the Node 20 release development needs (DEVELOPMENT_NODE) and
// the Node running this script. Optional packages that refuse it are listed, not failed: npm
// skips an optional package whose engines do not fit, without a warning.
//   node scripts/check-engines.mjs
//
// The ranges are read by a small reader of the forms package authors write (`>=20`,
// `^20.19.0 || >=22.12.0`, `>= 18.12.0`, `10.* || >= 12.*`, `~1.2`, `1 - 3`); a form it does not
// know fails the check rather than passing unread.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The oldest Node 20 the development tools accept (ESLint 10 and Vite 8 want 20.19). */
export const DEVELOPMENT_NODE = '20.19.0';

const MAX = Number.MAX_SAFE_INTEGER;

/** `[major, minor, patch]` of a full version such as `20.19.0` or `v22.1.0`. */
export function parseVersion(text) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim());
  if (match === null) throw new Error(`not a version: '${text}'`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/** A partial version (`20`, `20.x`, `14.17`, `*`): its numbers, and how many of them are given. */
function parsePartial(text, range) {
  const match = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[0-9A-Za-z.-]+)?$/.exec(text);
  if (match === null) throw new Error(`cannot read '${text}' in the range '${range}'`);
  const parts = [];
  for (const part of match.slice(1, 4)) {
    if (part === undefined || /^[xX*]$/.test(part)) break;
    parts.push(Number(part));
  }
  return parts;
}

/** The lowest version a partial covers, and the first version above it. */
function bounds(parts) {
  const low = [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
  if (parts.length === 0) return { low, above: [MAX, 0, 0] };
  const above = [...low];
  above[parts.length - 1] += 1;
  for (let i = parts.length; i < 3; i++) above[i] = 0;
  return { low, above };
}

/** One comparator (`>=20`, `^1.2`, `20.x`) as a half-open interval [min, max). */
function comparator(text, range) {
  const match = /^(>=|<=|>|<|=|\^|~>?)?\s*(.+)$/.exec(text);
  if (match === null) throw new Error(`cannot read '${text}' in the range '${range}'`);
  const operator = match[1] ?? '';
  const parts = parsePartial(match[2], range);
  const { low, above } = bounds(parts);
  switch (operator) {
    case '':
    case '=':
      return { min: low, max: above };
    case '>=':
      return { min: low, max: [MAX, 0, 0] };
    case '>':
      return { min: parts.length === 3 ? [low[0], low[1], low[2] + 1] : above, max: [MAX, 0, 0] };
    case '<':
      return { min: [0, 0, 0], max: low };
    case '<=':
      return { min: [0, 0, 0], max: above };
    case '~':
    case '~>':
      return { min: low, max: parts.length >= 2 ? [low[0], low[1] + 1, 0] : above };
    case '^': {
      // The first non-zero number given (or the last one given) may not change.
      const fixed = low[0] !== 0 || parts.length <= 1 ? 0 : low[1] !== 0 || parts.length === 2 ? 1 : 2;
      const max = [...low];
      max[fixed] += 1;
      for (let i = fixed + 1; i < 3; i++) max[i] = 0;
      return { min: low, max };
    }
    default:
      throw new Error(`cannot read '${text}' in the range '${range}'`);
  }
}

/** Whether `version` (`20.19.0`) is in `range` (an `engines.node` value). Throws on a form it does not know. */
export function satisfies(version, range) {
  const v = parseVersion(version);
  return range.split('||').some((alternative) => {
    const text = alternative.trim();
    if (text === '' || text === '*' || /^[xX]$/.test(text)) return true;
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    const intervals = hyphen
      ? [{ min: bounds(parsePartial(hyphen[1], range)).low, max: bounds(parsePartial(hyphen[2], range)).above }]
      : text
          .replace(/(>=|<=|>|<|=|\^|~>?)\s+/g, '$1')
          .split(/\s+/)
          .map((part) => comparator(part, range));
    return intervals.every(({ min, max }) => compare(v, min) >= 0 && compare(v, max) < 0);
  });
}

/**
 * The lock's packages whose `engines.node` refuses one of `versions`: `failures` (npm would warn
 * EBADENGINE) and `skipped` (optional: npm leaves them out quietly).
 */
export function checkLock(lock, versions) {
  const failures = [];
  const skipped = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const range = entry.engines?.node;
    if (path === '' || typeof range !== 'string') continue;
    const refused = versions.filter((version) => !satisfies(version, range));
    if (refused.length === 0) continue;
    const finding = { name: path.replace(/^.*node_modules\//, ''), version: entry.version, range, refused };
    (entry.optional === true ? skipped : failures).push(finding);
  }
  return { failures, skipped };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(import.meta.dirname, '..');
  const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8'));
  const versions = [...new Set([DEVELOPMENT_NODE, process.versions.node])];
  const { failures, skipped } = checkLock(lock, versions);
  const show = (f) => `${f.name}@${f.version} wants node '${f.range}', refuses ${f.refused.join(', ')}`;
  for (const f of skipped) console.log(`optional, skipped by npm: ${show(f)}`);
  if (failures.length > 0) {
    for (const f of failures) console.error(`engines: ${show(f)}`);
    console.error('npm ci would warn EBADENGINE: pin versions whose engines accept Node 20 (see CONTRIBUTING.md)');
    process.exit(1);
  }
  const count = Object.values(lock.packages ?? {}).filter((entry) => typeof entry.engines?.node === 'string').length;
  const optional = skipped.length > 0 ? ` (${String(skipped.length)} optional one(s) aside)` : '';
  console.log(`engines: the packages of package-lock.json that name a Node range (${String(count)}) accept Node ${versions.join(' and ')}${optional}`);
}
