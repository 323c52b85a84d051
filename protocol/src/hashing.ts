/**
 * The canonical encoding and the hash definitions. These are definitions, not code: the chaincode and every verifier
 * implement them on their own and prove it on the test vectors in `vectors/`.
 *
 * - Canonical JSON is RFC 8785 (JCS): object keys sorted by UTF-16 code units, no white space, ECMAScript number
 *   serialisation. Everything the chaincode writes, returns, emits or hashes is canonical JSON, so every endorser
 *   produces byte-identical write sets.
 * - `ballotHash = sha256hex(canonicalJson({ pollId, ballotId, answers, castAt, txId }))`: the ballot record without
 *   `ballotHash`, `requestId`, `requestedAt` and `earlierRequests`.
 * - Canonical answers: question ids sorted, and the option ids of each question sorted (code-unit order).
 * - The ballots root is the head of a hash chain over a poll's ballots in key order (ascending ballotId):
 *   `h0 = sha256hex("poll-ledger:ballots:" + pollId)`, `h_i = sha256hex(h_{i-1} + ballotHash_i)`, where `+`
 *   concatenates the hex strings.
 * - `sha256hex` is the lowercase hex SHA-256 of the UTF-8 bytes of its text argument.
 */

/** The domain-separation prefix of a poll's ballot chain: h0 = sha256hex(CHAIN_DOMAIN + pollId). */
export const CHAIN_DOMAIN = 'poll-ledger:ballots:';

/** The fields of a ballot record that its hash covers, in no particular order (canonical JSON sorts them). */
export const BALLOT_HASH_FIELDS = ['pollId', 'ballotId', 'answers', 'castAt', 'txId'] as const;

/**
 * A ballot's `castAt` is its transaction's timestamp in `toISOString()` form: whole milliseconds, truncated
 * (seconds * 1000 + floor(nanos / 1e6)).
 */
export const CAST_AT_PRECISION = 'milliseconds, truncated';
