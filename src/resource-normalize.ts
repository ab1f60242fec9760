/**
 * The normalizer for any resource: checked operations become changes that no longer depend on how
 * the client spelled them. Paths are resolved against the schemas (names in the schema's
 * spelling, extension attributes by their full URN path), pathless values and extension objects
 * are split into one change per attribute, readOnly values inside a value are dropped, and every
 * value is checked and read against its definition (leniencies applied: `"False"` is `false`, a
 * bare manager id is `{value}`). Nothing here reads the resource: a store can run the changes
 * without loading it where the change allows (an add of values, a remove by value, a set).
 *
 * @see RFC 7644 §3.5.2
 */
import { atOperation, badRequest } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { Filter } from './path.js';
import { resolveValueKey, schemaByUrn, type ResourceSchemas, type ResourceTarget } from './resource-path.js';
import { keyedIdentity, type AttributeDefinition } from './resource-schema.js';
import { readComplex, readItem, readList, readSingle, type ValueLeniency } from './resource-values.js';
import type { PathResolution } from './resource-path.js';
import { describe, isObject, rejectPrototypeKey } from './json.js';
import { keepShapeOnce } from './shapes.js';
import { clip } from './text.js';
import type { PatchOpName } from './types.js';
import type { CheckedOperation } from './validate.js';

/** One normalized change on any resource. */
export interface ResourceChange {
  /** What to do: `add`, `replace` or `remove` (RFC 7644 §3.5.2). */
  readonly op: PatchOpName;
  /** Index of the operation in `Operations` this change comes from. */
  readonly operationIndex: number;
  /**
   * The attribute, in the schema's spelling: `userName`, `emails`, `name`, or for an extension
   * attribute its full path (`urn:…:enterprise:2.0:User:manager`). A `remove` of a whole extension
   * names the extension's URN.
   */
  readonly attribute: string;
  /** The sub-attribute, in the schema's spelling (`name.givenName`, `emails[…].value`). */
  readonly subAttribute?: string;
  /** The values the change applies to (`emails[type eq "work"]`). */
  readonly filter?: Filter;
  /**
   * The value, checked and read: a list for a multi-valued attribute, an object of sub-attributes
   * for a complex one, `null` to unassign. Absent on a `remove` that names no values.
   */
  readonly value?: unknown;
}

/** What normalizing needs besides the operations. */
export interface NormalizeContext {
  readonly schemas: ResourceSchemas;
  readonly leniency: ValueLeniency & PathResolution;
  readonly options: ResolvedOptions;
}

type Mode = 'add' | 'replace';

/** The name a change gives an attribute: its own, or its full path for an extension attribute. */
function attributeName(schemas: ResourceSchemas, attribute: AttributeDefinition): string {
  return attribute.schema === '' || attribute.schema === schemas.core.id ? attribute.name : `${attribute.schema}:${attribute.name}`;
}

function mutability(label: string, detail: string): never {
  throw badRequest('mutability', `${label}: ${detail}`);
}

class Normalizer {
  readonly changes: ResourceChange[] = [];

  constructor(private readonly context: NormalizeContext) {}

  operation(operation: CheckedOperation<ResourceTarget>): void {
    const label = `Operations[${String(operation.index)}]`;
    if (operation.op === 'remove') {
      // The validator refuses a remove without a path.
      this.remove(operation.target as ResourceTarget, operation, label);
      return;
    }
    if (operation.target === undefined) this.pathless(operation.value, operation.op, operation.index, `${label}.value`);
    else this.write(operation.target, operation.value, operation.op, operation.index, label, false);
  }

  private pathless(value: unknown, mode: Mode, index: number, label: string, nested = false): void {
    if (!isObject(value)) {
      throw badRequest('invalidValue', `${label}: a pathless '${mode}' needs an object of attributes, got ${describe(value)}`);
    }
    const { schemas, options, leniency } = this.context;
    for (const key of Object.keys(value)) {
      rejectPrototypeKey(key, label, 'invalidPath');
      const itemLabel = `${label}.${clip(key)}`;
      if (schemaByUrn(schemas, key) === schemas.core) {
        // `{"urn:…:core:2.0:User": {…}}` holds core attributes, at the top of a value only.
        if (nested) throw badRequest('invalidValue', `${itemLabel}: the core schema URN holds attributes at the top of a value only`);
        this.pathless(value[key], mode, index, itemLabel, true);
        continue;
      }
      const limits = { maxLength: options.limits.maxPathLength, maxDepth: options.limits.maxFilterDepth };
      this.write(resolveValueKey(schemas, key, itemLabel, limits, leniency), value[key], mode, index, itemLabel, true);
    }
  }

