/**
 * Public data types: the Group resource, the PatchOp request and the SCIM error body.
 *
 * @see RFC 7643 §4.2 (Group), RFC 7644 §3.5.2 (PatchOp), RFC 7644 §3.12 (errors)
 */

/** The PatchOp message schema URN every PATCH body names in `schemas`. */
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The core Group schema URN; it may prefix attribute names in paths and pathless values. */
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** The error message schema URN of every `SCIMErrorResponse`. */
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * One member of a group (RFC 7643 §4.2). `value` is the member's id and its identity.
 */
export interface GroupMember {
  /** The id of the member resource (a User or a Group); unique within the group. */
  readonly value: string;
  /** A human-readable name for the member, for display only. */
  readonly display?: string;
  /** The member's resource type, for example `"User"` or `"Group"`. */
  readonly type?: string;
  /** The URI of the member resource. */
  readonly $ref?: string;
}

/** The `meta` attribute of a resource (RFC 7643 §3.1). */
export interface GroupMeta {
  /** The resource type, `"Group"`. */
  readonly resourceType?: string;
  /** When the resource was created (ISO 8601). */
  readonly created?: string;
  /** When the resource was last changed (ISO 8601); set by the library when a patch changes the group. */
  readonly lastModified?: string;
  /** The URI of the resource. */
  readonly location?: string;
  /** The version (ETag) of the resource; the host recomputes it after a change. */
  readonly version?: string;
}

/**
 * A SCIM Group as the host stores it. Extra properties are allowed and carried over untouched.
 */
export interface Group {
  /** The schemas of the resource, normally `[GROUP_SCHEMA]`. */
  readonly schemas?: readonly string[];
  /** The service provider's id of the group; never changed by a patch. */
  readonly id: string;
  /** The client's id of the group. */
  readonly externalId?: string;
  /** The group's name; required and never empty. */
  readonly displayName: string;
  /** The members; a missing list means no members. */
  readonly members?: readonly GroupMember[];
  /** Resource metadata. */
  readonly meta?: GroupMeta;
}

/** A PATCH operation name, as the library normalizes it (clients may send any case). */
export type PatchOpName = 'add' | 'remove' | 'replace';

/** One validated operation of a PATCH request (RFC 7644 §3.5.2). */
export interface PatchOperation {
  /** The operation, lower-cased. */
  readonly op: PatchOpName;
  /** The attribute path, absent for pathless operations. */
  readonly path?: string;
  /** The operation's value, as the client sent it; absent when the client sent none. */
  readonly value?: unknown;
}

/** A validated PATCH request body. */
export interface PatchRequest {
  /** The message schemas; `[PATCH_OP_SCHEMA]` when the client left them out. */
  readonly schemas: readonly string[];
  /** The operations, in the order they are applied. */
  readonly Operations: readonly PatchOperation[];
}

/**
 * The `scimType` error keywords of RFC 7644 §3.12, a closed set.
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** The JSON body of a SCIM error response (RFC 7644 §3.12). */
export interface SCIMErrorResponse {
  /** Always `[ERROR_SCHEMA]`. */
  readonly schemas: readonly [typeof ERROR_SCHEMA];
  /** The error keyword, set on every 400 the library produces. */
  readonly scimType?: ScimType;
  /** A human-readable explanation. */
  readonly detail: string;
  /** The HTTP status: an integer by default, a string when asked for (the RFC's examples). */
  readonly status: number | string;
  /** When the error happened (Huawei Cloud's `timeStamp` field), when asked for. */
  readonly timeStamp?: string;
}
