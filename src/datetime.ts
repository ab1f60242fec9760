/**
 * xsd:dateTime (RFC 7643 §2.3.5), read in one place: filters compare dateTimes as instants
 * (RFC 7644 §3.4.2.2), and the engine checks values and tells equal instants apart with it.
 */

/** Date and time to the second, fraction, offset (or none: UTC). */
const DATE_TIME = /^((\d{4}-\d\d-(\d\d))T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/i;

/**
 * An xsd:dateTime as a string that sorts as the instants do, or `undefined` when the text is not
 * one: the whole seconds since the epoch plus 2e12 (13 digits for every 4-digit year), then the
 * fraction's digits without trailing zeros. No precision is lost. `Date.parse` reads the whole
 * seconds, which the regular expression has made an ECMAScript date-time string; it rolls
 * 30 February over to 2 March, so the day must read back unchanged.
 */
export function instantOf(text: string): string | undefined {
  const m = DATE_TIME.exec(text);
  if (m === null || new Date(m[2] ?? '').getUTCDate() !== Number(m[3])) return undefined;
  // Upper case: ECMAScript defines `T` and `Z`, and leaves `t` and `z` to each engine.
  const ms = Date.parse(`${m[1] ?? ''}${m[5] ?? 'Z'}`.toUpperCase());
  return Number.isNaN(ms) ? undefined : `${String(ms / 1000 + 2e12)}${(m[4] ?? '').replace(/0+$/, '')}`;
}
