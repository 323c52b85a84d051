import type { PollStatus } from './poll';

/**
 * World-state keys: plain strings with `~` as the separator (not Fabric composite keys), because the tally resumes
 * from a cursor with a plain range read. Ids never contain `~`, so a prefix never matches another poll's keys.
 */

const SEPARATOR = '~';
/** The highest code point: every key with a given prefix sorts below prefix + this. */
const RANGE_END = '\u{10ffff}';
/** The lowest code point: key + this is the first possible key after key. */
const SUCCESSOR = '\u0000';

const Prefix = {
  poll: `poll${SEPARATOR}`,
  pollStatus: `pollstatus${SEPARATOR}`,
  ballot: `ballot${SEPARATOR}`,
  tally: `tally${SEPARATOR}`,
} as const;

export const pollKey = (pollId: string): string => `${Prefix.poll}${pollId}`;
export const pollStatusKey = (status: PollStatus, pollId: string): string =>
  `${Prefix.pollStatus}${status}${SEPARATOR}${pollId}`;
export const ballotKey = (pollId: string, ballotId: string): string =>
  `${Prefix.ballot}${pollId}${SEPARATOR}${ballotId}`;
export const tallyKey = (pollId: string): string => `${Prefix.tally}${pollId}`;

/** A half-open key range [start, end), as getStateByRange takes it. */
export interface KeyRange {
  readonly start: string;
  readonly end: string;
}

const prefixRange = (prefix: string): KeyRange => ({ start: prefix, end: prefix + RANGE_END });

export const allPollsRange = (): KeyRange => prefixRange(Prefix.poll);
export const pollStatusRange = (status: PollStatus): KeyRange =>
  prefixRange(`${Prefix.pollStatus}${status}${SEPARATOR}`);
export const ballotRange = (pollId: string): KeyRange => prefixRange(`${Prefix.ballot}${pollId}${SEPARATOR}`);

/** The part of the range strictly after `key` (the whole range when key is ''). */
export function rangeAfter(range: KeyRange, key: string): KeyRange {
  return key === '' ? range : { start: key + SUCCESSOR, end: range.end };
}

/** Every range here is a prefix range, so membership is a prefix test. */
export function isInRange(range: KeyRange, key: string): boolean {
  return key.startsWith(range.start);
}

/** The last `~`-separated segment: the poll id of a poll or index key, the ballot id of a ballot key. */
export function lastKeySegment(key: string): string {
  return key.slice(key.lastIndexOf(SEPARATOR) + 1);
}
