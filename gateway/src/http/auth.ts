import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Caller } from '../domain/ballots';
import { ApiError } from '../errors';
import type { Role } from '../roles';
import type { Access } from './routes';

export interface ApiKeyEntry {
  readonly id: string;
  /** sha256 hex of the key; the key itself is never configured. */
  readonly sha256: string;
  readonly role: Role;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The caller that `authenticate` attached to the response locals. */
export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new ApiError('UNAUTHENTICATED', 'missing or unknown X-API-Key');
  return caller;
}

/**
 * Checks X-API-Key against the configured hashes (401 when missing or unknown), then the route's
 * roles (403). Lookup is by hash, so no comparison ever touches the key in clear.
 */
export function authenticate(keys: readonly ApiKeyEntry[], access: Access): RequestHandler {
  const byHash = new Map(keys.map((key) => [key.sha256, key]));
  return (req, res, next) => {
    if (access === 'public') {
      next();
      return;
    }
    const presented = req.get('x-api-key');
    const entry = presented ? byHash.get(hashApiKey(presented)) : undefined;
    if (!entry) throw new ApiError('UNAUTHENTICATED', 'missing or unknown X-API-Key');
    if (!access.includes(entry.role)) throw new ApiError('FORBIDDEN', `role ${entry.role} may not call this route`);
    const caller: Caller = { keyId: entry.id, role: entry.role };
    res.locals.caller = caller;
    next();
  };
}
