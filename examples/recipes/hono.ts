/**
 * Hono: `PATCH /scim/v2/Groups/:id`, every failure a SCIM error body. Serve it on Node with
 * `serve({ fetch: app.fetch, port })` from `@hono/node-server`, or on any runtime Hono supports.
 */
import { Hono, type HonoRequest } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  badRequest,
  payloadTooLarge,
  resourceNotFound,
  ScimError,
  toScimError,
  tryApplyGroupPatch,
  unsupportedMediaType,
} from 'scim-group-patch';
import type { GroupStore } from './store.js';

const SCIM_JSON = 'application/scim+json';
const JSON_TYPES = new Set(['application/json', SCIM_JSON]);

function scimResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...headers, 'Content-Type': SCIM_JSON } });
}

/** The parsed JSON body; undefined when there is none. Another media type, charset or encoding is 415. */
async function readJsonBody(req: HonoRequest): Promise<unknown> {
  const length = req.header('Content-Length');
  if (req.header('Transfer-Encoding') === undefined && (length === undefined || length === '0')) return undefined;
  const [mediaType = '', ...parameters] = (req.header('Content-Type') ?? '').split(';');
  if (!JSON_TYPES.has(mediaType.trim().toLowerCase())) throw unsupportedMediaType();
  const charset = parameters.map((p) => /^\s*charset\s*=\s*"?([^"\s]*)"?\s*$/i.exec(p)?.[1]).find((c) => c !== undefined);
  const encoding = req.header('Content-Encoding') ?? 'identity';
  if ((charset ?? 'utf-8').toLowerCase() !== 'utf-8' || encoding.toLowerCase() !== 'identity') {
    throw unsupportedMediaType('the body must be UTF-8 JSON, without a content encoding');
  }
  try {
    return JSON.parse(await req.text()) as unknown;
  } catch {
    throw badRequest('invalidSyntax', 'request body is not valid JSON');
  }
}

/** The app, ready for `serve({ fetch: app.fetch, port })`. */
export function createHonoApp(store: GroupStore): Hono {
  const app = new Hono();

  app.patch(
    '/scim/v2/Groups/:id',
    // The rest of a body over the limit is not read: close the connection rather than leave it unusable.
    bodyLimit({ maxSize: 1_048_576, onError: () => scimResponse(payloadTooLarge().toResponse(), 413, { Connection: 'close' }) }),
    async (c) => {
      const body = await readJsonBody(c.req);
      const group = await store.findGroup(c.req.param('id'));
      if (group === undefined) throw resourceNotFound(c.req.param('id'));
      const result = tryApplyGroupPatch(group, body);
      if (!result.ok) throw result.error;
      if (result.summary.changed) await store.saveGroup(result.group, result.summary);
      return scimResponse(result.group, 200);
    },
  );

  app.notFound(() => scimResponse(new ScimError({ status: 404, detail: 'no such endpoint' }).toResponse(), 404));
  app.onError((err) => {
    const error = toScimError(err); // a ScimError as it is, anything else a 500 that leaks nothing
    if (error.status >= 500) console.error(err);
    return scimResponse(error.toResponse(), error.status);
  });
  return app;
}
