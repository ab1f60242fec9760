/**
 * Runs the fixture records in test/fixtures/resources/: PATCH on Users, the Enterprise User
 * extension and a custom Group extension, each record a stored resource, a request, and the
 * expected resource or error, worked out by hand from RFC 7643/7644 and the identity providers'
 * published requests (test/fixtures/resources/README.md lists the choices they pin).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { applyPatch, ScimError, tryApplyPatch, type ResourcePatchOptions } from '../src/index.js';
import { deepFreeze } from './support/freeze.js';
import { operationIndexNamedBy } from './support/scim-error.js';

interface ResourceRecord {
  readonly comment: string;
  readonly schema: 'User' | 'User+EnterpriseUser' | 'Group+acme';
  readonly options?: Partial<ResourcePatchOptions>;
  readonly resource: Record<string, unknown>;
  readonly request: unknown;
  readonly expected?: Record<string, unknown>;
  readonly expectedError?: { readonly status: number; readonly scimType?: string };
  readonly unchanged?: boolean;
}

const directory = join(import.meta.dirname, 'fixtures', 'resources');
const printed = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'schemas', 'rfc7643-schemas.json'), 'utf8')) as { schemas: unknown[] };
const [USER, GROUP, ENTERPRISE] = printed.schemas;
const ACME: unknown = JSON.parse(readFileSync(join(directory, 'schemas', 'acme-group-extension.json'), 'utf8'));
const NOW = new Date('2030-01-01T00:00:00.000Z');

function schemasFor(name: ResourceRecord['schema']): Pick<ResourcePatchOptions, 'schema' | 'extensions'> {
  switch (name) {
    case 'User':
      return { schema: USER };
    case 'User+EnterpriseUser':
      return { schema: USER, extensions: [ENTERPRISE] };
    case 'Group+acme':
      return { schema: GROUP, extensions: [ACME] };
  }
}

const withoutLastModified = (resource: Record<string, unknown>): Record<string, unknown> => {
  const { meta, ...rest } = resource;
  if (typeof meta !== 'object' || meta === null) return rest;
  const { lastModified: _dropped, ...others } = meta as Record<string, unknown>;
  return Object.keys(others).length === 0 ? rest : { ...rest, meta: others };
};

const files = readdirSync(directory).filter((name) => name.endsWith('.json')).sort();

describe.each(files)('%s', (file) => {
  const records = JSON.parse(readFileSync(join(directory, file), 'utf8')) as ResourceRecord[];
  it.each(records.map((record, index) => [`#${String(index)} ${record.comment}`, record] as const))('%s', (_name, record) => {
    const options: ResourcePatchOptions = { ...record.options, ...schemasFor(record.schema), now: () => NOW };
    const resource = deepFreeze(record.resource);
    const request = deepFreeze(record.request);
    if (record.expectedError !== undefined) {
      const result = tryApplyPatch(resource, request, options);
      expect(result.ok, 'expected the patch to fail').toBe(false);
      const error = (result as { error: ScimError }).error;
      expect(error).toBeInstanceOf(ScimError);
      expect({ status: error.status, scimType: error.scimType }).toEqual({ status: record.expectedError.status, scimType: record.expectedError.scimType });
      expect(error.operationIndex, 'operationIndex and the detail name the same operation').toBe(operationIndexNamedBy(error.detail));
      return;
    }
    const result = applyPatch(resource, request, options);
    expect(withoutLastModified(result)).toEqual(record.expected);
    if (record.unchanged === true) expect(result).toBe(resource);
  });
});
