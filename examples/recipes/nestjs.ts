/**
 * NestJS (on Express): `PATCH /scim/v2/Groups/:id`, every failure a SCIM error body. Needs
 * `experimentalDecorators` in tsconfig; the store is injected by token, so it works without
 * `emitDecoratorMetadata` (esbuild, tsx and vitest do not emit it).
 */
import 'reflect-metadata';
import {
  Body,
  Catch,
  Controller,
  Header,
  HttpException,
  Inject,
  Module,
  Param,
  Patch,
  type ArgumentsHost,
  type DynamicModule,
  type ExceptionFilter,
  type NestApplicationOptions,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import {
  payloadTooLarge,
  resourceNotFound,
  ScimError,
  toScimError,
  tryApplyGroupPatch,
  unsupportedMediaType,
  type Group,
} from 'scim-group-patch';
import type { GroupStore } from './store.js';

const SCIM_JSON = 'application/scim+json';
const JSON_TYPES = ['application/json', SCIM_JSON];
const GROUP_STORE = 'GroupStore';

@Controller('scim/v2/Groups')
class GroupsController {
  constructor(@Inject(GROUP_STORE) private readonly store: GroupStore) {}

  @Patch(':id')
  @Header('Content-Type', SCIM_JSON)
  async patch(@Param('id') id: string, @Body() body: unknown): Promise<Group> {
    const group = await this.store.findGroup(id);
    if (group === undefined) throw resourceNotFound(id);
    const result = tryApplyGroupPatch(group, body); // body undefined when none came: the 400 says so
    if (!result.ok) throw result.error;
    if (result.summary.changed) await this.store.saveGroup(result.group, result.summary);
    return result.group;
  }
}

@Module({ controllers: [GroupsController] })
class ScimModule {
  static withStore(store: GroupStore): DynamicModule {
    return { module: ScimModule, providers: [{ provide: GROUP_STORE, useValue: store }] };
  }
}

/** Nest's HTTP exceptions (404 for an unknown route) and the body parser's errors: a client's mistake is a 4xx. */
function scimErrorOf(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  const { status, type } = typeof err === 'object' && err !== null ? (err as { status?: unknown; type?: unknown }) : {};
  const code = err instanceof HttpException ? err.getStatus() : status;
  if (typeof code !== 'number' || code < 400 || code > 499) return toScimError(err); // 500, nothing leaked
  if (code === 413) return payloadTooLarge();
  if (code === 415) return unsupportedMediaType('the body must be UTF-8 JSON, without a content encoding');
  const detail = type === 'entity.parse.failed' ? 'request body is not valid JSON' : code === 404 ? 'no such endpoint' : 'malformed request';
  return new ScimError({ status: code, detail });
}

@Catch()
class ScimErrorFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const error = scimErrorOf(err);
    if (error.status >= 500) console.error(err);
    host.switchToHttp().getResponse<Response>().status(error.status).type(SCIM_JSON).json(error.toResponse());
  }
}

/** A body that is not JSON, or has no Content-Type, is 415; no body (or an empty one) goes on. */
function jsonBodiesOnly(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  next(hasBody && req.is(JSON_TYPES) === false ? unsupportedMediaType() : undefined);
}

/** The app, ready for `app.listen(port)`. */
export async function createNestApp(store: GroupStore, options: NestApplicationOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ScimModule.withStore(store), { ...options, bodyParser: false });
  app.use(jsonBodiesOnly);
  app.useBodyParser('json', { type: JSON_TYPES, limit: '1mb' });
  app.useGlobalFilters(new ScimErrorFilter());
  return app;
}
