import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { AnswerProblemSchema, ErrorPayloadSchema } from './errors';
import { Sha256HexSchema, TxIdSchema, VoterTokenSchema, IdSchema, StoredTimeSchema } from './ids';
import { AnswersSchema, BallotSchema, PollSchema, ResultsSchema } from './records';
import { CastBallotResultSchema } from './transactions';

/**
 * The language-neutral test vectors in `vectors/*.json`, with their schemas. A verifier in any language reads the
 * same files; these schemas only say what they hold.
 */

export const VECTORS_DIR = path.resolve(__dirname, '..', 'vectors');

const named = { name: z.string(), description: z.string().optional() };

/** `canonical-json.json`: a JSON value and its RFC 8785 text. */
export const CanonicalJsonVectorsSchema = z.array(z.strictObject({ ...named, value: z.unknown(), canonical: z.string() }));

const BallotContentSchema = z.strictObject({
  pollId: IdSchema,
  ballotId: VoterTokenSchema,
  answers: AnswersSchema,
  castAt: StoredTimeSchema,
  txId: TxIdSchema,
});

/** `ballot-hash.json`: a ballot's hashed content, its canonical text and its hash. */
export const BallotHashVectorsSchema = z.array(
  z.strictObject({ ...named, content: BallotContentSchema, canonical: z.string(), ballotHash: Sha256HexSchema }),
);

/**
 * `ballots-root.json`: a poll, its stored ballots (in any order), the chain heads h0..hn in key order, and the final
 * result a tally of them gives.
 */
export const BallotsRootVectorsSchema = z.array(
  z.strictObject({
    ...named,
    poll: PollSchema,
    ballots: z.array(BallotSchema),
    chain: z.array(Sha256HexSchema).min(1),
    results: ResultsSchema,
  }),
);

/** `answers.json`: raw answers to a poll's questions, and either their canonical form or the refusal. */
export const AnswersVectorsSchema = z.array(
  z.strictObject({
    ...named,
    poll: PollSchema,
    answers: z.unknown(),
    outcome: z.union([
      z.strictObject({ canonical: AnswersSchema }),
      z.strictObject({ error: z.strictObject({ code: z.literal('INVALID_ANSWER'), details: AnswerProblemSchema }) }),
      z.strictObject({ error: z.strictObject({ code: z.literal('INVALID_ARGUMENT') }) }),
    ]),
  }),
);

/** `receipts.json`: a stored ballot, a receipt, and whether the receipt is that ballot's (or an earlier version's). */
export const ReceiptVectorsSchema = z.array(
  z.strictObject({
    ...named,
    ballot: BallotSchema,
    receipt: CastBallotResultSchema.pick({ pollId: true, ballotId: true, ballotHash: true, txId: true }),
    /** `current`: the stored version's; `earlier`: a replaced version's (in earlierRequests); `none`: a forgery. */
    matches: z.enum(['current', 'earlier', 'none']),
  }),
);

/** `cast-results.json`: CastBallot results as the chaincode returns them (canonical JSON text). */
export const CastResultVectorsSchema = z.array(
  z.strictObject({ ...named, result: CastBallotResultSchema, canonical: z.string() }),
);

/** `error-payloads.json`: a chaincode error message as it crosses Fabric, and its decoded payload (null: none). */
export const ErrorPayloadVectorsSchema = z.array(
  z.strictObject({
    ...named,
    message: z.string(),
    payload: ErrorPayloadSchema.nullable(),
  }),
);

const OrderTimesSchema = z.strictObject({ castAt: StoredTimeSchema, requestedAt: StoredTimeSchema.optional() });

/**
 * `revote-order.json`: the order times of a stored ballot and of a new ballot of the same voter (last-counts, not a
 * retry), and whether the new one replaces the stored one or is SUPERSEDED (records.ts, the re-vote order).
 */
export const RevoteOrderVectorsSchema = z.array(
  z.strictObject({
    ...named,
    stored: OrderTimesSchema,
    incoming: OrderTimesSchema,
    outcome: z.enum(['replace', 'SUPERSEDED']),
  }),
);

export const VectorFiles = {
  'canonical-json': CanonicalJsonVectorsSchema,
  'ballot-hash': BallotHashVectorsSchema,
  'ballots-root': BallotsRootVectorsSchema,
  answers: AnswersVectorsSchema,
  receipts: ReceiptVectorsSchema,
  'cast-results': CastResultVectorsSchema,
  'error-payloads': ErrorPayloadVectorsSchema,
  'revote-order': RevoteOrderVectorsSchema,
} as const;
export type VectorFile = keyof typeof VectorFiles;
export type Vectors<F extends VectorFile> = z.output<(typeof VectorFiles)[F]>;

/** Reads and checks one vector file. */
export function loadVectors<F extends VectorFile>(file: F): Vectors<F> {
  const text = fs.readFileSync(path.join(VECTORS_DIR, `${file}.json`), 'utf8');
  return VectorFiles[file].parse(JSON.parse(text)) as Vectors<F>;
}
