/**
 * LightOn Paradigm's `PATCH /scim/v2/Groups/{id}` on Express 5 and PGlite.
 *
 *   Authorization: Bearer <token>   → the token's company; every group lookup is filtered by it
 *   PATCH  /scim/v2/Groups/:id      → 200 with the group (SCIMGroupCreateResponse), ETag
 *   PUT    /scim/v2/Groups/:id      → 405 (Paradigm disables PUT: Microsoft does not need it)
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  badRequest,
  methodNotAllowed,
  normalizePatchRequest,
  payloadTooLarge,
  ScimError,
  toScimError,
  unauthorized,
  type ChangeSummary,
  type PatchOptions,
} from 'scim-group-patch';
import { Database, type QueryObserver } from '../shared/database.js';
import { bearerToken, etagOf, JSON_CONTENT_TYPES, SCIM_CONTENT_TYPE } from '../shared/http.js';
import { companyOfToken, patchGroup } from './store.js';

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
  readonly db: PGlite;
  /** Largest accepted body, in bytes or as `'1mb'`. Default `'1mb'`. */
  readonly bodyLimit?: number | string;
  /** The clock for `meta.lastModified`. */
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

const GROUP_PATH = '/scim/v2/Groups/:id';

function sendScimError(res: Response, error: ScimError): void {
  res.status(error.status).type(SCIM_CONTENT_TYPE).json(error.toResponse());
}

/** Body-parser errors carry a `type`; map the ones a client causes to SCIM errors. */
function bodyParserError(err: unknown): ScimError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  switch (err.type) {
    case 'entity.parse.failed':
      return badRequest('invalidSyntax', 'request body is not valid JSON');
    case 'entity.too.large':
      return payloadTooLarge();
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ScimError({ status: 415, detail: 'unsupported content encoding or charset' });
    case 'request.aborted':
      return badRequest('invalidSyntax', 'request body was not received in full');
    default:
      return undefined;
  }
}

/** `excludedAttributes=members` (RFC 7644 §3.9) spares reading the member list for the response. */
function excludesMembers(query: unknown): boolean {
  if (typeof query !== 'string') return false;
  return query
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .some((name) => name === 'members' || name === 'urn:ietf:params:scim:schemas:core:2.0:group:members');
}

/** Builds the Express app (not listening yet). */
export function createServer(options: LightOnServerOptions): express.Express {
  const db = new Database(options.db, options.onQuery);
  const patchOptions: PatchOptions = {
    // LightOn's response schema marks externalId readOnly: a path to it is 400 mutability, and an
    // externalId key in a pathless value is ignored.
    externalIdMutability: 'readOnly',
    ...(options.now === undefined ? {} : { now: options.now }),
  };
  const logError = options.logError ?? ((error: unknown) => console.error(error));
  const companyOf = new WeakMap<Request, string>();

  const app = express();
  app.disable('x-powered-by');
  // Express would add hash ETags to every body; only the group's version is an ETag here.
  app.set('etag', false);

  /** Bearer token → company. Runs before the body is read: a stranger's body is never parsed. */
  const authenticate = async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const token = bearerToken(req.get('authorization'));
    const companyId = token === undefined ? undefined : await companyOfToken(db, token);
    if (companyId === undefined) throw unauthorized();
    companyOf.set(req, companyId);
    next();
  };

  const requireJson = (req: Request, _res: Response, next: NextFunction): void => {
    if (req.is([...JSON_CONTENT_TYPES]) === false) {
      throw new ScimError({ status: 415, detail: `send the body as ${SCIM_CONTENT_TYPE} or application/json` });
    }
    next();
  };

  const parseJson = express.json({ type: [...JSON_CONTENT_TYPES], limit: options.bodyLimit ?? '1mb' });

  app.patch(GROUP_PATH, authenticate, requireJson, parseJson, async (req: Request<{ id: string }>, res: Response) => {
    const companyId = companyOf.get(req);
    if (companyId === undefined) throw unauthorized();
    const body: unknown = req.body;
    const changes = normalizePatchRequest(body, patchOptions);
    const result = await patchGroup(db, {
      companyId,
      groupId: req.params.id,
      changes,
      options: patchOptions,
      ifMatch: req.get('if-match'),
      includeMembers: !excludesMembers(req.query.excludedAttributes),
    });
    if (result.summary.changed) {
      options.onGroupChanged?.({ companyId, groupId: req.params.id, version: result.version, summary: result.summary });
    }
    res.status(200).type(SCIM_CONTENT_TYPE).set('ETag', etagOf(result.version)).json(result.group);
  });

  // Paradigm offers no PUT ("Microsoft does not need it"), and this example no other method.
  app.all(GROUP_PATH, (_req: Request, res: Response) => {
    res.set('Allow', 'PATCH');
    sendScimError(res, methodNotAllowed('Only PATCH is supported on /scim/v2/Groups/{id}'));
  });

  app.use((req: Request, res: Response) => {
    sendScimError(res, new ScimError({ status: 404, detail: `No endpoint ${req.method} ${req.path}` }));
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const error = bodyParserError(err) ?? toScimError(err);
    if (error.status >= 500) logError(err);
    if (error.status === 401) res.set('WWW-Authenticate', 'Bearer');
    sendScimError(res, error);
  });

  return app;
}

/** Builds the app and listens on `host:port` (port 0: any free port). */
export async function start(
  options: LightOnServerOptions & { readonly port?: number; readonly host?: string },
): Promise<RunningServer> {
  const app = createServer(options);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${String(port)}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
