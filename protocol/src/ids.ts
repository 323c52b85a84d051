import { z } from 'zod';

/** Id patterns, each defined once. Every package validates with these; none keeps a copy. */
export const Patterns = {
  /** Poll, question and option ids. Never contains `~`, the key separator. */
  id: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
  /** The voter token, HMAC-SHA256(secret, pollId ‖ NUL ‖ citizenId) in lowercase hex; also the ballot id. */
  voterToken: /^[0-9a-f]{64}$/,
  /** The gateway's keyed hash of a caller's Idempotency-Key, stored with the ballot. */
  requestId: /^[0-9a-f]{64}$/,
  /** A Fabric transaction id: SHA-256 of nonce ‖ creator, lowercase hex. */
  txId: /^[0-9a-f]{64}$/,
  /** A SHA-256 digest in lowercase hex (ballot hashes, chain heads). */
  sha256Hex: /^[0-9a-f]{64}$/,
} as const;

/** A poll created without an id gets `p-` + the first 20 characters of the creating transaction's id. */
export const GeneratedPollId = { prefix: 'p-', txIdChars: 20 } as const;

const patternMessage = (pattern: RegExp): string => `must match ${pattern.source}`;

export const IdSchema = z.string().regex(Patterns.id, patternMessage(Patterns.id));
export const VoterTokenSchema = z.string().regex(Patterns.voterToken, 'must be 64 lowercase hex chars');
export const RequestIdSchema = z.string().regex(Patterns.requestId, 'must be 64 lowercase hex chars');
export const TxIdSchema = z.string().regex(Patterns.txId, 'must be 64 lowercase hex chars');
export const Sha256HexSchema = z.string().regex(Patterns.sha256Hex, 'must be 64 lowercase hex chars');

/**
 * An ISO 8601 date-time with an explicit zone (`Z` or `±hh:mm`), seconds and fractions optional: a zone-less time
 * would depend on each endorser's time zone. The calendar check refuses dates such as 2026-02-30.
 */
export const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

export function isIsoDateTime(value: string): boolean {
  const match = ISO_DATE_TIME.exec(value);
  if (match === null) {
    return false;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export const IsoDateTimeSchema = z
  .string()
  .refine(isIsoDateTime, 'must be an ISO 8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z')
  .meta({ description: 'ISO 8601 date-time with a zone (Z or ±hh:mm)', example: '2026-05-01T08:00:00Z' });

/** The form the chaincode stores times in: `Date.prototype.toISOString()` (UTC, milliseconds). */
export const STORED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const StoredTimeSchema = z.string().regex(STORED_TIME, 'must be a UTC time in toISOString() form');
