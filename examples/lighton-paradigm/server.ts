/**
 * LightOn Paradigm's `PATCH /scim/v2/Groups/{id}` on Express 5 and PGlite.
 *
 *   Authorization: Bearer <token>   → the token's company; every group lookup is filtered by it
 *   PATCH  /scim/v2/Groups/:id      → 200 with the group (SCIMGroupCreateResponse), ETag
 *   PUT    /scim/v2/Groups/:id      → 405 (Paradigm disables PUT: Microsoft does not need it)
 *
 * Express only routes here: the Node server under it, the body reader, the checks on stored text
 * and the error mapping are `../shared/`, the same as the Huawei server's.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { normalizePatchRequest, unauthorized, type ChangeSummary, type PatchOptions, type ScimError } from 'scim-group-patch';
import { DEFAULT_BODY_LIMIT, readJsonBody } from '../shared/body.js';
import { Database, type Backend, type QueryObserver } from '../shared/database.js';
import { bearerToken, etagOf, SCIM_CONTENT_TYPE } from '../shared/http.js';
import {
  createScimHttpServer,
  listen,
  logToConsole,
  GROUP_METHODS,
  onlyGetAndPatch,
  routeNotFound,
  sendScimError,
  toResponseError,
  type RenderError,
  type RunningServer,
} from '../shared/server.js';
import { checkStorableChanges } from '../shared/text.js';
import { prefersMinimal, projectionOf } from '../shared/projection.js';
import { companyOfToken, getGroup, patchGroup } from './store.js';

export type { RunningServer } from '../shared/server.js';

/** Reported after each PATCH that changed a group: a hook for an audit log or an event bus. */
export interface GroupChangedEvent {
  readonly companyId: string;
  readonly groupId: string;
  readonly version: number;
  readonly summary: ChangeSummary;
}

/** How to build the server. */
export interface LightOnServerOptions {
  /** The database, with `createSchema` applied. */
  readonly db: Backend;
  /** Largest accepted body in bytes, as sent and once decoded. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** The clock for `meta.lastModified`. */
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

const GROUP_PATH = '/scim/v2/Groups/:id';

/** Paradigm's error body: `schemas`, `scimType` when there is one, `detail`, `status`. */
const renderError: RenderError = (error: ScimError) => error.toResponse();

/** Builds the Express app (not listening yet; `start` puts it behind the shared Node server). */
export function createServer(options: LightOnServerOptions): express.Express {
  const db = new Database(options.db, options.onQuery);
  const patchOptions: PatchOptions = {
    // LightOn's response schema marks externalId readOnly: a path to it is 400 mutability, and an
    // externalId key in a pathless value is ignored.
    externalIdMutability: 'readOnly',
    ...(options.now === undefined ? {} : { now: options.now }),
  };
  const logError = options.logError ?? logToConsole;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const companyOf = new WeakMap<Request, string>();

  const app = express();
  app.disable('x-powered-by');
  // Express would add hash ETags to every body; only the group's version is an ETag here.
  app.set('etag', false);
  // One path is one resource, spelled one way, as on the Huawei server (Fastify's defaults).
  app.set('strict routing', true);
  app.set('case sensitive routing', true);

  /** Bearer token → company. Runs before the body is read: a stranger's body is never parsed. */
  const authenticate = async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const token = bearerToken(req.get('authorization'));
    const companyId = token === undefined ? undefined : await companyOfToken(db, token);
    if (companyId === undefined) throw unauthorized();
    companyOf.set(req, companyId);
    next();
  };

  app.patch(GROUP_PATH, authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const companyId = companyOf.get(req);
    if (companyId === undefined) throw unauthorized();
    const projection = projectionOf(req.query);
    const minimal = prefersMinimal(req.get('prefer'));
    const body = await readJsonBody(req, req.headers, { limit: bodyLimit });
    const changes = normalizePatchRequest(body, patchOptions);
    checkStorableChanges(changes);
    const result = await patchGroup(db, {
      companyId,
      groupId: req.params.id,
      changes,
      options: patchOptions,
      ifMatch: req.get('if-match'),
      // The member list is read only when the answer shows it.
      includeMembers: !minimal && projection.includes('members'),
    });
    if (result.summary.changed) {
      options.onGroupChanged?.({ companyId, groupId: req.params.id, version: result.version, summary: result.summary });
    }
    res.set('ETag', etagOf(result.version));
    // RFC 7644 §3.5.2: 200 with the resource (subject to `attributes`), or 204 when asked for none.
    if (minimal) res.status(204).set('Preference-Applied', 'return=minimal').end();
    else res.status(200).type(SCIM_CONTENT_TYPE).json(projection.apply(result.group));
  });

  // Not in the seed: a GET of the group, so that a client (or a test) can check what a PATCH did.
  // Express answers HEAD with it too, without the body.
  app.get(GROUP_PATH, authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const companyId = companyOf.get(req);
    if (companyId === undefined) throw unauthorized();
    const projection = projectionOf(req.query);
    const group = await getGroup(db, { companyId, groupId: req.params.id, includeMembers: projection.includes('members') });
    res.status(200).type(SCIM_CONTENT_TYPE).set('ETag', group.meta.version).json(projection.apply(group));
  });

  // Paradigm offers no PUT ("Microsoft does not need it"), and this example no other method.
  app.all(GROUP_PATH, (_req: Request, res: Response) => {
    res.set('Allow', GROUP_METHODS);
    sendScimError(res, onlyGetAndPatch('/scim/v2/Groups/{id}'), renderError);
  });

  app.use((req: Request, res: Response) => {
    sendScimError(res, routeNotFound(req.method, req.originalUrl), renderError);
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const error = toResponseError(err, logError);
    if (error.status === 401) res.set('WWW-Authenticate', 'Bearer');
    sendScimError(res, error, renderError);
  });

  return app;
}

/** Builds the app and listens on `host:port` (port 0: any free port). */
export function start(options: LightOnServerOptions & { readonly port?: number; readonly host?: string }): Promise<RunningServer> {
  const server = createScimHttpServer(createServer(options), {
    renderError,
    logError: options.logError ?? logToConsole,
    ...(options.logRequest === undefined ? {} : { logRequest: options.logRequest }),
  });
  return listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
}