  /** `add` or `replace` at a target. Inside a value (`inValue`), readOnly targets are dropped. */
  private write(target: ResourceTarget, value: unknown, mode: Mode, index: number, label: string, inValue: boolean): void {
    if (target.kind === 'extension') {
      if (!isObject(value)) throw badRequest('invalidValue', `${label}: ${target.schema.id} needs an object of its attributes, got ${describe(value)}`);
      for (const key of Object.keys(value)) {
        rejectPrototypeKey(key, label, 'invalidPath');
        const attribute = target.schema.attributes.get(key.toLowerCase());
        if (attribute === undefined) throw badRequest('invalidPath', `${label}.${clip(key)}: ${target.schema.id} has no attribute '${clip(key)}'`);
        this.write({ kind: 'attribute', attribute, filter: undefined, sub: undefined }, value[key], mode, index, `${label}.${clip(key)}`, true);
      }
      return;
    }
    const { attribute, filter, sub } = target;
    if (attribute.mutability === 'readOnly' || sub?.mutability === 'readOnly') {
      if (inValue) return;
      mutability(`${label}.path`, `${sub?.path ?? attribute.path} is readOnly`);
    }
    const valueLabel = inValue ? label : `${label}.value`;
    if (value === null && mode === 'add') throw badRequest('invalidValue', `${valueLabel}: 'add' needs a value, got null`);
    this.push(mode, index, attribute, sub, filter, this.read(attribute, sub, filter, value, valueLabel));
  }

  /** Reads a value the way its target takes it. */
  private read(attribute: AttributeDefinition, sub: AttributeDefinition | undefined, filter: Filter | undefined, value: unknown, label: string): unknown {
    const { leniency, options } = this.context;
    if (sub !== undefined) return value === null ? null : readItem(sub, value, label, leniency);
    if (attribute.multiValued) {
      if (filter === undefined) {
        const values = readList(attribute, value, label, leniency, options.limits.maxValuesPerOperation);
        if (keyedIdentity(attribute) !== undefined) checkIdentities(attribute, values, label, Array.isArray(value));
        return values;
      }
      return attribute.type === 'complex' ? readComplex(attribute, value, label, leniency) : readItem(attribute, value, label, leniency);
    }
    return readSingle(attribute, value, label, leniency);
  }

  private remove(target: ResourceTarget, operation: CheckedOperation<ResourceTarget>, label: string): void {
    if (target.kind === 'extension') {
      this.changes.push({ op: 'remove', operationIndex: operation.index, attribute: target.schema.id });
      return;
    }
    const { attribute, filter, sub } = target;
    if (attribute.mutability === 'readOnly' || sub?.mutability === 'readOnly') {
      mutability(`${label}.path`, `${sub?.path ?? attribute.path} is readOnly`);
    }
    // Entra's remove: a value lists the values to remove. It never means "remove all".
    const listed =
      attribute.multiValued && filter === undefined && sub === undefined && operation.hasValue
        ? readList(attribute, operation.value, `${label}.value`, this.context.leniency, this.context.options.limits.maxValuesPerOperation)
        : undefined;
    this.push('remove', operation.index, attribute, sub, filter, listed);
  }

  private push(
    op: PatchOpName,
    operationIndex: number,
    attribute: AttributeDefinition,
    sub: AttributeDefinition | undefined,
    filter: Filter | undefined,
    value: unknown,
  ): void {
    const name = attributeName(this.context.schemas, attribute);
    const subAttribute = sub?.name;
    // Object literals rather than spreads, one shape per set of parts (see shapes.ts); a change
    // has no key for a part it lacks.
    let change: ResourceChange;
    if (filter === undefined) {
      if (subAttribute === undefined) change = value === undefined ? { op, operationIndex, attribute: name } : { op, operationIndex, attribute: name, value };
      else change = value === undefined ? { op, operationIndex, attribute: name, subAttribute } : { op, operationIndex, attribute: name, subAttribute, value };
    } else if (subAttribute === undefined) change = value === undefined ? { op, operationIndex, attribute: name, filter } : { op, operationIndex, attribute: name, filter, value };
    else change = value === undefined ? { op, operationIndex, attribute: name, subAttribute, filter } : { op, operationIndex, attribute: name, subAttribute, filter, value };
    this.changes.push(change);
  }
}

/** Every value added to a keyed list (`members`) names its identity: a non-empty string `value`. */
function checkIdentities(attribute: AttributeDefinition, values: readonly unknown[], label: string, listed: boolean): void {
  values.forEach((item, i) => {
    if (isObject(item) && typeof item.value === 'string' && item.value.length > 0) return;
    const at = listed ? `${label}[${String(i)}]` : label;
    throw badRequest('invalidValue', `${at}: a value of ${attribute.path} needs a non-empty string 'value', its identity`);
  });
}

/**
 * Turns checked operations into changes, checking every value on the way.
 *
 * @throws ScimError 400 (`invalidValue`, `invalidPath`, `mutability`, `tooMany`) naming the operation.
 */
export function normalizeResourceOperations(operations: readonly CheckedOperation<ResourceTarget>[], context: NormalizeContext): ResourceChange[] {
  const normalizer = new Normalizer(context);
  keepShapeOnce(Normalizer, () => new Normalizer(context));
  for (const operation of operations) {
    try {
      normalizer.operation(operation);
    } catch (error) {
      throw atOperation(error, operation.index);
    }
  }
  return normalizer.changes;
}
