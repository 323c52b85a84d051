/**
 * The protocol's canonical encoding and hashes, implemented here on their own (protocol/src/hashing.ts defines them;
 * the tests prove this code on protocol/vectors): RFC 8785 canonical JSON, the ballot hash, and the ballots-root
 * hash chain.
 */
import { CHAIN_DOMAIN } from '@poll-ledger/protocol';
import { compareCodeUnits, toHex, utf8 } from './bytes';
import type { CryptoProvider } from './crypto';

/** RFC 8785: keys sorted by UTF-16 code units, no white space, ECMAScript number and string serialisation. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('canonical JSON has no NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: unknown) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort(compareCodeUnits);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
}

export const sha256Hex = (text: string, crypto: CryptoProvider): string => toHex(crypto.sha256(utf8(text)));

export interface BallotContent {
  readonly pollId: string;
  readonly ballotId: string;
  readonly answers: Readonly<Record<string, readonly string[]>>;
  readonly castAt: string;
  readonly txId: string;
}

/** sha256hex(canonicalJson({ pollId, ballotId, answers, castAt, txId })). */
export function ballotHash(b: BallotContent, crypto: CryptoProvider): string {
  return sha256Hex(canonicalJson({ pollId: b.pollId, ballotId: b.ballotId, answers: b.answers, castAt: b.castAt, txId: b.txId }), crypto);
}

/** h0 = sha256hex(CHAIN_DOMAIN + pollId). */
export const chainStart = (pollId: string, crypto: CryptoProvider): string => sha256Hex(`${CHAIN_DOMAIN}${pollId}`, crypto);
/** h_i = sha256hex(h_{i-1} + ballotHash_i), hex strings concatenated. */
export const chainNext = (head: string, hash: string, crypto: CryptoProvider): string => sha256Hex(`${head}${hash}`, crypto);
