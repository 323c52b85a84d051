import { InvalidArgumentError } from './errors';

/** Full date-time with seconds optional and an explicit zone: a zone-less time would depend on the endorser's TZ. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** Validates an ISO 8601 date-time and returns it in `Date.prototype.toISOString()` form (UTC, milliseconds). */
export function normaliseIsoTime(value: unknown, field: string): string {
  const match = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
  if (match === null || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    throw new InvalidArgumentError(`${field} must be an ISO 8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z`);
  }
  return new Date(match[0]).toISOString();
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A protobuf timestamp as Fabric hands it over: `seconds` is a Long from the stub, a number from history. */
export interface ProtoTimestamp {
  readonly seconds: number | string | { toString(): string };
  readonly nanos: number;
}

export function timestampToIso(timestamp: ProtoTimestamp): string {
  // Long stringifies to its exact decimal value; milliseconds are the precision of the ISO form.
  const millis = Number(String(timestamp.seconds)) * 1000 + Math.floor(timestamp.nanos / 1e6);
  return new Date(millis).toISOString();
}

/** Milliseconds since the epoch of a normalised ISO time. */
export function isoToMillis(iso: string): number {
  return Date.parse(iso);
}
