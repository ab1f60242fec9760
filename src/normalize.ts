/**
 * The normalizer: checked operations become a list of typed changes that no longer depend on how
 * the client spelled them (`Add`/`add`, `displayname`, URN prefixes, Entra's value-array remove,
 * Okta's pathless replace, `members[value eq "x"]`).
 *
 * The list is public: a server that keeps members in a database can run it as SQL
 * (insert-if-absent, delete by value, update displayName) without loading the group.
 *
 * @see RFC 7644 §3.5.2.1 (add), §3.5.2.2 (remove), §3.5.2.3 (replace)
 */
import { atOperation, badRequest } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { Filter } from './path.js';
import { resolveValueKey, valueConstraintOf } from './group-path.js';
import { readDisplayName, readExternalId, readMemberList, readMemberUpdate, type MemberAttributeUpdate } from './group-values.js';
import { describe, isObject } from './json.js';
import type { GroupMember, PatchOpName } from './types.js';
import type { CheckedOperation } from './validate.js';
import { assertNever } from './never.js';
import { clip } from './text.js';

/** Set `displayName`. */
export interface SetDisplayNameChange {
  /** Discriminant. */
  readonly kind: 'setDisplayName';
  /** Index of the operation in `Operations` this change comes from. */
  readonly operationIndex: number;
  /** The new name, a non-empty string. */
  readonly displayName: string;
}

/** Set or remove `externalId`. */
export interface SetExternalIdChange {
  /** Discriminant. */
  readonly kind: 'setExternalId';
  /** Index of the operation in `Operations` this change comes from. */
  readonly operationIndex: number;
  /** The new externalId, or `null` to remove it. */
  readonly externalId: string | null;
}

/** Add members whose `value` is not present yet (insert-if-absent). */
export interface AddMembersChange {
  /** Discriminant. */
  readonly kind: 'addMembers';
  /** Index of the operation in `Operations` this change comes from. */
  readonly operationIndex: number;
  /** Clean member objects, in request order; duplicates are skipped when applied. */
  readonly members: readonly GroupMember[];
}

/** Remove the members with these `value`s (delete by value); absent values are ignored. */
export interface RemoveMembersChange {
  /** Discriminant. */
  readonly kind: 'removeMembers';
  /** Index of the operation in `Operations` this change comes from. */
  readonly operationIndex: number;
  /** The member values to remove. */
  readonly values: readonly string[];
}

/** Remove every member that matches a filter. */
export interface RemoveMembersWhereChange {
  /** Discriminant. */
  readonly kind: 'removeMembersWhere';
  /** Index of the operation in `Operations` this change comes from. */
  readonly operationIndex: number;
  /** A filter over member sub-attributes (`value`, `display`, `type`, `$ref`). */
  readonly filter: Filter;
}

/** Replace the whole member list (an empty list removes every member). */
export interface ReplaceMembersChange {
  /** Discriminant. */
  readonly kind: 'replaceMembers';
  /** Index of the operation in `Operations` this change comes from. */
  readonly operationIndex: number;
  /** The new members; duplicates are skipped when applied. */
  readonly members: readonly GroupMember[];
}

/** Set or remove sub-attributes of the members that match a filter (or of all members). */
export interface UpdateMembersChange {
  /** Discriminant. */
  readonly kind: 'updateMembers';
  /** Index of the operation in `Operations` this change comes from. */
  readonly operationIndex: number;
  /** Which members; `null` means all of them. */
  readonly filter: Filter | null;
  /** The sub-attributes to set; `null` removes one. */
  readonly update: MemberAttributeUpdate;
  /** A `value` the request sent along: it must equal each matched member's own (ids are immutable). */
  readonly value?: string;
  /** Whether matching no member is an error (`noTarget`, RFC 7644 §3.5.2.3) or a no-op. */
  readonly requireMatch: boolean;
}

/** One normalized change; `applyGroupChanges` applies a list of them in order. */
export type GroupChange =
  | SetDisplayNameChange
  | SetExternalIdChange
  | AddMembersChange
  | RemoveMembersChange
  | RemoveMembersWhereChange
  | ReplaceMembersChange
  | UpdateMembersChange;

/** The kinds of `GroupChange`, a closed set. */
export type GroupChangeKind = GroupChange['kind'];

