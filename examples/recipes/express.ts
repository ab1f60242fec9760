/**
 * Express 5: `PATCH /scim/v2/Groups/:id`, every failure a SCIM error body.
 */
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import {
  payloadTooLarge,
  resourceNotFound,
  ScimError,
  toScimError,
  tryApplyGroupPatch,
  unsupportedMediaType,
} from 'scim-group-patch';
import type { GroupStore } from './store.js';

const SCIM_JSON = 'application/scim+json';
const JSON_TYPES = ['application/json', SCIM_JSON];

/** A body that is not JSON, or has no Content-Type, is 415; no body (or an empty one) goes on. */
const jsonBodiesOnly: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  next(hasBody && req.is(JSON_TYPES) === false ? unsupportedMediaType() : undefined);
};

/** The body parser's and the router's errors carry an HTTP `status`: a client's mistake is a 4xx. */
function scimErrorOf(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  const { status, type } = typeof err === 'object' && err !== null ? (err as { status?: unknown; type?: unknown }) : {};
  if (typeof status !== 'number' || status < 400 || status > 499) return toScimError(err); // 500, nothing leaked
  if (status === 413) return payloadTooLarge();
  if (status === 415) return unsupportedMediaType('the body must be UTF-8 JSON, without a content encoding');
  const invalidJson = type === 'entity.parse.failed';
  return new ScimError({ status, detail: invalidJson ? 'request body is not valid JSON' : 'malformed request' });
}

/** The app, ready for `app.listen(port)`. */
export function createExpressApp(store: GroupStore): Express {
  const app = express();
  app.use(jsonBodiesOnly, express.json({ type: JSON_TYPES, limit: '1mb' }));

  app.patch('/scim/v2/Groups/:id', async (req, res) => {
    const group = await store.findGroup(req.params.id);
    if (group === undefined) throw resourceNotFound(req.params.id);
    const body: unknown = req.body; // undefined when no body came: the library's 400 says so
    const result = tryApplyGroupPatch(group, body);
    if (!result.ok) throw result.error;
    if (result.summary.changed) await store.saveGroup(result.group, result.summary);
    res.type(SCIM_JSON).json(result.group);
  });

  app.use(() => {
    throw new ScimError({ status: 404, detail: 'no such endpoint' });
  });

  // Express 5 passes thrown errors and rejected promises here.
  const sendScimError: ErrorRequestHandler = (err, _req, res, _next) => {
    const error = scimErrorOf(err);
    if (error.status >= 500) console.error(err);
    res.status(error.status).type(SCIM_JSON).json(error.toResponse());
  };
  app.use(sendScimError);
  return app;
}
