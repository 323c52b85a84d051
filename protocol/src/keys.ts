/**
 * World-state key layout of the `polls` chaincode. Keys are plain strings with `~` as the separator, not Fabric
 * composite keys, because the tally resumes from a cursor with a plain range read inside a write transaction, and
 * the shims refuse composite keys there. Ids never contain `~`, so a prefix never matches another poll's keys.
 */

export const KEY_SEPARATOR = '~';

export const KeyPrefix = {
  poll: `poll${KEY_SEPARATOR}`,
  pollStatus: `pollstatus${KEY_SEPARATOR}`,
  ballot: `ballot${KEY_SEPARATOR}`,
  tally: `tally${KEY_SEPARATOR}`,
} as const;

/** `poll~{pollId}`: the poll record. */
export const pollKey = (pollId: string): string => `${KeyPrefix.poll}${pollId}`;
/** `pollstatus~{status}~{pollId}`: `{}`, an index entry for ListPolls with a status filter. */
export const pollStatusKey = (status: string, pollId: string): string =>
  `${KeyPrefix.pollStatus}${status}${KEY_SEPARATOR}${pollId}`;
/** The common prefix of every ballot key of one poll; key order within it is ballot id order. */
export const ballotKeyPrefix = (pollId: string): string => `${KeyPrefix.ballot}${pollId}${KEY_SEPARATOR}`;
/** `ballot~{pollId}~{ballotId}`: the ballot record; the ballot id is the voter token. */
export const ballotKey = (pollId: string, ballotId: string): string => `${ballotKeyPrefix(pollId)}${ballotId}`;
/** `tally~{pollId}`: the tally state; with `done: true`, the poll's final result. */
export const tallyKey = (pollId: string): string => `${KeyPrefix.tally}${pollId}`;

export type ParsedKey =
  | { readonly kind: 'poll'; readonly pollId: string }
  | { readonly kind: 'pollStatus'; readonly status: string; readonly pollId: string }
  | { readonly kind: 'ballot'; readonly pollId: string; readonly ballotId: string }
  | { readonly kind: 'tally'; readonly pollId: string }
  | { readonly kind: 'other' };

/** Reads a key of this layout; anything else is `other`. */
export function parseKey(key: string): ParsedKey {
  const parts = key.split(KEY_SEPARATOR);
  const [prefix, first, second] = parts;
  const nonEmpty = (s: string | undefined): s is string => s !== undefined && s !== '';
  if (parts.length === 2 && nonEmpty(first)) {
    if (prefix === 'poll') return { kind: 'poll', pollId: first };
    if (prefix === 'tally') return { kind: 'tally', pollId: first };
  }
  if (parts.length === 3 && nonEmpty(first) && nonEmpty(second)) {
    if (prefix === 'ballot') return { kind: 'ballot', pollId: first, ballotId: second };
    if (prefix === 'pollstatus') return { kind: 'pollStatus', status: first, pollId: second };
  }
  return { kind: 'other' };
}
