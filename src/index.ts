/**
 * scim-group-patch: SCIM 2.0 PATCH (RFC 7644 §3.5.2) for Groups, and for any resource (Users, the
 * Enterprise User extension, custom schemas) through `applyPatch` and RFC 7643 schema definitions.
 *
 * untrusted body ─validate─▶ PatchRequest ─normalize─▶ GroupChange[] ─apply─▶ Group + ChangeSummary
 *
 * @packageDocumentation
 */
export { applyGroupPatch, tryApplyGroupPatch, normalizePatchRequest, validatePatchRequest } from './patch.js';
export { applyPatch, tryApplyPatch, normalizePatch, LENIENCY_PRESETS } from './resource-patch.js';
export { invalidStoredResource } from './draft.js';
export { applyGroupChanges, invalidStoredGroup } from './apply.js';
export { applyGroupChangesToStore } from './store.js';
export { parsePath, parseFilter } from './path.js';
export { matchesFilter } from './filter.js';
export { valueConstraintOf } from './group-path.js';
export {
  ScimError,
  SCIM_TYPES,
  buildErrorResponse,
  toScimError,
  badRequest,
  unauthorized,
  forbidden,
  resourceNotFound,
  methodNotAllowed,
  unsupportedMediaType,
  conflict,
  preconditionFailed,
  payloadTooLarge,
  internalError,
  notImplemented,
} from './errors.js';
export { PATCH_OP_SCHEMA, GROUP_SCHEMA, ERROR_SCHEMA } from './types.js';
export {
  USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  USER_SCHEMA_DEFINITION,
  GROUP_SCHEMA_DEFINITION,
  ENTERPRISE_USER_SCHEMA_DEFINITION,
} from './schemas.js';
export { DEFAULT_LIMITS } from './options.js';

export type { ChangeSummary, ChangedAttribute, PatchOutcome } from './apply.js';
export type { PatchResult } from './patch.js';
export type { MemberStore, StoredMember, StoredGroupAttributes, StoreOptions, StoreOutcome } from './store.js';
export type { LeniencyPreset, ResourcePatchOptions, ResourcePatchResult } from './resource-patch.js';
export type { Leniency } from './resource-apply.js';
export type { ResourceChangeSummary, ScimResource } from './draft.js';
export type { ValueLeniency } from './resource-values.js';
export type { ResourceChange } from './resource-normalize.js';
export type { PathResolution } from './resource-path.js';
export type { ErrorResponseOptions, ScimErrorInit } from './errors.js';
export type { AttributeType, MatchOptions } from './filter.js';
export type {
  GroupChange,
  GroupChangeKind,
  SetDisplayNameChange,
  SetExternalIdChange,
  AddMembersChange,
  RemoveMembersChange,
  RemoveMembersWhereChange,
  ReplaceMembersChange,
  UpdateMembersChange,
} from './normalize.js';
export type { PatchOptions, PatchLimits, ExternalIdMutability } from './options.js';
export type {
  AttributePath,
  CompareOperator,
  CompareFilter,
  PresentFilter,
  LogicalFilter,
  NotFilter,
  ValuePathFilter,
  Filter,
  FilterValue,
  ParsedPath,
  ParseLimits,
} from './path.js';
export type { ValueConstraint } from './group-path.js';
export type { MemberAttributeUpdate } from './group-values.js';
export type { AttributeRepresentation, SchemaRepresentation } from './schemas.js';
export type { Mutability, Returned, Uniqueness } from './resource-schema.js';
export type {
  Group,
  GroupMember,
  GroupMeta,
  PatchOpName,
  PatchOperation,
  PatchRequest,
  ScimType,
  SCIMErrorResponse,
} from './types.js';