function externalIdChange(
  operation: CheckedOperation,
  value: unknown,
  label: string,
  options: ResolvedOptions,
): SetExternalIdChange {
  const allowNull = operation.op !== 'add';
  const externalId = readExternalId(value, label, allowNull);
  if (externalId === null && options.externalIdMutability === 'immutable') {
    throw badRequest('mutability', `${label}: externalId is immutable and cannot be removed`);
  }
  return { kind: 'setExternalId', operationIndex: operation.index, externalId };
}

function pathlessChanges(
  operation: CheckedOperation & { readonly op: 'add' | 'replace' },
  options: ResolvedOptions,
): GroupChange[] {
  const label = `Operations[${String(operation.index)}].value`;
  if (!isObject(operation.value)) {
    throw badRequest('invalidValue', `${label}: a pathless '${operation.op}' needs an object of attributes, got ${describe(operation.value)}`);
  }
  const changes: GroupChange[] = [];
  collectPathlessChanges(operation, operation.value, label, options, changes, true);
  return changes;
}

function collectPathlessChanges(
  operation: CheckedOperation & { readonly op: 'add' | 'replace' },
  value: Readonly<Record<string, unknown>>,
  label: string,
  options: ResolvedOptions,
  changes: GroupChange[],
  topLevel: boolean,
): void {
  const operationIndex = operation.index;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const itemLabel = `${label}.${clip(key)}`;
    const name = resolveValueKey(key, itemLabel);
    switch (name) {
      case 'readOnly':
        // id, meta, schemas: clients echo the group's own (Okta, authentik) or another id (AWS,
        // Huawei). Read-only values in a request are ignored, as RFC 7644 §3.5.1 does for PUT.
        break;
      case 'groupSchema':
        if (!topLevel || !isObject(item)) {
          throw badRequest('invalidValue', `${itemLabel}: expected an object of Group attributes`);
        }
        collectPathlessChanges(operation, item, itemLabel, options, changes, false);
        break;
      case 'displayName':
        changes.push({ kind: 'setDisplayName', operationIndex, displayName: readDisplayName(item, itemLabel) });
        break;
      case 'externalId':
        // A read-only externalId inside a pathless value is ignored like id (RFC 7644 §3.5.1).
        if (options.externalIdMutability !== 'readOnly') {
          changes.push(externalIdChange(operation, item, itemLabel, options));
        }
        break;
      case 'members':
        changes.push(pathlessMembersChange(operation, item, itemLabel, options));
        break;
      default:
        assertNever(name);
    }
  }
}

function pathlessMembersChange(
  operation: CheckedOperation & { readonly op: 'add' | 'replace' },
  value: unknown,
  label: string,
  options: ResolvedOptions,
): GroupChange {
  const operationIndex = operation.index;
  if (operation.op === 'add') {
    if (value === null) throw badRequest('invalidValue', `${label}: 'add' needs members, got null`);
    return { kind: 'addMembers', operationIndex, members: readMemberList(value, label, options.limits.maxValuesPerOperation) };
  }
  const members = value === null ? [] : readMemberList(value, label, options.limits.maxValuesPerOperation);
  return { kind: 'replaceMembers', operationIndex, members };
}

function addOrReplaceChanges(
  operation: CheckedOperation & { readonly op: 'add' | 'replace' },
  options: ResolvedOptions,
): GroupChange[] {
  const target = operation.target;
  if (target === undefined) return pathlessChanges(operation, options);
  const label = `Operations[${String(operation.index)}].value`;
  const operationIndex = operation.index;
  const value = operation.value;
  switch (target.attribute) {
    case 'displayName':
      return [{ kind: 'setDisplayName', operationIndex, displayName: readDisplayName(value, label) }];
    case 'externalId':
      if (options.externalIdMutability === 'readOnly') {
        throw badRequest('mutability', `Operations[${String(operationIndex)}].path: externalId is readOnly on this server`);
      }
      return [externalIdChange(operation, value, label, options)];
    case 'members': {
      if (target.filter === undefined && target.subAttribute === undefined) {
        return [pathlessMembersChange(operation, value, label, options)];
      }
      if (value === null && operation.op === 'add') {
        throw badRequest('invalidValue', `${label}: 'add' needs a value, got null`);
      }
      const { update, value: memberValue } = readMemberUpdate(value, target.subAttribute, label);
      const filter = target.filter ?? null;
      // RFC 7644 §3.5.2.3: a filter that matches nothing is noTarget. A sub-attribute path
      // without a filter (`members.display`) targets every member, however many there are.
      const requireMatch = target.filter !== undefined;
      // Two object literals rather than a spread: their maps outlive the request (see shapes.ts).
      return memberValue === undefined
        ? [{ kind: 'updateMembers', operationIndex, filter, update, requireMatch }]
        : [{ kind: 'updateMembers', operationIndex, filter, update, value: memberValue, requireMatch }];
    }
    default:
      return assertNever(target);
  }
}

