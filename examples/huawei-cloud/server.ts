/**
 * Huawei Cloud's `PATCH /{tenant_id}/scim/v2/Groups/{group_id}` on Fastify 5 and PGlite.
 *
 *   Authorization: Bearer <token>   → the token's tenant; it must be the tenant of the URL (else 403)
 *   PATCH → 204 No Content with the new ETag; errors carry schemas, detail, status and timeStamp
 */
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  badRequest,
  forbidden,
  normalizePatchRequest,
  payloadTooLarge,
  ScimError,
  toScimError,
  unauthorized,
  type ChangeSummary,
  type ExternalIdMutability,
  type PatchOptions,
} from 'scim-group-patch';
import { Database, type QueryObserver } from '../shared/database.js';
import { bearerToken, etagOf, SCIM_CONTENT_TYPE } from '../shared/http.js';
import { patchGroup, tenantOfToken } from './store.js';

/** Reported after each PATCH that changed a group: a hook for an audit log or an event bus. */
export interface GroupChangedEvent {
  readonly tenantId: string;
  readonly groupId: string;
  readonly version: number;
  readonly summary: ChangeSummary;
}

/** How to build the server. */
export interface HuaweiServerOptions {
  /** The database, with `createSchema` applied. */
  readonly db: PGlite;
  /** Largest accepted body in bytes. Default 1 MiB. */
  readonly bodyLimit?: number;
  /**
   * Huawei documents that only displayName and members can be modified, so externalId is
   * `'readOnly'` by default.
   */
  readonly externalIdMutability?: ExternalIdMutability;
  /** The clock for `last_modified` and error `timeStamp`s. */
  readonly now?: () => Date;
  /** Sees every SQL statement (tests count them). */
  readonly onQuery?: QueryObserver;
  /** Sees every change that was committed. */
  readonly onGroupChanged?: (event: GroupChangedEvent) => void;
  /** Where unexpected errors go (the client gets a generic 500). Default `console.error`. */
  readonly logError?: (error: unknown) => void;
}

/** A started server. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

interface GroupRoute {
  Params: { tenantId: string; groupId: string };
}

/** Fastify's own errors a client causes (body parsing, media type, size), as SCIM errors. */
function fastifyClientError(error: unknown): ScimError | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest('invalidSyntax', 'request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return badRequest('invalidSyntax', 'Content-Length does not match the body');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return payloadTooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ScimError({ status: 415, detail: `send the body as ${SCIM_CONTENT_TYPE} or application/json` });
    default:
      return undefined;
  }
}

/** Builds the Fastify app (not listening yet). */
export function createServer(options: HuaweiServerOptions): FastifyInstance {
  const db = new Database(options.db, options.onQuery);
  const clock = options.now ?? (() => new Date());
  const patchOptions: PatchOptions = {
    externalIdMutability: options.externalIdMutability ?? 'readOnly',
    now: clock,
  };
  const logError = options.logError ?? ((error: unknown) => console.error(error));

  const app = Fastify({ bodyLimit: options.bodyLimit ?? 1_048_576 });
  // SCIM clients send application/scim+json; parse it like JSON (with prototype-poisoning checks).
  app.addContentTypeParser(SCIM_CONTENT_TYPE, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  // Only JSON bodies: anything else is 415 (Fastify would hand text/plain over as a string).
  app.removeContentTypeParser('text/plain');

  const sendError = (reply: FastifyReply, error: ScimError): FastifyReply =>
    reply.code(error.status).type(SCIM_CONTENT_TYPE).send(error.toResponse({ timeStamp: clock() }));

  /** Runs before the body is read: a stranger's body is never parsed. */
  const authenticate = async (request: FastifyRequest<GroupRoute>): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    const tenantId = token === undefined ? undefined : await tenantOfToken(db, token);
    if (tenantId === undefined) throw unauthorized();
    if (tenantId !== request.params.tenantId) throw forbidden('This token is not valid for this tenant');
  };

  app.patch<GroupRoute>('/:tenantId/scim/v2/Groups/:groupId', { onRequest: authenticate }, async (request, reply) => {
    const { tenantId, groupId } = request.params;
    const body: unknown = request.body;
    const changes = normalizePatchRequest(body, patchOptions);
    const { version, summary } = await patchGroup(db, {
      tenantId,
      groupId,
      changes,
      options: patchOptions,
      ifMatch: request.headers['if-match'],
    });
    if (summary.changed) options.onGroupChanged?.({ tenantId, groupId, version, summary });
    return reply.code(204).header('ETag', etagOf(version)).send();
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new ScimError({ status: 404, detail: `No endpoint ${request.method} ${request.url.split('?')[0] ?? ''}` })),
  );

  app.setErrorHandler((error: unknown, _request, reply) => {
    const scimError = fastifyClientError(error) ?? toScimError(error);
    if (scimError.status >= 500) logError(error);
    if (scimError.status === 401) void reply.header('WWW-Authenticate', 'Bearer');
    return sendError(reply, scimError);
  });

  return app;
}

/** Builds the app and listens on `host:port` (port 0: any free port). */
export async function start(
  options: HuaweiServerOptions & { readonly port?: number; readonly host?: string },
): Promise<RunningServer> {
  const app = createServer(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://${host}:${String(port)}`, close: () => app.close() };
}
