/**
 * The path and filter parser: a tokenizer and a recursive-descent parser for the RFC 7644 §3.5.2
 * PATCH path grammar with the complete §3.4.2.2 filter grammar inside `[...]`.
 *
 * ```
 * PATH      = attrPath / valuePath [subAttr]
 * attrPath  = [URI ":"] ATTRNAME *1subAttr
 * valuePath = attrPath "[" valFilter "]"
 * FILTER    = orExpr
 * orExpr    = andExpr *("or" andExpr)
 * andExpr   = unary *("and" unary)
 * unary     = "not" ["("] ... / "(" orExpr ")" / attrPath "pr" / attrPath compareOp compValue
 *           / attrPath "[" orExpr "]"                      (only in a top-level filter)
 * ```
 *
 * Keywords and operators are case-insensitive; attribute names keep their spelling here and are
 * matched case-insensitively by whoever resolves them. A malformed path is `invalidPath`; a
 * malformed filter is `invalidFilter`. Nesting depth and input length are bounded, and chains of
 * `and`/`or` are flattened into one node, so nothing recurses without bound.
 *
 * @see RFC 7644 §3.4.2.2, §3.5.2
 */
import { badRequest, type ScimError } from './errors.js';
import { keepShape } from './shapes.js';
import { clip } from './text.js';

/** An attribute reference: `[uri:]name[.subAttribute]`. */
export interface AttributePath {
  /** The schema URI prefix, when the path is fully qualified. */
  readonly uri?: string;
  /** The attribute name, as spelled. */
  readonly name: string;
  /** The sub-attribute name, as spelled. */
  readonly subAttribute?: string;
}

/** The comparison operators of RFC 7644 §3.4.2.2. */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A literal a filter compares with (JSON `compValue`). */
export type FilterValue = string | number | boolean | null;

/** `attrPath op compValue` */
export interface CompareFilter {
  /** Discriminant. */
  readonly kind: 'compare';
  /** The attribute compared. */
  readonly attribute: AttributePath;
  /** The operator, lower-cased. */
  readonly operator: CompareOperator;
  /** The literal. */
  readonly value: FilterValue;
}

/** `attrPath pr` */
export interface PresentFilter {
  /** Discriminant. */
  readonly kind: 'present';
  /** The attribute that must have a value. */
  readonly attribute: AttributePath;
}

/** `a and b and ...` or `a or b or ...`, flattened. */
export interface LogicalFilter {
  /** Discriminant. */
  readonly kind: 'and' | 'or';
  /** Two or more operands, in source order. */
  readonly filters: readonly Filter[];
}

/** `not (filter)` */
export interface NotFilter {
  /** Discriminant. */
  readonly kind: 'not';
  /** The negated filter. */
  readonly filter: Filter;
}

/** `attrPath[filter]` nested inside a filter (for example `emails[type eq "work"]`). */
export interface ValuePathFilter {
  /** Discriminant. */
  readonly kind: 'valuePath';
  /** The multi-valued attribute. */
  readonly attribute: AttributePath;
  /** The filter its values must match. */
  readonly filter: Filter;
}

/** A parsed filter expression. */
export type Filter = CompareFilter | PresentFilter | LogicalFilter | NotFilter | ValuePathFilter;

/** A parsed PATCH path. */
export interface ParsedPath {
  /** The schema URI prefix, when the path is fully qualified. */
  readonly uri?: string;
  /** The attribute name, as spelled. */
  readonly attribute: string;
  /** The value filter inside `[...]`, when there is one. */
  readonly filter?: Filter;
  /** The sub-attribute, from `attr.sub` or `attr[filter].sub`. */
  readonly subAttribute?: string;
}

