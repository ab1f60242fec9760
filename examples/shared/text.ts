/**
 * Text the servers write to PostgreSQL, compare in SQL, or quote back in an error detail.
 *
 * PostgreSQL `text` is UTF-8 without NUL: a string holding U+0000 makes the statement fail (a 500
 * if nothing catches it first), and an unpaired surrogate is silently written as U+FFFD, so the
 * stored value is not the one the client sent. Both are a client's mistake: `checkStorableChanges`
 * rejects them with 400 `invalidValue` before any statement runs, for every string of every
 * change (names, member values and sub-attributes, the values a filter compares with).
 */
import { badRequest, type Filter, type GroupChange, type GroupMember } from 'scim-group-patch';

/**
 * The longest displayName the servers store, in Unicode code points. Huawei's unique index on
 * `(tenant_id, lower(display_name))` refuses an index row over about 2,700 bytes; 256 code points
 * are at most 1,024 bytes of UTF-8. Both servers apply the same limit.
 */
export const MAX_DISPLAY_NAME_LENGTH = 256;

/** How much client text an error detail quotes: the library cuts at the same length. */
const MAX_QUOTED = 80;

/** Client text quoted in an error detail: as it is when short, else its start and its length. */
export function clip(text: string): string {
  return text.length <= MAX_QUOTED ? text : `${text.slice(0, MAX_QUOTED)}… (${String(text.length)} characters)`;
}

const unpairedSurrogate = /\p{Cs}/u;

/** Why PostgreSQL cannot store `text` exactly as sent, or undefined when it can. */
export function unstorableReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains U+0000 (NUL), which PostgreSQL text cannot store';
  const surrogate = unpairedSurrogate.exec(text)?.[0];
  if (surrogate !== undefined) {
    const code = surrogate.charCodeAt(0).toString(16).toUpperCase();
    return `contains an unpaired surrogate (U+${code}), which is not Unicode text`;
  }
  return undefined;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function requireStorable(text: string | null | undefined, label: string): void {
  if (text === null || text === undefined) return;
  const reason = unstorableReason(text);
  if (reason !== undefined) throw badRequest('invalidValue', `${label} ${reason}`);
}

function requireStorableMember(member: GroupMember, label: string): void {
  requireStorable(member.value, `${label}: the member value '${clip(member.value)}'`);
  requireStorable(member.display, `${label}: the display of member '${clip(member.value)}'`);
  requireStorable(member.type, `${label}: the type of member '${clip(member.value)}'`);
  requireStorable(member.$ref, `${label}: the $ref of member '${clip(member.value)}'`);
}

/** Every string literal a filter compares with, however deeply nested. */
function requireStorableFilter(filter: Filter, label: string): void {
  switch (filter.kind) {
    case 'compare':
      if (typeof filter.value === 'string') requireStorable(filter.value, `${label}: the filter value '${clip(filter.value)}'`);
      return;
    case 'present':
      return;
    case 'and':
    case 'or':
      for (const operand of filter.filters) requireStorableFilter(operand, label);
      return;
    case 'not':
    case 'valuePath':
      requireStorableFilter(filter.filter, label);
      return;
    default: {
      const unknown: never = filter;
      throw new Error(`unknown filter ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Rejects, before the database sees them, the strings of `changes` that PostgreSQL would refuse
 * or alter, and a displayName over `MAX_DISPLAY_NAME_LENGTH`.
 *
 * @throws ScimError 400 `invalidValue`, naming the operation and the field.
 */
export function checkStorableChanges(changes: readonly GroupChange[]): void {
  for (const change of changes) {
    const at = `Operations[${String(change.operationIndex)}]`;
    switch (change.kind) {
      case 'setDisplayName': {
        requireStorable(change.displayName, `${at}.value: displayName`);
        const length = codePoints(change.displayName);
        if (length > MAX_DISPLAY_NAME_LENGTH) {
          throw badRequest(
            'invalidValue',
            `${at}.value: displayName is ${String(length)} characters long; this server stores at most ${String(MAX_DISPLAY_NAME_LENGTH)}`,
          );
        }
        break;
      }
      case 'setExternalId':
        requireStorable(change.externalId, `${at}.value: externalId`);
        break;
      case 'addMembers':
      case 'replaceMembers':
        for (const member of change.members) requireStorableMember(member, `${at}.value`);
        break;
      case 'removeMembers':
        for (const value of change.values) requireStorable(value, `${at}.value: the member value '${clip(value)}'`);
        break;
      case 'removeMembersWhere':
        requireStorableFilter(change.filter, `${at}.path`);
        break;
      case 'updateMembers':
        if (change.filter !== null) requireStorableFilter(change.filter, `${at}.path`);
        requireStorable(change.value, `${at}.value: the member value`);
        requireStorable(change.update.display, `${at}.value: display`);
        requireStorable(change.update.type, `${at}.value: type`);
        requireStorable(change.update.$ref, `${at}.value: $ref`);
        break;
      default: {
        const unknown: never = change;
        throw new Error(`unknown change ${JSON.stringify(unknown)}`);
      }
    }
  }
}
