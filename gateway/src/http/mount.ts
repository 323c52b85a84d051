import type { Express, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Caller } from '../domain/ballots';
import { ApiError } from '../errors';
import { callerOf } from './auth';
import { MethodNotAllowedError } from './error-handler';
import type { RouteSpec } from './routes';

type Part<R, K extends string> = R extends Record<K, infer S> ? (S extends z.ZodType ? z.output<S> : never) : Record<string, never>;

/** A route's validated input, typed from the schemas in its RouteSpec. */
export interface RouteInput<R> {
  readonly params: Part<R, 'params'>;
  readonly query: Part<R, 'query'>;
  readonly headers: Part<R, 'headers'>;
  readonly body: Part<R, 'body'>;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HandlerContext {
  readonly req: Request;
  readonly res: Response;
  readonly caller: Caller;
  /** Aborted once the response is closed: sent, or the client gone, whenever that happened since routing. */
  readonly closed: AbortSignal;
}

/** Returns a Reply, or undefined after writing the response itself (streams, HTML, metrics). */
export type Handler<R> = (input: RouteInput<R>, context: HandlerContext) => Promise<Reply | undefined>;
export type RouteTable = Readonly<Record<string, RouteSpec>>;
export type HandlersOf<T extends RouteTable> = { readonly [K in keyof T]: Handler<T[K]> };

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return {};
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // Issues carry paths and rule names, never the offending value (it may be a citizen id).
  const issues = parsed.error.issues.map((issue) => ({ in: where, path: issue.path.join('.'), code: issue.code, message: issue.message }));
  throw new ApiError('INVALID_ARGUMENT', `invalid request ${where}`, { issues });
}

// RouteInput<unknown> (all parts Record<string, never>) fits every handler's input type; the route's
// schemas are what guarantee the real shape at run time.
type UntypedHandler = (input: RouteInput<unknown>, context: HandlerContext) => Promise<Reply | undefined>;

/**
 * The first handler of every route: a client that leaves while later guards or the handler still await (say a
 * peer call) is noticed, because the listener is there before anything waits.
 */
const watchClose: RequestHandler = (req, res, next) => {
  const closed = new AbortController();
  if (req.socket.destroyed) closed.abort();
  else res.once('close', () => { closed.abort(); });
  res.locals.closed = closed.signal;
  next();
};

/** The caller is looked up lazily: public routes have none and never ask. */
function handlerContext(req: Request, res: Response): HandlerContext {
  return {
    req,
    res,
    closed: res.locals.closed as AbortSignal,
    get caller() {
      return callerOf(res);
    },
  };
}

/** Validates every part of the request against the route's schemas, then runs its handler. */
function adapt(spec: RouteSpec, handler: UntypedHandler): RequestHandler {
  return async (req, res) => {
    const input = {
      params: parsePart(spec.params, req.params, 'path'),
      query: parsePart(spec.query, req.query, 'query'),
      headers: parsePart(spec.headers, req.headers, 'headers'),
      body: parsePart(spec.body, req.body ?? {}, 'body'),
    } as RouteInput<unknown>;
    const reply = await handler(input, handlerContext(req, res));
    if (reply) res.status(reply.status).set(reply.headers ?? {}).json(reply.body);
  };
}

/** The methods a path is declared with, plus HEAD wherever GET is (Express answers it). */
export function allowedMethods(routes: RouteTable): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  for (const spec of Object.values(routes)) {
    const methods = byPath.get(spec.path) ?? [];
    methods.push(spec.method.toUpperCase());
    if (spec.method === 'get') methods.push('HEAD');
    byPath.set(spec.path, methods);
  }
  return byPath;
}

/**
 * Mounts every route of the table with `guardsOf(spec)` before its handler, then, for each declared path, a 405
 * naming the declared methods in Allow for any other method.
 */
export function mountRoutes<T extends RouteTable>(app: Express, routes: T, handlers: HandlersOf<T>, guardsOf: (spec: RouteSpec) => RequestHandler[]): void {
  const untyped = handlers as unknown as Readonly<Record<string, UntypedHandler>>;
  for (const [id, spec] of Object.entries(routes)) {
    const handler = untyped[id];
    if (!handler) throw new Error(`route ${id} has no handler`);
    app[spec.method](spec.path, watchClose, ...guardsOf(spec), adapt(spec, handler));
  }
  for (const [path, allowed] of allowedMethods(routes)) {
    // route().all() (not app.all(), which registers every method by name) keeps the router listing only declared methods.
    app.route(path).all((req) => {
      throw new MethodNotAllowedError(req.method, req.path, allowed);
    });
  }
}