/** Limits on what the parser reads. */
export interface ParseLimits {
  /** Longest path or filter accepted, in characters. Default 4096. */
  readonly maxLength?: number;
  /**
   * Deepest nesting of parentheses, `not` and `[...]`. Default 32; at most 256, whatever is asked:
   * parsing and matching recurse once per level, and no setting may let input exhaust the stack.
   */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_LENGTH = 4096;
const DEFAULT_MAX_DEPTH = 32;
const MAX_DEPTH_CEILING = 256;

function maxDepthOf(limits: ParseLimits): number {
  return Math.min(limits.maxDepth ?? DEFAULT_MAX_DEPTH, MAX_DEPTH_CEILING);
}

const COMPARE_OPERATORS: ReadonlySet<string> = new Set([
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);

type TokenKind = 'word' | 'string' | 'number' | '(' | ')' | '[' | ']' | 'end';

interface Token {
  readonly kind: TokenKind;
  /** Raw text for words; decoded text for strings. */
  readonly text: string;
  readonly start: number;
  readonly number?: number;
}

/*
 * The scanner's character classes, as sticky patterns matched where the scanner stands. A bare word
 * is a keyword or an attribute path (ALPHA or `$`, then ALPHA DIGIT - _ . : $, for URNs, dots and
 * `$ref`); a name is RFC 7644's ATTRNAME (ALPHA, then ALPHA DIGIT - _), or `$ref`.
 */
const WORD = /[a-z$][\w.:$-]*/iy;
const WORD_CHARS = /[\w.:$-]*/y;
const NAME = /[a-z$][\w-]*/iy;
const SPACES = /[ \t\n\r]*/y;
/** A JSON number (RFC 8259 §6). */
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Where a match of a sticky `pattern` at `start` ends, or `start` when there is none. */
function scanEnd(pattern: RegExp, text: string, start: number): number {
  pattern.lastIndex = start;
  return pattern.test(text) ? pattern.lastIndex : start;
}

/** Reads the tokens of a filter, one at a time, from a position in the source. */
class Tokenizer {
  private pos: number;
  private peeked: Token | undefined;

  constructor(
    private readonly source: string,
    start: number,
    private readonly fail: (message: string) => ScimError,
  ) {
    this.pos = start;
  }

  peek(): Token {
    this.peeked ??= this.read();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  /** Where the next unread character is (after the peeked token, if any). */
  get position(): number {
    return this.peeked === undefined ? this.pos : this.peeked.start;
  }

  private read(): Token {
    const s = this.source;
    const start = (this.pos = scanEnd(SPACES, s, this.pos));
    const c = s[start];
    if (c === undefined) return { kind: 'end', text: '', start };
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      this.pos++;
      return { kind: c, text: c, start };
    }
    if (c === '"') return this.readString(start);
    if (c === '-' || (c >= '0' && c <= '9')) return this.readNumber(start);
    const end = scanEnd(WORD, s, start);
    if (end === start) throw this.fail(`unexpected character '${clip(c)}' at position ${String(start)}`);
    this.pos = end;
    return { kind: 'word', text: s.slice(start, end), start };
  }

  private readString(start: number): Token {
    const s = this.source;
    let end = start + 1;
    // The closing quote is the first one not escaped by a backslash.
    while (s[end] !== '"') {
      if (end >= s.length) throw this.fail(`unterminated string starting at position ${String(start)}`);
      end += s[end] === '\\' ? 2 : 1;
    }
    this.pos = end + 1;
    try {
      // A filter's string is a JSON string (RFC 7644 §3.4.2.2 compValue), so JSON decodes it.
      return { kind: 'string', text: JSON.parse(s.slice(start, end + 1)) as string, start };
    } catch {
      throw this.fail(`bad escape or control character in the string at position ${String(start)}`);
    }
  }

  private readNumber(start: number): Token {
    const s = this.source;
    JSON_NUMBER.lastIndex = start;
    const text = JSON_NUMBER.exec(s)?.[0] ?? '';
    const end = start + text.length;
    // `01`, `1.`, `1e`, `-` and `12abc` stop the match early, before a character of a word.
    if (text === '' || scanEnd(WORD_CHARS, s, end) !== end) {
      throw this.fail(`malformed number at position ${String(start)}`);
    }
    this.pos = end;
    return { kind: 'number', text, start, number: Number(text) };
  }
}

/**
 * A schema URI (RFC 7643 §3) as a path may spell it: a URN with a namespace and a name,
 * `urn:<NID>:<NSS>` (RFC 8141: the NID is 2 to 32 letters, digits and hyphens, starting and ending
 * with a letter or digit), no segment empty. The SCIM schemas
 * (`urn:ietf:params:scim:schemas:core:2.0:User`) and custom ones (`urn:example:scim:2.0:Acme`)
 * pass; in `urn:attr` and `urn:x:attr` the part before the attribute is no schema URN. The
 * tokenizer reads no '/', so URL-shaped schema URIs never reach here.
 */
const SCHEMA_URN = /^urn:[a-z0-9][a-z0-9-]{0,30}[a-z0-9](?::[^:]+)+$/i;

/**
 * Splits `[URI ":"] ATTRNAME ["." ATTRNAME]` into its parts, or says why it cannot.
 * The URI is everything before the last colon: URNs contain colons and dots (`2.0`), names do not.
 */
function parseAttrPath(text: string): AttributePath | string {
  const lastColon = text.lastIndexOf(':');
  const uri = lastColon >= 0 ? text.slice(0, lastColon) : undefined;
  if (uri !== undefined && !SCHEMA_URN.test(uri)) {
    return `'${clip(uri)}' is not a schema URN (urn:<namespace>:<name>)`;
  }
  const nameStart = lastColon + 1;
  const nameEnd = scanEnd(NAME, text, nameStart);
  if (nameEnd === nameStart) {
    return uri === undefined
      ? 'expected [URI:]attribute[.subAttribute]'
      : `expected an attribute name after the schema URN '${clip(uri)}'`;
  }
  const name = text.slice(nameStart, nameEnd);
  const subEnd = scanEnd(NAME, text, nameEnd + 1);
  if (nameEnd < text.length && (text[nameEnd] !== '.' || subEnd === nameEnd + 1 || subEnd !== text.length)) {
    return 'expected [URI:]attribute[.subAttribute]';
  }
  if (nameEnd === text.length) return uri === undefined ? { name } : { uri, name };
  const subAttribute = text.slice(nameEnd + 1, subEnd);
  return uri === undefined ? { name, subAttribute } : { uri, name, subAttribute };
}

/** Recursive-descent filter parser over a `Tokenizer`. */
class FilterParser {
  private depth = 0;

  constructor(
    private readonly tokens: Tokenizer,
    private readonly maxDepth: number,
    private allowValuePath: boolean,
    private readonly fail: (message: string) => ScimError,
    /** For input that ends too early: in a path, a '[' never closed is a malformed path. */
    private readonly failAtEnd: (message: string) => ScimError = fail,
  ) {}

  parseOr(): Filter {
    const first = this.parseAnd();
    const filters = [first];
    while (this.isKeyword(this.tokens.peek(), 'or')) {
      this.tokens.next();
      filters.push(this.parseAnd());
    }
    return filters.length === 1 ? first : { kind: 'or', filters };
  }

  private parseAnd(): Filter {
    const first = this.parseUnary();
    const filters = [first];
    while (this.isKeyword(this.tokens.peek(), 'and')) {
      this.tokens.next();
      filters.push(this.parseUnary());
    }
    return filters.length === 1 ? first : { kind: 'and', filters };
  }

  private parseUnary(): Filter {
    const token = this.tokens.next();
    if (token.kind === '(') {
      const inner = this.nested(() => this.parseOr());
      this.expect(')');
      return inner;
    }
    if (token.kind !== 'word') throw this.unexpected(token, 'an attribute, "not" or "("');
    if (this.isKeyword(token, 'not') && this.tokens.peek().kind === '(') {
      this.tokens.next();
      const inner = this.nested(() => this.parseOr());
      this.expect(')');
      return { kind: 'not', filter: inner };
    }
    const attribute = parseAttrPath(token.text);
    if (typeof attribute === 'string') {
      throw this.fail(`'${clip(token.text)}' is not an attribute path: ${attribute} (position ${String(token.start)})`);
    }
    return this.parseAttributeExpression(attribute);
  }

  private parseAttributeExpression(attribute: AttributePath): Filter {
    const token = this.tokens.next();
    if (token.kind === '[') {
      // RFC 7644 §3.4.2.2: a valFilter holds no valuePath, so '[' never nests.
      if (!this.allowValuePath) {
        throw this.fail(`a value filter cannot nest '[' (position ${String(token.start)})`);
      }
      this.allowValuePath = false;
      const inner = this.nested(() => this.parseOr());
      this.expect(']');
      this.allowValuePath = true;
      return { kind: 'valuePath', attribute, filter: inner };
    }
    if (token.kind !== 'word') throw this.unexpected(token, 'an operator');
    const operator = token.text.toLowerCase();
    if (operator === 'pr') return { kind: 'present', attribute };
    if (!COMPARE_OPERATORS.has(operator)) {
      throw this.fail(`unknown operator '${clip(token.text)}' (position ${String(token.start)})`);
    }
    const value = this.parseValue();
    return this.checkedCompare(attribute, operator as CompareOperator, value);
  }

  private checkedCompare(
    attribute: AttributePath,
    operator: CompareOperator,
    value: FilterValue,
  ): CompareFilter {
    // RFC 7644 §3.4.2.2: co/sw/ew take strings; ordering operators reject booleans and null.
    if ((operator === 'co' || operator === 'sw' || operator === 'ew') && typeof value !== 'string') {
      throw this.fail(`operator '${operator}' needs a string value`);
    }
    if (
      (operator === 'gt' || operator === 'ge' || operator === 'lt' || operator === 'le') &&
      (typeof value === 'boolean' || value === null)
    ) {
      throw this.fail(`operator '${operator}' cannot compare with ${String(value)}`);
    }
    return { kind: 'compare', attribute, operator, value };
  }

  private parseValue(): FilterValue {
    const token = this.tokens.next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number' && token.number !== undefined && Number.isFinite(token.number)) {
      return token.number;
    }
    if (token.kind === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw this.unexpected(token, 'a value (string, number, true, false or null)');
  }

  private nested<T>(parse: () => T): T {
    this.depth++;
    if (this.depth > this.maxDepth) {
      throw this.fail(`filter nests deeper than ${String(this.maxDepth)} levels`);
    }
    const result = parse();
    this.depth--;
    return result;
  }

  private expect(kind: TokenKind): void {
    const token = this.tokens.next();
    if (token.kind !== kind) throw this.unexpected(token, `'${kind}'`);
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private unexpected(token: Token, wanted: string): ScimError {
    if (token.kind === 'end') return this.failAtEnd(`expected ${wanted} but found the end`);
    return this.fail(`expected ${wanted} but found '${clip(token.text)}' (position ${String(token.start)})`);
  }
}

let parserSamplesKept = false;

/** Keeps a tokenizer and a parser, so that their maps outlive a request (see `shapes.ts`). */
function keepParserSamples(): void {
  parserSamplesKept = true;
  const fail = (message: string): ScimError => badRequest('invalidFilter', message);
  keepShape(new FilterParser(keepShape(new Tokenizer('', 0, fail)), 1, false, fail));
}

function checkLength(input: string, limits: ParseLimits, fail: (m: string) => ScimError): void {
  const max = limits.maxLength ?? DEFAULT_MAX_LENGTH;
  if (input.length > max) throw fail(`longer than ${String(max)} characters`);
}

/**
 * Parses a filter expression (RFC 7644 §3.4.2.2), as used in `?filter=` or inside a path's `[...]`.
 *
 * @param filter - the filter text, for example `value eq "2819c223" or display sw "A"`.
 * @param limits - optional length and depth limits.
 * @returns the filter tree.
 * @throws ScimError 400 `invalidFilter` when the filter is malformed or exceeds a limit.
 * @example
 * ```ts
 * parseFilter('type eq "User" and not (display sw "x")')
 * ```
 * @see RFC 7644 §3.4.2.2
 */
export function parseFilter(filter: string, limits: ParseLimits = {}): Filter {
  const fail = (message: string): ScimError =>
    badRequest('invalidFilter', `invalid filter: ${message}`);
  checkLength(filter, limits, fail);
  if (!parserSamplesKept) keepParserSamples();
  const tokens = new Tokenizer(filter, 0, fail);
  const parser = new FilterParser(tokens, maxDepthOf(limits), true, fail);
  const result = parser.parseOr();
  const rest = tokens.next();
  if (rest.kind !== 'end') {
    throw fail(`unexpected '${clip(rest.text)}' at position ${String(rest.start)}`);
  }
  return result;
}

/**
 * Parses a PATCH `path` (RFC 7644 §3.5.2): `attr`, `attr.sub`, `urn:...:attr`, `attr[filter]`,
 * `attr[filter].sub`. It checks the grammar only; which attributes exist is the caller's business.
 *
 * @param path - the path text.
 * @param limits - optional length and depth limits.
 * @returns the parsed path.
 * @throws ScimError 400 `invalidPath` for a malformed path, `invalidFilter` for a malformed filter.
 * @example
 * ```ts
 * parsePath('members[value eq "2819c223"].display')
 * // { attribute: 'members', filter: { kind: 'compare', ... }, subAttribute: 'display' }
 * ```
 * @see RFC 7644 §3.5.2
 */
export function parsePath(path: string, limits: ParseLimits = {}): ParsedPath {
  return parseValueEqPath(path, limits) ?? parseAnyPath(path, limits);
}

/**
 * `attr[value eq "…"]` and `attr[value eq "…"].sub`, spelled exactly so, with a string that needs
 * no decoding: the path of a member removed or updated by id (1,000 of them in one Entra or Okta
 * request). One regular expression reads it, where the parser would make a tokenizer, a parser
 * and a dozen calls; the result is the parser's, which test/path.test.ts checks on generated
 * paths. Anything else, or a path over the limits, is left to the parser (undefined).
 */
// eslint-disable-next-line no-control-regex -- raw text of a JSON string holds no control character (RFC 8259 §7)
const VALUE_EQ_PATH = /^([A-Za-z$][\w-]*)\[value eq "([^"\\\u0000-\u001f]*)"\](?:\.([A-Za-z$][\w-]*))?$/;

export function parseValueEqPath(path: string, limits: ParseLimits): ParsedPath | undefined {
  if (path.length > (limits.maxLength ?? DEFAULT_MAX_LENGTH) || maxDepthOf(limits) < 1) return undefined;
  const match = VALUE_EQ_PATH.exec(path);
  if (match === null) return undefined;
  const [, attribute, value, subAttribute] = match as unknown as [string, string, string, string | undefined];
  const filter: Filter = { kind: 'compare', attribute: { name: 'value' }, operator: 'eq', value };
  return subAttribute === undefined ? { attribute, filter } : { attribute, filter, subAttribute };
}

/** `parsePath` through the tokenizer and the parser, for every path. */
export function parseAnyPath(path: string, limits: ParseLimits = {}): ParsedPath {
  const pathError = (message: string): ScimError =>
    badRequest('invalidPath', `invalid path '${clip(path)}': ${message}`);
  const filterError = (message: string): ScimError =>
    badRequest('invalidFilter', `invalid filter in path '${clip(path)}': ${message}`);
  checkLength(path, limits, pathError);

  const headEnd = scanEnd(WORD_CHARS, path, 0);
  const head = parseAttrPath(path.slice(0, headEnd));
  if (typeof head === 'string') throw pathError(head);
  if (headEnd === path.length) return toParsedPath(head, undefined, head.subAttribute);

  if (path[headEnd] !== '[') {
    throw pathError(`unexpected '${path[headEnd] ?? ''}' at position ${String(headEnd)}`);
  }
  if (head.subAttribute !== undefined) {
    throw pathError('a filter must follow an attribute, not a sub-attribute');
  }
  if (!parserSamplesKept) keepParserSamples();
  const tokens = new Tokenizer(path, headEnd + 1, filterError);
  // A '[' that is never closed makes the path malformed (invalidPath); a malformed expression
  // between '[' and ']' is a bad filter (invalidFilter).
  const unclosed = (message: string): ScimError => pathError(`'[' is never closed: ${message}`);
  const maxDepth = maxDepthOf(limits);
  const parser = new FilterParser(tokens, maxDepth, false, filterError, unclosed);
  const filter = parser.parseOr();
  const close = tokens.next();
  if (close.kind === 'end') throw unclosed(`expected ']'`);
  if (close.kind !== ']') throw filterError(`expected ']' but found '${clip(close.text)}'`);
  const afterFilter = tokens.position;
  if (afterFilter === path.length) return toParsedPath(head, filter, undefined);
  if (path[afterFilter] !== '.') {
    throw pathError(`unexpected '${path[afterFilter] ?? ''}' after ']'`);
  }
  const subEnd = scanEnd(NAME, path, afterFilter + 1);
  if (subEnd === afterFilter + 1 || subEnd !== path.length) {
    throw pathError(`expected a sub-attribute name after '].'`);
  }
  return toParsedPath(head, filter, path.slice(afterFilter + 1, subEnd));
}

function toParsedPath(
  head: AttributePath,
  filter: Filter | undefined,
  subAttribute: string | undefined,
): ParsedPath {
  // Every shape is an object literal rather than an object grown by spreads, so that its map
  // outlives the request (see shapes.ts).
  const { uri, name: attribute } = head;
  if (uri === undefined) {
    if (filter === undefined) return subAttribute === undefined ? { attribute } : { attribute, subAttribute };
    return subAttribute === undefined ? { attribute, filter } : { attribute, filter, subAttribute };
  }
  if (filter === undefined) return subAttribute === undefined ? { uri, attribute } : { uri, attribute, subAttribute };
  return subAttribute === undefined ? { uri, attribute, filter } : { uri, attribute, filter, subAttribute };
}
