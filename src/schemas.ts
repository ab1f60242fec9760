/**
 * The built-in schema representations: RFC 7643 §8.7.1's User, Group and Enterprise User schemas,
 * in the RFC 7643 §7 form a server serves at `/Schemas`.
 *
 * They differ from the JSON the RFC prints in two ways:
 *
 * - attribute `description`s are left out, to keep the bundle small. A host that serves `/Schemas`
 *   and wants them can pass RFC 7643's JSON as is; the library reads it the same way;
 * - three quirks of the printed JSON are fixed at the source, following the RFC's prose:
 *   `addresses` has a `primary` sub-attribute (RFC 7643 §2.4, used in §8.2), Group `members` has a
 *   `display` sub-attribute (RFC 7643 §4.2, erratum 6011), and Group `displayName` is required
 *   (RFC 7643 §4.2).
 *
 * Every other characteristic is the RFC's, spelled out, including `manager.value`'s
 * `required: false`.
 *
 * @see RFC 7643 §7, §8.7.1
 */
import type { AttributeType } from './filter.js';
import { DEFAULT_CHARACTERISTICS, type Mutability, type Returned, type Uniqueness } from './resource-schema.js';
import { GROUP_SCHEMA } from './types.js';

/** The core User schema URN (RFC 7643 §4.1). */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The Enterprise User extension schema URN (RFC 7643 §4.3). */
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * One attribute of a schema representation, with RFC 7643 §7's field names and every
 * characteristic spelled out.
 *
 * @see RFC 7643 §2.2, §7
 */
export interface AttributeRepresentation {
  /** The attribute's name (RFC 7643 §2.1). */
  readonly name: string;
  /** The data type (RFC 7643 §2.3). */
  readonly type: AttributeType;
  /** Whether the attribute holds a list of values. */
  readonly multiValued: boolean;
  /** A human-readable description; the built-ins leave it out. */
  readonly description?: string;
  /** Whether the attribute must have a value. */
  readonly required: boolean;
  /** Whether string values compare case-exactly. */
  readonly caseExact: boolean;
  /** The values the service provider documents, for example `work` and `home`. */
  readonly canonicalValues?: readonly string[];
  /** Who may change the attribute. */
  readonly mutability: Mutability;
  /** When the attribute is returned in a response. */
  readonly returned: Returned;
  /** How unique a value must be. */
  readonly uniqueness: Uniqueness;
  /** For a reference: the resource types it may point to, or `external`, or `uri`. */
  readonly referenceTypes?: readonly string[];
  /** For a complex attribute: its sub-attributes. */
  readonly subAttributes?: readonly AttributeRepresentation[];
}

/**
 * A schema representation (RFC 7643 §7): the JSON a server serves at `/Schemas/<urn>`.
 *
 * @see RFC 7643 §7
 */
export interface SchemaRepresentation {
  /** The schemas of the representation itself, when given. */
  readonly schemas?: readonly string[];
  /** The schema URN. */
  readonly id: string;
  /** The schema's human-readable name. */
  readonly name?: string;
  /** The schema's human-readable description. */
  readonly description?: string;
  /** The top-level attributes. */
  readonly attributes: readonly AttributeRepresentation[];
  /** Where the server serves the representation. */
  readonly meta?: {
    /** Always `Schema`. */
    readonly resourceType: 'Schema';
    /** The representation's URI, for example `/v2/Schemas/urn:…:User`. */
    readonly location: string;
  };
}

type Characteristics = Partial<Omit<AttributeRepresentation, 'name' | 'subAttributes'>>;

/** An attribute with RFC 7643 §2.2's default for every characteristic not given. */
function attribute(name: string, characteristics: Characteristics = {}): AttributeRepresentation {
  Object.freeze(characteristics.canonicalValues);
  Object.freeze(characteristics.referenceTypes);
  return Object.freeze({ name, ...DEFAULT_CHARACTERISTICS, ...characteristics });
}

function complex(
  name: string,
  subAttributes: readonly AttributeRepresentation[],
  characteristics: Characteristics = {},
): AttributeRepresentation {
  return Object.freeze({ ...attribute(name, { type: 'complex', ...characteristics }), subAttributes: Object.freeze(subAttributes) });
}

function strings(names: readonly string[], characteristics?: Characteristics): AttributeRepresentation[] {
  return names.map((name) => attribute(name, characteristics));
}

/** A multi-valued attribute with RFC 7643 §2.4's value, display, type and primary. */
function plural(name: string, canonicalValues?: readonly string[], value = attribute('value')): AttributeRepresentation {
  const type = attribute('type', canonicalValues === undefined ? {} : { canonicalValues });
  return complex(name, [value, attribute('display'), type, attribute('primary', { type: 'boolean' })], { multiValued: true });
}

function schema(id: string, name: string, description: string, attributes: readonly AttributeRepresentation[]): SchemaRepresentation {
  return Object.freeze({
    id,
    name,
    description,
    attributes: Object.freeze(attributes),
    meta: Object.freeze({ resourceType: 'Schema', location: `/v2/Schemas/${id}` }),
  });
}

