import type { NextFunction, Request, Response } from 'express';
import { ApiError, CommitPendingError } from '../errors';

interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  const candidate = err as Partial<BodyParserError> | undefined;
  return typeof candidate?.type === 'string' && typeof candidate.status === 'number';
}

/** An error whose response carries headers as well (Allow, Retry-After). */
export class ApiErrorWithHeaders extends ApiError {
  constructor(
    code: ApiError['code'],
    message: string,
    readonly headers: Readonly<Record<string, string>>,
    details?: ApiError['details'],
  ) {
    super(code, message, details);
  }
}

/** The path exists but not with this method: 405 with the methods it has in Allow. */
export class MethodNotAllowedError extends ApiErrorWithHeaders {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, { Allow: allowed.join(', ') }, { allowed });
  }
}

/** Every slot of a limited resource is taken: 429 RATE_LIMITED, to try again after `retryAfterSeconds`. */
export class RetryLaterError extends ApiErrorWithHeaders {
  constructor(message: string, retryAfterSeconds: number, details?: ApiError['details']) {
    super('RATE_LIMITED', message, { 'Retry-After': String(retryAfterSeconds) }, details);
  }
}

/**
 * Maps anything thrown by a route or middleware to an ApiError. Ledger failures arrive typed already (the
 * Fabric adapter maps them), so anything else unknown is a bug: INTERNAL.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isBodyParserError(err)) {
    if (err.type === 'entity.too.large') return new ApiError('PAYLOAD_TOO_LARGE', 'request body is too large', undefined, { cause: err });
    if (err.type === 'entity.parse.failed') return new ApiError('INVALID_JSON', 'request body is not valid JSON', undefined, { cause: err });
    if (err.status < 500) return new ApiError('INVALID_ARGUMENT', 'request body cannot be read', { reason: err.type }, { cause: err });
  }
  return new ApiError('INTERNAL', 'internal error', undefined, { cause: err });
}

/** The single place errors become HTTP responses; bodies never carry stack traces. */
export function errorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  if (err instanceof CommitPendingError) {
    const body = { txId: err.txId, statusUrl: err.statusUrl };
    res.status(202).location(err.statusUrl).json(err.position === undefined ? body : { ...body, position: err.position });
    return;
  }
  const error = toApiError(err);
  // pino-http logs `res.err` with the response line, keeping the cause server-side only.
  if (error.httpStatus >= 500) res.err = error.cause instanceof Error ? error.cause : error;
  if (error instanceof ApiErrorWithHeaders) res.set(error.headers);
  res.status(error.httpStatus).json({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } });
}

export function notFound(req: Request): never {
  throw new ApiError('NOT_FOUND', `no route for ${req.method} ${req.path}`);
}
