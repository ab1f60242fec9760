/**
 * Huawei Cloud's `PATCH /{tenant_id}/scim/v2/Groups/{group_id}` on Fastify 5 and PGlite.
 *
 *   Authorization: Bearer <token>   → the token's tenant; it must be the tenant of the URL (else 403)
 *   PATCH → 204 No Content with the new ETag; errors carry schemas, detail, status and timeStamp
 *
 * Fastify only routes here: the Node server under it, the body reader, the checks on stored text
 * and the error mapping are `../shared/`, the same as the LightOn server's.
 */
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods } from 'fastify';
import {
  forbidden,
  normalizePatchRequest,
  unauthorized,
  type ChangeSummary,
  type ExternalIdMutability,
  type PatchOptions,
  type ScimError,
} from 'scim-group-patch';
import { checkBodyHeaders, DEFAULT_BODY_LIMIT, emptyBody, hasBody, readJsonBody } from '../shared/body.js';
import { Database, type Backend, type QueryObserver } from '../shared/database.js';
import { bearerToken, etagOf } from '../shared/http.js';
import {
  createScimHttpServer,
  KNOWN_METHODS,
  logToConsole,
  MAX_SEGMENT_LENGTH,
  GROUP_METHODS,
  onlyGetAndPatch,
  routeNotFound,
  runningServer,
  SCIM_CONTENT_TYPE_HEADER,
  toResponseError,
  type RenderError,
  type RunningServer,
} from '../shared/server.js';
import { checkStorableChanges } from '../shared/text.js';
import { getGroup, patchGroup, tenantOfToken } from './store.js';

export type { RunningServer } from '../shared/server.js';

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
  readonly db: Backend;
  /** Largest accepted body in bytes, as sent and once decoded. Default 1 MiB. */
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
  /** Sees one line per answered request (the programs print it; tests leave it out). */
  readonly logRequest?: (line: string) => void;
}

interface GroupRoute {
  Params: { tenantId: string; groupId: string };
}

const GROUP_PATH = '/:tenantId/scim/v2/Groups/:groupId';

/** Builds the Fastify app on the shared Node server (not listening yet). */
export function createServer(options: HuaweiServerOptions): FastifyInstance {
  const db = new Database(options.db, options.onQuery);
  const clock = options.now ?? (() => new Date());
  const patchOptions: PatchOptions = {
    externalIdMutability: options.externalIdMutability ?? 'readOnly',
    now: clock,
  };
  const logError = options.logError ?? logToConsole;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  /** Huawei's error body: `schemas`, `scimType` when there is one, `detail`, `status`, `timeStamp`. */
  const renderError: RenderError = (error: ScimError) => error.toResponse({ timeStamp: clock() });

  const sendError = (reply: FastifyReply, error: ScimError): FastifyReply =>
    reply.code(error.status).header('Content-Type', SCIM_CONTENT_TYPE_HEADER).send(JSON.stringify(renderError(error)));

  const app = Fastify({
    serverFactory: (handler) =>
      createScimHttpServer(handler, { renderError, logError, ...(options.logRequest === undefined ? {} : { logRequest: options.logRequest }) }),
    // The shared server answers what Node cannot parse; Fastify's own handler would send its JSON.
    clientErrorHandler: () => undefined,
    // Fastify's own limit is 100 characters; ids up to the shared limit (longer ones are 414
    // before Fastify sees them) must reach the route, as on the LightOn server.
    routerOptions: { maxParamLength: MAX_SEGMENT_LENGTH },
    // Errors Fastify raises before a route runs (a URL it cannot decode) get the SCIM body too.
    frameworkErrors: (error, _request, reply) => {
      void sendError(reply, toResponseError(error, logError));
    },
    // HEAD is answered by the 405 route below, as every method but PATCH.
    exposeHeadRoutes: false,
    forceCloseConnections: true,
    return503OnClosing: false,
  });

  // Every body goes through the shared reader (media type, charset, coding, size, UTF-8, JSON).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request: FastifyRequest, payload: IncomingMessage): Promise<unknown> =>
    readJsonBody(payload, request.headers, { limit: bodyLimit }),
  );

  /** Runs before the body is read: a stranger's body is never parsed. */
  const authenticate = async (request: FastifyRequest<GroupRoute>): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    const tenantId = token === undefined ? undefined : await tenantOfToken(db, token);
    if (tenantId === undefined) throw unauthorized();
    if (tenantId !== request.params.tenantId) throw forbidden('This token is not valid for this tenant');
  };

  /**
   * Fastify checks `Content-Type` itself before the body reader runs: check first, so that its
   * own error never answers. (Fastify catches a throw here as it does a rejection.)
   */
  const checkHeadersOfBody = (request: FastifyRequest<GroupRoute>): Promise<void> => {
    if (hasBody(request.headers)) checkBodyHeaders(request.headers, { limit: bodyLimit });
    return Promise.resolve();
  };

  app.patch<GroupRoute>(GROUP_PATH, { onRequest: authenticate, preParsing: checkHeadersOfBody }, async (request, reply) => {
    const { tenantId, groupId } = request.params;
    // Fastify calls the body reader only when the request says it has a body.
    if (request.body === undefined) throw emptyBody();
    const body: unknown = request.body;
    const changes = normalizePatchRequest(body, patchOptions);
    checkStorableChanges(changes);
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

  // Not in the seed: a GET of the group, so that a 204 can be checked. Fastify answers HEAD with it
  // too, without the body.
  app.get<GroupRoute>(GROUP_PATH, { onRequest: authenticate }, async (request, reply) => {
    const group = await getGroup(db, request.params.tenantId, request.params.groupId);
    return reply.code(200).header('Content-Type', SCIM_CONTENT_TYPE_HEADER).header('ETag', group.meta.version).send(JSON.stringify(group));
  });

  // The seed documents PATCH only; every other method on a group is 405, as on the LightOn server.
  // Answered in onRequest, so that Fastify never reads the body of a PUT or POST (a body it
  // cannot parse would turn the 405 into a 415 or 400).
  const notPatch = (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    void sendError(reply.header('Allow', GROUP_METHODS), onlyGetAndPatch('/{tenant_id}/scim/v2/Groups/{group_id}'));
    return Promise.resolve();
  };
  app.route({
    method: KNOWN_METHODS.filter((method): method is HTTPMethods => method !== 'PATCH' && method !== 'GET' && method !== 'HEAD'),
    url: GROUP_PATH,
    onRequest: notPatch,
    handler: (_request, reply) => reply,
  });

  app.setNotFoundHandler((request, reply) => sendError(reply, routeNotFound(request.method, request.url)));

  app.setErrorHandler((error: unknown, _request, reply) => {
    const scimError = toResponseError(error, logError);
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
  return runningServer(app.server, host, () => app.close());
}