// Each definition is built by one call marked pure, so a bundle that does not use it drops it.
const workHomeOther = ['work', 'home', 'other'] as const;
const external = ['external'] as const;
const userOrGroup = ['User', 'Group'] as const;

function userSchema(): SchemaRepresentation {
  return schema(USER_SCHEMA, 'User', 'User Account', [
    attribute('userName', { required: true, uniqueness: 'server' }),
    complex('name', strings(['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'])),
    ...strings(['displayName', 'nickName']),
    attribute('profileUrl', { type: 'reference', referenceTypes: external }),
    ...strings(['title', 'userType', 'preferredLanguage', 'locale', 'timezone']),
    attribute('active', { type: 'boolean' }),
    attribute('password', { mutability: 'writeOnly', returned: 'never' }),
    plural('emails', workHomeOther),
    plural('phoneNumbers', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    plural('ims', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    plural('photos', ['photo', 'thumbnail'], attribute('value', { type: 'reference', referenceTypes: external })),
    complex(
      'addresses',
      [
        ...strings(['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country']),
        attribute('type', { canonicalValues: workHomeOther }),
        // Not in the printed JSON: RFC 7643 §2.4 names primary as a default sub-attribute, §8.2 uses it.
        attribute('primary', { type: 'boolean' }),
      ],
      { multiValued: true },
    ),
    complex(
      'groups',
      [
        attribute('value', { mutability: 'readOnly' }),
        attribute('$ref', { type: 'reference', referenceTypes: userOrGroup, mutability: 'readOnly' }),
        attribute('display', { mutability: 'readOnly' }),
        attribute('type', { canonicalValues: ['direct', 'indirect'], mutability: 'readOnly' }),
      ],
      { multiValued: true, mutability: 'readOnly' },
    ),
    plural('entitlements'),
    plural('roles', []),
    plural('x509Certificates', [], attribute('value', { type: 'binary' })),
  ]);
}

function groupSchema(): SchemaRepresentation {
  return schema(GROUP_SCHEMA, 'Group', 'Group', [
    // The printed JSON says required: false; RFC 7643 §4.2 says REQUIRED.
    attribute('displayName', { required: true }),
    complex(
      'members',
      [
        attribute('value', { mutability: 'immutable' }),
        attribute('$ref', { type: 'reference', referenceTypes: userOrGroup, mutability: 'immutable' }),
        attribute('type', { canonicalValues: userOrGroup, mutability: 'immutable' }),
        // Not in the printed JSON: RFC 7643 §4.2 and erratum 6011 describe it.
        attribute('display'),
      ],
      { multiValued: true },
    ),
  ]);
}

function enterpriseUserSchema(): SchemaRepresentation {
  return schema(ENTERPRISE_USER_SCHEMA, 'EnterpriseUser', 'Enterprise User', [
    ...strings(['employeeNumber', 'costCenter', 'organization', 'division', 'department']),
    complex('manager', [
      attribute('value'),
      attribute('$ref', { type: 'reference', referenceTypes: ['User'] }),
      attribute('displayName', { mutability: 'readOnly' }),
    ]),
  ]);
}

/**
 * The core User schema (RFC 7643 §4.1) as RFC 7643 §8.7.1 defines it, without descriptions and
 * with `addresses.primary`. Deeply frozen.
 *
 * @example
 * ```ts
 * app.get('/scim/v2/Schemas/:id', (req, res) => {
 *   if (req.params.id === USER_SCHEMA) res.json(USER_SCHEMA_DEFINITION)
 * })
 * ```
 * @see RFC 7643 §4.1, §8.7.1
 */
export const USER_SCHEMA_DEFINITION: SchemaRepresentation = /* @__PURE__ */ userSchema();

/**
 * The core Group schema (RFC 7643 §4.2) as RFC 7643 §8.7.1 defines it, without descriptions, with
 * `members.display` and with `displayName` required. Deeply frozen.
 *
 * @example
 * ```ts
 * res.json({
 *   schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
 *   totalResults: 1,
 *   Resources: [GROUP_SCHEMA_DEFINITION],
 * })
 * ```
 * @see RFC 7643 §4.2, §8.7.1
 */
export const GROUP_SCHEMA_DEFINITION: SchemaRepresentation = /* @__PURE__ */ groupSchema();

/**
 * The Enterprise User extension schema (RFC 7643 §4.3) as RFC 7643 §8.7.1 defines it, without
 * descriptions. Deeply frozen.
 *
 * @example
 * ```ts
 * const manager = ENTERPRISE_USER_SCHEMA_DEFINITION.attributes.find((a) => a.name === 'manager')
 * manager?.subAttributes?.map((a) => a.name) // ['value', '$ref', 'displayName']
 * ```
 * @see RFC 7643 §4.3, §8.7.1
 */
export const ENTERPRISE_USER_SCHEMA_DEFINITION: SchemaRepresentation = /* @__PURE__ */ enterpriseUserSchema();
