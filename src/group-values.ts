/**
 * Values of the Group's attributes, for the Group API: what a valid `displayName`, `externalId`,
 * member and member update look like, read into clean objects (unknown keys dropped, names in the
 * schema's spelling).
 */
import { badRequest, payloadTooLarge } from './errors.js';
import { describe, isObject, rejectPrototypeKey } from './json.js';
import { MEMBER_SUB_ATTRIBUTES, type MemberSubAttribute } from './group-path.js';
import type { GroupMember } from './types.js';
import { keepShape } from './shapes.js';

/** Sub-attributes a member update may set; `null` removes the sub-attribute. */
// A type alias (not an interface) so that it is assignable to a keyed list's record of updates.
// eslint-disable-next-line @typescript-eslint/consistent-type-definitions
export type MemberAttributeUpdate = {
  /** New display name, or null to remove it. */
  readonly display?: string | null;
  /** New type, or null to remove it. */
  readonly type?: string | null;
  /** New `$ref`, or null to remove it. */
  readonly $ref?: string | null;
};

/**
 * Reads a `displayName` value: a non-empty string.
 *
 * @throws ScimError `mutability` for null (the attribute is required), `invalidValue` otherwise.
 */
export function readDisplayName(value: unknown, label: string): string {
  if (value === null) {
    throw badRequest('mutability', `${label}: displayName is required and cannot be set to null`);
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw badRequest('invalidValue', `${label}: displayName must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/**
 * Reads an `externalId` value: a non-empty string, or null (unassign) where `allowNull` says so.
 *
 * @throws ScimError `invalidValue`.
 */
export function readExternalId(value: unknown, label: string, allowNull: boolean): string | null {
  if (value === null && allowNull) return null;
  if (typeof value !== 'string' || value.length === 0) {
    throw badRequest('invalidValue', `${label}: externalId must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function readOptionalString(value: unknown, label: string): string | undefined | null {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') {
    throw badRequest('invalidValue', `${label} must be a string, got ${describe(value)}`);
  }
  return value;
}

/** Builds a clean member: only the four known sub-attributes, nulls dropped (Entra's `"$ref": null`). */
function buildMember(
  value: string,
  display: string | null | undefined,
  type: string | null | undefined,
  ref: string | null | undefined,
): GroupMember {
  // The two shapes clients send most are built whole, not grown a property at a time.
  if (type == null && ref == null) return typeof display === 'string' ? { value, display } : { value };
  const member: { value: string; display?: string; type?: string; $ref?: string } = { value };
  if (typeof display === 'string') member.display = display;
  if (typeof type === 'string') member.type = type;
  if (typeof ref === 'string') member.$ref = ref;
  return member;
}

/** The label of a member in error details: `label`, or `label[index]` for an item of a list. */
function memberLabel(label: string, index: number | undefined): string {
  return index === undefined ? label : `${label}[${String(index)}]`;
}

/**
 * Reads one member object `{value, display?, type?, $ref?}`. Unknown sub-attributes are ignored.
 * `index` is the member's place in its list, for error details (built only when one is thrown:
 * a list of 100,000 members would otherwise build 100,000 labels nobody reads).
 *
 * @throws ScimError `invalidValue` when it is not an object or `value` is not a non-empty string.
 */
export function readMember(raw: unknown, label: string, index?: number): GroupMember {
  if (!isObject(raw)) {
    throw badRequest(
      'invalidValue',
      `${memberLabel(label, index)}: a member must be an object with a string "value", got ${describe(raw)}`,
    );
  }
  let value: unknown;
  let display: string | null | undefined;
  let type: string | null | undefined;
  let ref: string | null | undefined;
  const keys = Object.keys(raw);
  // An index loop rather than for-of: 100,000 members in a request's first call run it before
  // V8 has compiled it, where an iterator costs several calls per key.
  // eslint-disable-next-line @typescript-eslint/prefer-for-of
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    // Keys spelled as the schema spells them (what every client sends) skip the case folding.
    let name: string = key;
    if (key !== 'value' && key !== 'display' && key !== 'type' && key !== '$ref') {
      rejectPrototypeKey(key, memberLabel(label, index), 'invalidValue');
      name = key.toLowerCase();
    }
    switch (name) {
      case 'value':
        value = raw[key];
        break;
      case 'display':
        display = memberString(raw[key], label, index, 'display');
        break;
      case 'type':
        type = memberString(raw[key], label, index, 'type');
        break;
      case '$ref':
        ref = memberString(raw[key], label, index, '$ref');
        break;
      default:
        break;
    }
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw badRequest(
      'invalidValue',
      `${memberLabel(label, index)}.value must be a non-empty string, got ${describe(value)}`,
    );
  }
  return buildMember(value, display, type, ref);
}

/** A member sub-attribute: a string, or null/absent for unassigned (RFC 7643 §2.5). */
function memberString(
  item: unknown,
  label: string,
  index: number | undefined,
  name: string,
): string | null | undefined {
  if (item === undefined || item === null || typeof item === 'string') return item;
  return readOptionalString(item, `${memberLabel(label, index)}.${name}`);
}

/** The `members` list inside a `{ "members": [...] }` wrapper, when `raw` is one. */
function unwrapMembers(
  raw: Readonly<Record<string, unknown>>,
  label: string,
): { list: unknown } | undefined {
  let list: { list: unknown } | undefined;
  for (const key of Object.keys(raw)) {
    rejectPrototypeKey(key, label, 'invalidValue');
    const name = key.toLowerCase();
    if (name === 'value') return undefined;
    if (name === 'members') list = { list: raw[key] };
  }
  return list;
}

/**
 * Reads a list of members: an array of member objects, one member object, or `{members: [...]}`.
 *
 * @throws ScimError `invalidValue` for anything else or any malformed member.
 */
export function readMemberList(raw: unknown, label: string, maxValues: number): GroupMember[] {
  let list = raw;
  let listLabel = label;
  if (isObject(raw)) {
    const wrapped = unwrapMembers(raw, label);
    if (wrapped === undefined) return [readMember(raw, label)];
    list = wrapped.list;
    listLabel = `${label}.members`;
  }
  if (!Array.isArray(list)) {
    throw badRequest('invalidValue', `${listLabel}: expected an array of members, got ${describe(list)}`);
  }
  if (list.length > maxValues) {
    throw payloadTooLarge(
      `${listLabel}: ${String(list.length)} members exceed this server's limit of ${String(maxValues)} per operation`,
    );
  }
  const members: GroupMember[] = new Array<GroupMember>(list.length);
  for (let i = 0; i < list.length; i++) members[i] = readMember(list[i], listLabel, i);
  return members;
}

/**
 * An update of member sub-attributes, written in one order (display, type, $ref) whatever order
 * the client sent: so it has one of eight maps, each kept alive by a sample (see shapes.ts).
 */
function memberUpdate(display: string | null | undefined, type: string | null | undefined, $ref: string | null | undefined): MemberAttributeUpdate {
  const update: { display?: string | null; type?: string | null; $ref?: string | null } = {};
  if (display !== undefined) update.display = display;
  if (type !== undefined) update.type = type;
  if ($ref !== undefined) update.$ref = $ref;
  if (!updateSamplesKept) {
    updateSamplesKept = true;
    for (let mask = 0; mask < 8; mask++) {
      keepShape(memberUpdate(mask & 1 ? null : undefined, mask & 2 ? null : undefined, mask & 4 ? null : undefined));
    }
  }
  return update;
}

let updateSamplesKept = false;

/**
 * Reads the value of an update on matching members: an object of sub-attributes (unknown ones
 * ignored, null meaning "remove"), or, for a path ending in a sub-attribute, that sub-attribute's
 * value. A `value` is returned apart: it may only repeat the member's own value.
 *
 * @throws ScimError `invalidValue`.
 */
export function readMemberUpdate(
  raw: unknown,
  subAttribute: MemberSubAttribute | undefined,
  label: string,
): { readonly update: MemberAttributeUpdate; readonly value?: string } {
  if (subAttribute !== undefined) {
    if (subAttribute === 'value') {
      if (typeof raw !== 'string' || raw.length === 0) {
        throw badRequest('invalidValue', `${label}: a member value must be a non-empty string, got ${describe(raw)}`);
      }
      return { update: {}, value: raw };
    }
    const item = readOptionalString(raw, label) ?? null;
    return {
      update: memberUpdate(subAttribute === 'display' ? item : undefined, subAttribute === 'type' ? item : undefined, subAttribute === '$ref' ? item : undefined),
    };
  }
  if (!isObject(raw)) {
    throw badRequest('invalidValue', `${label}: expected an object of member sub-attributes, got ${describe(raw)}`);
  }
  let value: unknown;
  let display: string | null | undefined;
  let type: string | null | undefined;
  let $ref: string | null | undefined;
  for (const key of Object.keys(raw)) {
    rejectPrototypeKey(key, label, 'invalidValue');
    const item = raw[key];
    const name = MEMBER_SUB_ATTRIBUTES.get(key.toLowerCase());
    if (name === 'value') value = item;
    else if (name === 'display') display = readOptionalString(item, `${label}.display`) ?? null;
    else if (name === 'type') type = readOptionalString(item, `${label}.type`) ?? null;
    else if (name === '$ref') $ref = readOptionalString(item, `${label}.$ref`) ?? null;
  }
  const update = memberUpdate(display, type, $ref);
  if (value === undefined || value === null) return { update };
  if (typeof value !== 'string' || value.length === 0) {
    throw badRequest('invalidValue', `${label}.value must be a non-empty string, got ${describe(value)}`);
  }
  return { update, value };
}
