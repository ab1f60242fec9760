/**
 * JSON text for fuzz cases: bodies are built through `JSON.parse(encodeJson(value))` (the way a
 * real body arrives), and regression records are written with `encodeJson`.
 *
 * `encodeJson` writes JSON so that every value a parsed body can hold
 * round-trips exactly: `-0` is written `-0` and ±Infinity `1e999` / `-1e999` (what `JSON.parse`
 * reads back as such), own `__proto__` keys stay own keys, and nesting depth is unbounded (the
 * writer does not recurse, and `JSON.parse` does not either). Values no JSON text can hold
 * (`undefined`, `NaN`, bigints, null-prototype objects, arrays with holes), which only the
 * "anything" family generates, are written as tagged objects `{"\u0000fuzz": kind, ...}` and
 * decoded by `decodeJson`.
 */
const TAG = '\u0000fuzz';

function defineOwn(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** A real body: `value` written as JSON text and parsed back (own `__proto__` keys stay own keys). */
export function viaJsonParse<T = unknown>(value: unknown): T {
  return JSON.parse(encodeJson(value)) as T;
}

function numberText(n: number): string {
  if (Object.is(n, -0)) return '-0';
  if (n === Number.POSITIVE_INFINITY) return '1e999';
  if (n === Number.NEGATIVE_INFINITY) return '-1e999';
  return JSON.stringify(n);
}

function tagged(kind: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  Object.defineProperty(out, TAG, { value: kind, writable: true, enumerable: true, configurable: true });
  for (const [k, v] of Object.entries(extra)) out[k] = v;
  return out;
}

/**
 * Writes a value as JSON text without recursion (see the module comment for what is special).
 * Functions and symbols are dropped like `JSON.stringify` drops them.
 *
 * @param indentTop - indent the top level by this many spaces (nested levels are compact).
 */
export function encodeJson(value: unknown, indentTop = 0): string {
  const out: string[] = [];
  // Work items: a value to write, or a literal string.
  type Item = { readonly v: unknown; readonly depth: number } | string;
  const stack: Item[] = [{ v: value, depth: 0 }];
  const pad = (depth: number): string => (indentTop > 0 && depth === 0 ? `\n${' '.repeat(indentTop)}` : '');
  const close = (depth: number): string => (indentTop > 0 && depth === 0 ? '\n' : '');
  while (stack.length > 0) {
    const item = stack.pop() as Item;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const { v, depth } = item;
    if (v === null) out.push('null');
    else if (v === undefined) stack.push({ v: tagged('undefined'), depth });
    else if (typeof v === 'number') {
      if (Number.isNaN(v)) stack.push({ v: tagged('NaN'), depth });
      else out.push(numberText(v));
    } else if (typeof v === 'bigint') stack.push({ v: tagged('bigint', { value: v.toString() }), depth });
    else if (typeof v === 'string' || typeof v === 'boolean') out.push(JSON.stringify(v));
    else if (typeof v === 'object') {
      if (Array.isArray(v)) {
        let holes = false;
        for (let i = 0; i < v.length; i++) if (!Object.hasOwn(v, i)) holes = true;
        if (holes) {
          const entries = Object.keys(v).map((k) => [Number(k), (v as unknown[])[Number(k)]]);
          stack.push({ v: tagged('sparse', { length: v.length, entries }), depth });
          continue;
        }
        const parts: Item[] = ['['];
        v.forEach((element: unknown, i) => {
          if (i > 0) parts.push(',');
          parts.push(pad(depth));
          parts.push({ v: element, depth: depth + 1 });
        });
        parts.push(v.length > 0 ? close(depth) : '', ']');
        for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as Item);
      } else if (Object.getPrototypeOf(v) === null) {
        const entries = Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]]);
        stack.push({ v: tagged('nullProto', { entries }), depth });
      } else {
        const keys = Object.keys(v).filter((k) => {
          const item = (v as Record<string, unknown>)[k];
          return typeof item !== 'function' && typeof item !== 'symbol';
        });
        const parts: Item[] = ['{'];
        keys.forEach((k, i) => {
          if (i > 0) parts.push(',');
          parts.push(pad(depth), `${JSON.stringify(k)}:${indentTop > 0 && depth === 0 ? ' ' : ''}`);
          parts.push({ v: (v as Record<string, unknown>)[k], depth: depth + 1 });
        });
        parts.push(keys.length > 0 ? close(depth) : '', '}');
        for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as Item);
      }
    } else {
      out.push('null'); // functions and symbols at the top level or in arrays
    }
  }
  return out.join('');
}

/** Decodes the tagged values `encodeJson` writes, without recursion; plain JSON comes back as it is. */
export function decodeJson(parsed: unknown): unknown {
  const decodeTag = (o: Record<string, unknown>): unknown => {
    switch (o[TAG]) {
      case 'undefined':
        return undefined;
      case 'NaN':
        return Number.NaN;
      case 'bigint':
        return BigInt(String(o.value));
      case 'nullProto': {
        const out = Object.create(null) as Record<string, unknown>;
        for (const [k, v] of o.entries as [string, unknown][]) defineOwn(out, k, v);
        return out;
      }
      case 'sparse': {
        const out = new Array<unknown>(Number(o.length));
        for (const [i, v] of o.entries as [number, unknown][]) out[i] = v;
        return out;
      }
      default:
        throw new Error(`unknown tag ${String(o[TAG])}`);
    }
  };
  // Post-order: children are decoded before their parent (tag payloads hold encoded children).
  const holder = { root: parsed };
  const order: [Record<string, unknown>, string][] = [];
  const stack: [Record<string, unknown>, string][] = [[holder, 'root']];
  while (stack.length > 0) {
    const entry = stack.pop() as [Record<string, unknown>, string];
    order.push(entry);
    const v = entry[0][entry[1]];
    if (typeof v === 'object' && v !== null) {
      for (const k of Object.keys(v)) stack.push([v as Record<string, unknown>, k]);
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const [parent, key] = order[i] as [Record<string, unknown>, string];
    const v = parent[key];
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, TAG)) {
      defineOwn(parent, key, decodeTag(v as Record<string, unknown>));
    }
  }
  return holder.root;
}
