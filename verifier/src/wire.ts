/**
 * What the verification service serves and the verifier (CLI and browser) reads: bundles, signed checkpoints,
 * receipt answers and errors. Defined once here and parsed where read; the service never sends anything else.
 *
 * Trust: none of these is taken on the service's word. Blocks are checked from the pinned genesis hash; a
 * checkpoint or an attestation is an observer organisation's signed statement, checked against that org's MSP in
 * the channel config the verifier derived itself.
 */
import { z } from 'zod';
import { BallotPositionSchema, IdSchema, PollSchema, PollStatusSchema, ResultsSchema, ResultsVisibilities, Sha256HexSchema, TxIdSchema, VoterTokenSchema } from '@poll-ledger/protocol';

export const BUNDLE_FORMAT = 'poll-ledger-bundle/1';

/** Base64 (standard alphabet, padded) of raw bytes. */
export const Base64Schema = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

/**
 * Everything needed to verify a poll (or the whole chain) offline. `blocks` holds every block from 0 to
 * `height - 1`, in order, as stored (`common.Block` protobuf). A block that carries content still hidden (ballots
 * of another poll whose results are not public yet) is *withheld*: its header and metadata are kept and its
 * `data` is emptied, so its place in the hash chain and its orderer signatures still verify; only its data hash
 * cannot. Config blocks are never withheld.
 */
export const BundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  channel: z.string().min(1),
  chaincode: z.string().min(1),
  /** The poll the bundle is about; absent for a whole-chain bundle. */
  pollId: IdSchema.optional(),
  height: z.int().min(1),
  blocks: z.array(Base64Schema).min(1),
  /** The serving observer's checkpoint at `height`, to compare with other observers'. */
  checkpoint: z.lazy(() => SignedCheckpointSchema).optional(),
});
export type Bundle = z.output<typeof BundleSchema>;

/** An observer organisation's signature over a statement (canonical JSON, RFC 8785, of `statement`). */
export const ObserverSignatureSchema = z.strictObject({
  mspId: z.string().min(1),
  /** PEM of the signing certificate; it must chain to `mspId`'s root in the channel config in force. */
  certificate: z.string().min(1),
  /** ECDSA P-256 DER signature over SHA-256 of the canonical JSON of the statement, base64. */
  signature: Base64Schema,
});
export type ObserverSignature = z.output<typeof ObserverSignatureSchema>;

/** "Block `blockNumber` of `channel` has header hash `blockHash`", as an observer's own peer saw it. */
export const CheckpointStatementSchema = z.strictObject({
  kind: z.literal('checkpoint'),
  channel: z.string().min(1),
  height: z.int().min(1),
  blockNumber: z.int().min(0),
  /** Lowercase hex SHA-256 of the block header (Fabric's header hash). */
  blockHash: Sha256HexSchema,
  /** When the service signed it (its own clock; informational). */
  observedAt: z.iso.datetime(),
});
export type CheckpointStatement = z.output<typeof CheckpointStatementSchema>;

export const SignedCheckpointSchema = z.strictObject({
  statement: CheckpointStatementSchema,
  signer: ObserverSignatureSchema,
});
export type SignedCheckpoint = z.output<typeof SignedCheckpointSchema>;

/**
 * "Transaction `txId` is in block `blockNumber` (header hash `blockHash`) at `txIndex`, writes the ballot `ballotId`
 * (at `position` among its ballots, for CastBallots), and the observer's peer validated it as `validationCode`."
 * During an `after-close` poll this is all a citizen gets (no ballot content); the full proof (the bundle) follows
 * once the poll's results are public.
 */
export const InclusionStatementSchema = z.strictObject({
  kind: z.literal('inclusion'),
  channel: z.string().min(1),
  pollId: IdSchema,
  ballotId: VoterTokenSchema,
  txId: TxIdSchema,
  blockNumber: z.int().min(0),
  txIndex: z.int().min(0),
  /** The ballot's position among the ballots of its CastBallots transaction; absent for a ballot cast alone. */
  position: BallotPositionSchema.optional(),
  blockHash: Sha256HexSchema,
  /** Fabric's TxValidationCode name, e.g. VALID, MVCC_READ_CONFLICT. */
  validationCode: z.string().min(1),
  observedAt: z.iso.datetime(),
});
export type InclusionStatement = z.output<typeof InclusionStatementSchema>;

export const ReceiptStatusSchema = z.discriminatedUnion('found', [
  z.strictObject({
    found: z.literal(false),
    pollId: IdSchema,
    ballotId: VoterTokenSchema,
    txId: TxIdSchema,
  }),
  z.strictObject({
    found: z.literal(true),
    attestation: z.strictObject({ statement: InclusionStatementSchema, signer: ObserverSignatureSchema }),
    /** True once the poll's results are public: the poll's bundle (with this transaction) can be fetched. */
    proofAvailable: z.boolean(),
  }),
]);
export type ReceiptStatus = z.output<typeof ReceiptStatusSchema>;

/** What a citizen holds after voting (the gateway's receipt fields), e.g. in a receipt link. */
export const ReceiptSchema = z.strictObject({
  pollId: IdSchema,
  ballotId: VoterTokenSchema,
  txId: TxIdSchema,
  ballotHash: Sha256HexSchema.optional(),
  /** For a ballot cast with others (CastBallots): its position among that transaction's ballots. */
  position: BallotPositionSchema.optional(),
});
export type Receipt = z.output<typeof ReceiptSchema>;

/** Every error the service answers with: a stable code, a message for people, details for programs. */
export const ServiceErrorCodes = [
  'BAD_REQUEST',
  'NOT_FOUND',
  /** The resource holds ballots of a poll whose results are not public yet. */
  'EMBARGOED',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export const ServiceErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(ServiceErrorCodes),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ServiceError = z.output<typeof ServiceErrorSchema>;

/**
 * A poll as `GET /v1/polls` lists it. Every poll is listed: its creation is in a public block anyway.
 * `resultsPublic`: its results (and its ballots) may be shown, i.e. it is `live`, or no longer draft or open.
 */
export const PollSummarySchema = z.strictObject({
  id: IdSchema,
  title: z.string(),
  status: PollStatusSchema,
  resultsVisibility: z.enum(ResultsVisibilities),
  opensAt: z.string(),
  closesAt: z.string(),
  resultsPublic: z.boolean(),
});
export type PollSummary = z.output<typeof PollSummarySchema>;

export const PollListSchema = z.strictObject({ polls: z.array(PollSummarySchema) });
export type PollList = z.output<typeof PollListSchema>;

/** `GET /v1/polls/{id}`: the poll record as the observer's peer holds it, and its on-chain results when public. */
export const PollDetailSchema = z.strictObject({
  poll: PollSchema,
  resultsPublic: z.boolean(),
  /** GetResults when the results may be public and the chaincode has them (a live count, or the final tally). */
  results: ResultsSchema.optional(),
});
export type PollDetail = z.output<typeof PollDetailSchema>;

/** `GET /v1/headers`: blocks `from`..`to` with their data emptied (header and metadata, signatures included). */
export const HeaderPageSchema = z.strictObject({
  channel: z.string().min(1),
  /** The service's height when it answered. */
  height: z.int().min(1),
  from: z.int().min(0),
  to: z.int().min(0),
  headers: z.array(
    z.strictObject({
      number: z.int().min(0),
      /** Lowercase hex SHA-256 of the block header. */
      blockHash: Sha256HexSchema,
      /** The header-only `common.Block` protobuf, base64. */
      block: Base64Schema,
    }),
  ),
});
export type HeaderPage = z.output<typeof HeaderPageSchema>;
