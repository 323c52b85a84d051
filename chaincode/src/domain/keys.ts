import { KEY_SEPARATOR, KeyPrefix, ballotKeyPrefix, pollStatusKey } from '@poll-ledger/protocol';

/**
 * Key ranges over the protocol's key layout (keys.ts of @poll-ledger/protocol). Every range is a prefix range:
 * ids never contain the separator, so a prefix never matches another poll's keys.
 */
export { ballotKey, pollKey, pollStatusKey, tallyKey } from '@poll-ledger/protocol';

/** The highest code point: every key with a given prefix sorts below prefix + this. */
const RANGE_END = '\u{10ffff}';
/** The lowest code point: key + this is the first possible key after key. */
const SUCCESSOR = '\u0000';

/** A half-open key range [start, end), as getStateByRange takes it. */
export interface KeyRange {
  readonly start: string;
  readonly end: string;
}

const prefixRange = (prefix: string): KeyRange => ({ start: prefix, end: prefix + RANGE_END });

export const allPollsRange = (): KeyRange => prefixRange(KeyPrefix.poll);
export const pollStatusRange = (status: string): KeyRange => prefixRange(pollStatusKey(status, ''));
export const ballotRange = (pollId: string): KeyRange => prefixRange(ballotKeyPrefix(pollId));

/** The part of the range strictly after `key` (the whole range when key is ''). */
export function rangeAfter(range: KeyRange, key: string): KeyRange {
  return key === '' ? range : { start: key + SUCCESSOR, end: range.end };
}

/** Every range here is a prefix range, so membership is a prefix test. */
export function isInRange(range: KeyRange, key: string): boolean {
  return key.startsWith(range.start);
}

/** The last segment: the poll id of a poll or index key, the ballot id of a ballot key. */
export function lastKeySegment(key: string): string {
  return key.slice(key.lastIndexOf(KEY_SEPARATOR) + 1);
}
