/**
 * Fastify 5: `PATCH /scim/v2/Groups/:id`, every failure a SCIM error body.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
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

function send(reply: FastifyReply, error: ScimError): FastifyReply {
  return reply.code(error.status).type(SCIM_JSON).send(error.toResponse());
}

/** Fastify's own errors carry `statusCode` and a `code`: a client's mistake is a 4xx. */
function scimErrorOf(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  const { statusCode, code } = typeof err === 'object' && err !== null ? (err as { statusCode?: unknown; code?: unknown }) : {};
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode > 499) return toScimError(err); // 500, nothing leaked
  if (statusCode === 413) return payloadTooLarge();
  if (statusCode === 415) return unsupportedMediaType();
  const invalidJson = typeof code === 'string' && code.startsWith('FST_ERR_CTP_');
  return new ScimError({ status: statusCode, detail: invalidJson ? 'request body is not valid JSON' : 'malformed request' });
}

/** The app, ready for `app.listen({ port })`. */
export function createFastifyApp(store: GroupStore): FastifyInstance {
  const app = Fastify({
    bodyLimit: 1_048_576,
    // A URL Fastify cannot decode (`%zz`) does not reach the error handler.
    frameworkErrors: (err, _request, reply) => {
      void send(reply, scimErrorOf(err));
    },
  });
  // Only JSON bodies: no parser for any other type (or none), so Fastify answers 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', SCIM_JSON],
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  // Fastify neither checks a charset nor decodes a Content-Encoding: refuse both.
  app.addHook('onRequest', (request, _reply, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1] ?? 'utf-8';
    const encoding = request.headers['content-encoding'] ?? 'identity';
    const supported = charset.toLowerCase() === 'utf-8' && encoding.toLowerCase() === 'identity';
    done(supported ? undefined : unsupportedMediaType('the body must be UTF-8 JSON, without a content encoding'));
  });

  app.patch<{ Params: { id: string } }>('/scim/v2/Groups/:id', async (request, reply) => {
    const group = await store.findGroup(request.params.id);
    if (group === undefined) throw resourceNotFound(request.params.id);
    const result = tryApplyGroupPatch(group, request.body);
    if (!result.ok) throw result.error;
    if (result.summary.changed) await store.saveGroup(result.group, result.summary);
    return reply.type(SCIM_JSON).send(result.group);
  });

  app.setNotFoundHandler((_request, reply) => send(reply, new ScimError({ status: 404, detail: 'no such endpoint' })));
  app.setErrorHandler((err: unknown, request, reply) => {
    const error = scimErrorOf(err);
    if (error.status >= 500) request.log.error(err);
    return send(reply, error);
  });
  return app;
}
