/**
 * Paths on any resource: a parsed PATCH path resolved against the resource's schema and its
 * extensions into the attribute it designates (RFC 7644 §3.10, §3.5.2).
 *
 * - Names are case-insensitive (RFC 7643 §2.1); results use the schema's spelling.
 * - `urn:…:User:manager` names an attribute of that schema; the bare extension URN
 *   (`urn:…:enterprise:2.0:User`) names the whole extension object.
 * - The common attributes of RFC 7643 §3.1 (`id`, `externalId`, `meta`) and `schemas` exist on
 *   every resource, whether the schema lists them or not.
 * - With the `unqualifiedExtensionAttributes` leniency, a name the core schema lacks and exactly
 *   one extension defines (`manager`) resolves to that extension.
 *
 * @see RFC 7644 §3.10, RFC 7643 §3.1
 */
import { badRequest, type ScimError } from './errors.js';
import { parsePath, type Filter, type ParseLimits } from './path.js';
import { compileSchema, definitionWithDefaults, invalidSchema, type AttributeDefinition, type CompiledSchema } from './resource-schema.js';
import { clip } from './text.js';

/** The schemas of one resource type: its core schema and the extensions it may carry. */
export interface ResourceSchemas {
  /** The core schema (User, Group, or a custom resource's). */
  readonly core: CompiledSchema;
  /** The extension schemas the resource may carry. */
  readonly extensions: readonly CompiledSchema[];
  /** The RFC 7643 §3.1 common attributes and `schemas`, by lower-cased name. */
  readonly common: ReadonlyMap<string, AttributeDefinition>;
}

/** What a PATCH path designates on a resource. */
export type ResourceTarget =
  | {
      /** The whole object of an extension (`urn:…:enterprise:2.0:User`). */
      readonly kind: 'extension';
      /** The extension. */
      readonly schema: CompiledSchema;
    }
  | {
      /** An attribute, a sub-attribute, or the values a filter selects. */
      readonly kind: 'attribute';
      /** The attribute. */
      readonly attribute: AttributeDefinition;
      /** `attr[filter]`: the values (or the single complex value) the filter selects. */
      readonly filter?: Filter | undefined;
      /** `attr.sub` or `attr[filter].sub`. */
      readonly sub?: AttributeDefinition | undefined;
    };

/** A common attribute (RFC 7643 §3.1): case-exact, defined by no schema. */
function common(
  name: string,
  type: AttributeDefinition['type'],
  mutability: AttributeDefinition['mutability'],
  characteristics: Partial<AttributeDefinition> = {},
): AttributeDefinition {
  return definitionWithDefaults(name, type, '', name, { caseExact: true, mutability, ...characteristics });
}

/** RFC 7643 §3.1: `id` and `meta` are readOnly, `externalId` readWrite and case-exact. */
function commonAttributes(): ReadonlyMap<string, AttributeDefinition> {
  const metaSubs = ['resourceType', 'created', 'lastModified', 'location', 'version'].map((name) =>
    common(name, name === 'created' || name === 'lastModified' ? 'dateTime' : 'string', 'readOnly', { path: `meta.${name}` }),
  );
  return new Map([
    ['id', common('id', 'string', 'readOnly')],
    ['externalid', common('externalId', 'string', 'readWrite')],
    ['meta', common('meta', 'complex', 'readOnly', { subAttributes: new Map(metaSubs.map((sub) => [sub.name.toLowerCase(), sub])) })],
    ['schemas', common('schemas', 'reference', 'readOnly', { multiValued: true })],
  ]);
}

// Built by a call marked pure, so that a bundle without applyPatch leaves them out.
const COMMON_ATTRIBUTES = /* @__PURE__ */ commonAttributes();

const cache = /* @__PURE__ */ new WeakMap<object, WeakMap<readonly unknown[], ResourceSchemas>>();
const NO_EXTENSIONS: readonly unknown[] = [];

/**
 * Reads a core schema representation and its extensions (cached per representation objects).
 *
 * @throws ScimError 500 when a representation cannot be read, or two share a URN.
 */
export function resourceSchemas(schema: unknown, extensions: readonly unknown[] = NO_EXTENSIONS): ResourceSchemas {
  const core = compileSchema(schema);
  let byExtensions = cache.get(core);
  const cached = byExtensions?.get(extensions);
  if (cached !== undefined) return cached;
  const compiled = extensions.map((extension) => compileSchema(extension));
  const ids = new Set([core.id.toLowerCase()]);
  for (const extension of compiled) {
    const id = extension.id.toLowerCase();
    if (ids.has(id)) throw invalidSchema(`${clip(extension.id)} is given twice`);
    ids.add(id);
  }
  const result: ResourceSchemas = { core, extensions: compiled, common: COMMON_ATTRIBUTES };
  if (byExtensions === undefined) cache.set(core, (byExtensions = new WeakMap()));
  byExtensions.set(extensions, result);
  return result;
}

/** The schema with this URN (core or extension), compared case-insensitively. */
export function schemaByUrn(schemas: ResourceSchemas, urn: string): CompiledSchema | undefined {
  // The engine asks by the schema's own spelling (an attribute's `schema`): no lower-casing then.
  const { core, extensions } = schemas;
  if (urn === core.id) return core;
  const lower = urn.toLowerCase();
  if (core.id.toLowerCase() === lower) return core;
  return extensions.find((extension) => extension.id === urn || extension.id.toLowerCase() === lower);
}

function invalidPath(label: string, detail: string): ScimError {
  return badRequest('invalidPath', `${label}: ${detail}`);
}