function removeChanges(operation: CheckedOperation, options: ResolvedOptions): GroupChange[] {
  const target = operation.target;
  const operationIndex = operation.index;
  const pathLabel = `Operations[${String(operationIndex)}].path`;
  if (target === undefined) {
    throw badRequest('noTarget', `Operations[${String(operationIndex)}]: 'remove' requires a path`);
  }
  switch (target.attribute) {
    case 'displayName':
      throw badRequest('mutability', `${pathLabel}: displayName is required and cannot be removed`);
    case 'externalId':
      if (options.externalIdMutability !== 'readWrite') {
        throw badRequest('mutability', `${pathLabel}: externalId is ${options.externalIdMutability} on this server`);
      }
      return [{ kind: 'setExternalId', operationIndex, externalId: null }];
    case 'members':
      return removeMembersChanges(operation, target.filter, target.subAttribute, options);
    default:
      return assertNever(target);
  }
}

function removeMembersChanges(
  operation: CheckedOperation,
  filter: Filter | undefined,
  subAttribute: string | undefined,
  options: ResolvedOptions,
): GroupChange[] {
  const operationIndex = operation.index;
  if (subAttribute !== undefined) {
    if (subAttribute === 'value') {
      throw badRequest('mutability', `Operations[${String(operationIndex)}].path: a member's value cannot be removed`);
    }
    const update: MemberAttributeUpdate = { [subAttribute]: null };
    return [{ kind: 'updateMembers', operationIndex, filter: filter ?? null, update, requireMatch: false }];
  }
  if (filter !== undefined) {
    // `value eq "x"` (Okta) is a delete by value: O(1) per value instead of a scan of the group.
    const constraint = valueConstraintOf(filter);
    return constraint?.exact === true
      ? [{ kind: 'removeMembers', operationIndex, values: constraint.values }]
      : [{ kind: 'removeMembersWhere', operationIndex, filter }];
  }
  if (!operation.hasValue) {
    // RFC 7644 §3.5.2.2: a path to a multi-valued attribute with no filter removes all values.
    return [{ kind: 'replaceMembers', operationIndex, members: [] }];
  }
  // Entra ID's remove: the value lists the members to remove. It never means "remove all":
  // an empty list, or null (RFC 7643 §2.5: null is the same as an empty list), removes nothing.
  const label = `Operations[${String(operationIndex)}].value`;
  const members = operation.value === null ? [] : readMemberList(operation.value, label, options.limits.maxValuesPerOperation);
  return [{ kind: 'removeMembers', operationIndex, values: members.map((m) => m.value) }];
}

function operationChanges(operation: CheckedOperation, options: ResolvedOptions): GroupChange[] {
  const op: PatchOpName = operation.op;
  switch (op) {
    case 'add':
    case 'replace':
      return addOrReplaceChanges({ ...operation, op }, options);
    case 'remove':
      return removeChanges(operation, options);
    default:
      return assertNever(op);
  }
}

/**
 * Turns checked operations into changes, checking every value on the way.
 *
 * @throws ScimError 400 (`invalidValue`, `mutability`, `noTarget`) naming the operation.
 */
export function normalizeOperations(
  operations: readonly CheckedOperation[],
  options: ResolvedOptions,
): GroupChange[] {
  const changes: GroupChange[] = [];
  for (const operation of operations) {
    try {
      for (const change of operationChanges(operation, options)) changes.push(change);
    } catch (error) {
      throw atOperation(error, operation.index);
    }
  }
  return changes;
}

