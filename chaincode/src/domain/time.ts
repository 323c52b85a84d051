/**
 * Times as the chaincode stores them: `Date.prototype.toISOString()` form (the protocol's STORED_TIME). Input times
 * are checked by the protocol's IsoDateTimeSchema (explicit zone, real calendar date) before they get here.
 */
export function toStoredTime(isoDateTime: string): string {
  return new Date(isoDateTime).toISOString();
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

/** Milliseconds since the epoch of a stored time. */
export function isoToMillis(iso: string): number {
  return Date.parse(iso);
}