/** The names a schema has, for an error detail that says what would have worked. */
function known(schema: CompiledSchema): string {
  const names = [...schema.attributes.values()].map((attribute) => attribute.name);
  const shown = names.slice(0, 12).join(', ');
  return names.length > 12 ? `${shown}, …` : shown;
}

/** Options of path resolution. */
export interface PathResolution {
  /** Accept an attribute only an extension defines without its URN (`manager`). */
  readonly unqualifiedExtensionAttributes: boolean;
}

/** Finds a top-level attribute by name in `schema`, or in the common attributes for the core. */
function findAttribute(schemas: ResourceSchemas, schema: CompiledSchema, name: string): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return schema.attributes.get(lower) ?? (schema === schemas.core ? schemas.common.get(lower) : undefined);
}

/**
 * Resolves a path given as its parts (from `parsePath`) against the resource's schemas.
 *
 * @throws ScimError 400 `invalidPath` (unknown schema, attribute or sub-attribute; a filter or a
 * sub-attribute where the attribute cannot have one) or `invalidFilter`.
 */
export function resolveResourcePath(
  schemas: ResourceSchemas,
  parsed: { readonly uri?: string; readonly attribute: string; readonly filter?: Filter; readonly subAttribute?: string },
  label: string,
  resolution: PathResolution,
): ResourceTarget {
  let schema = schemas.core;
  if (parsed.uri !== undefined) {
    const named = schemaByUrn(schemas, parsed.uri);
    if (named === undefined) {
      // The parser reads `urn:…:enterprise:2.0:User` as the attribute `User` of `urn:…:2.0`.
      const whole = schemaByUrn(schemas, `${parsed.uri}:${parsed.attribute}`);
      if (whole !== undefined && whole !== schemas.core && parsed.filter === undefined && parsed.subAttribute === undefined) {
        return { kind: 'extension', schema: whole };
      }
      if (whole === schemas.core) throw invalidPath(label, `'${clip(whole.id)}' is the resource's schema URN, not an attribute; name an attribute after it ('${clip(whole.id)}:${known(whole).split(',')[0] ?? ''}')`);
      throw invalidPath(label, `unknown schema '${clip(parsed.uri)}'; this resource has ${[schemas.core, ...schemas.extensions].map((s) => s.id).join(', ')}`);
    }
    schema = named;
  }
  let attribute = findAttribute(schemas, schema, parsed.attribute);
  if (attribute === undefined && parsed.uri === undefined) {
    const candidates = schemas.extensions.filter((extension) => extension.attributes.has(parsed.attribute.toLowerCase()));
    if (candidates.length === 1 && resolution.unqualifiedExtensionAttributes) {
      attribute = candidates[0]?.attributes.get(parsed.attribute.toLowerCase());
    }
  }
  if (attribute === undefined) {
    throw invalidPath(label, `unknown attribute '${clip(parsed.attribute)}'; ${schema.id} has ${known(schema)}`);
  }
  if (parsed.filter !== undefined && !attribute.multiValued && attribute.type !== 'complex') {
    throw invalidPath(label, `'${attribute.name}' has a single simple value; a filter selects values of a multi-valued or complex attribute`);
  }
  if (parsed.filter !== undefined) checkFilterNames(parsed.filter, attribute, label);
  // One shape for every target (see shapes.ts): absent parts are undefined.
  if (parsed.subAttribute === undefined) return { kind: 'attribute', attribute, filter: parsed.filter, sub: undefined };
  const sub = attribute.subAttributes.get(parsed.subAttribute.toLowerCase());
  if (sub === undefined) {
    const subs = [...attribute.subAttributes.values()].map((s) => s.name).join(', ');
    throw invalidPath(
      label,
      attribute.type === 'complex'
        ? `'${attribute.name}' has no sub-attribute '${clip(parsed.subAttribute)}'; it has ${subs}`
        : `'${attribute.name}' is not complex and has no sub-attributes`,
    );
  }
  return { kind: 'attribute', attribute, filter: parsed.filter, sub };
}

/** Every attribute a value filter names must be a sub-attribute of the filtered attribute. */
function checkFilterNames(filter: Filter, attribute: AttributeDefinition, label: string): void {
  switch (filter.kind) {
    case 'compare':
    case 'present': {
      const { name, subAttribute, uri } = filter.attribute;
      const known = attribute.type === 'complex' ? attribute.subAttributes.has(name.toLowerCase()) : name.toLowerCase() === 'value';
      if (!known || subAttribute !== undefined || (uri !== undefined && uri.toLowerCase() !== attribute.schema.toLowerCase())) {
        throw badRequest('invalidFilter', `${label}: '${clip(name)}' is not a sub-attribute of ${attribute.path}`);
      }
      return;
    }
    case 'and':
    case 'or':
      for (const item of filter.filters) checkFilterNames(item, attribute, label);
      return;
    case 'not':
      checkFilterNames(filter.filter, attribute, label);
      return;
    case 'valuePath':
      throw badRequest('invalidFilter', `${label}: a value filter cannot hold another`);
  }
}

/**
 * Resolves a key of a pathless value (`{"name.givenName": …}`, `{"urn:…:User:manager": …}`,
 * Entra's `aadOptscim062020` shape): a path without a filter.
 *
 * @throws ScimError 400 `invalidPath`.
 */
export function resolveValueKey(
  schemas: ResourceSchemas,
  key: string,
  label: string,
  limits: ParseLimits,
  resolution: PathResolution,
): ResourceTarget {
  const extension = schemaByUrn(schemas, key);
  if (extension !== undefined && extension !== schemas.core) return { kind: 'extension', schema: extension };
  const parsed = parsePath(key, limits);
  if (parsed.filter !== undefined) throw invalidPath(label, 'a key of a value cannot hold a filter');
  return resolveResourcePath(schemas, parsed, label, resolution);
}
