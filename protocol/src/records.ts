import { z } from 'zod';
import {
  IdSchema,
  IsoDateTimeSchema,
  RequestIdSchema,
  Sha256HexSchema,
  StoredTimeSchema,
  TxIdSchema,
  VoterTokenSchema,
} from './ids';
import { Limits } from './limits';

/**
 * The ledger records of the `polls` chaincode (what it writes to world state and returns from queries) and the poll
 * definition it accepts. Records are strict: a field the protocol does not define is a protocol violation.
 */

export const PollStatuses = ['draft', 'open', 'closed', 'tallied', 'cancelled'] as const;
export type PollStatus = (typeof PollStatuses)[number];
export const PollStatusSchema = z.enum(PollStatuses);

export const QuestionTypes = ['single', 'multi'] as const;
export type QuestionType = (typeof QuestionTypes)[number];

/** `none`: a voter's second ballot is refused. `last-counts`: it replaces the first. */
export const RevotePolicies = ['none', 'last-counts'] as const;
export type RevotePolicy = (typeof RevotePolicies)[number];

/** `live`: anyone may read running results. `after-close`: results exist only once tallied. */
export const ResultsVisibilities = ['live', 'after-close'] as const;
export type ResultsVisibility = (typeof ResultsVisibilities)[number];

/** Text that must say something: non-empty after trimming. */
const nonBlank = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.trim() !== '', 'must not be empty');

const countsMeta = { description: 'question id → option id → votes; every option is listed, 0 included' };

/** Duplicate ids in a list, reported at the second occurrence. */
function checkUniqueIds(items: readonly { readonly id: string }[], ctx: z.RefinementCtx, what: string): void {
  const seen = new Set<string>();
  items.forEach(({ id }, index) => {
    if (seen.has(id)) {
      ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `${what} id ${id} appears twice` });
    }
    seen.add(id);
  });
}

export const OptionSchema = z.object({ id: IdSchema, text: nonBlank(Limits.optionTextLength) }).meta({ id: 'Option' });

const QuestionShape = {
  id: IdSchema,
  text: nonBlank(Limits.questionTextLength),
  type: z.enum(QuestionTypes),
  minChoices: z.int().min(0),
  maxChoices: z.int().min(1),
  options: z
    .array(OptionSchema)
    .min(Limits.optionsPerQuestion.min)
    .max(Limits.optionsPerQuestion.max)
    .superRefine((options, ctx) => {
      checkUniqueIds(options, ctx, 'option');
    }),
};

/** A question's choice bounds: 1 ≤ maxChoices ≤ options (exactly 1 for `single`), 0 ≤ minChoices ≤ maxChoices. */
function checkChoiceBounds(
  q: { type: QuestionType; minChoices: number; maxChoices: number; options: readonly unknown[] },
  ctx: z.RefinementCtx,
): void {
  const max = q.type === 'single' ? 1 : q.options.length;
  if (q.maxChoices > max) {
    ctx.addIssue({ code: 'custom', path: ['maxChoices'], message: `must be an integer from 1 to ${max}` });
  }
  if (q.minChoices > q.maxChoices) {
    ctx.addIssue({ code: 'custom', path: ['minChoices'], message: `must be an integer from 0 to ${q.maxChoices}` });
  }
}

export const QuestionSchema = z.object(QuestionShape).superRefine(checkChoiceBounds).meta({ id: 'Question' });

const definitionShape = {
  title: nonBlank(Limits.titleLength),
  questions: z
    .array(QuestionSchema)
    .min(Limits.questions.min)
    .max(Limits.questions.max)
    .superRefine((questions, ctx) => {
      checkUniqueIds(questions, ctx, 'question');
    }),
  revotePolicy: z.enum(RevotePolicies),
  resultsVisibility: z.enum(ResultsVisibilities),
};

function checkWindow(p: { opensAt: string; closesAt: string }, ctx: z.RefinementCtx): void {
  if (!(Date.parse(p.opensAt) < Date.parse(p.closesAt))) {
    ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'opensAt must be before closesAt' });
  }
}

/**
 * `pollJson` of CreatePoll and UpdatePoll (and the body of `POST /v1/polls`). Unknown fields are dropped, and so are
 * the fields the chaincode sets itself (ownerMsp, status, createdTxId, updatedTxId).
 */
export const PollDefinitionSchema = z
  .object({
    id: IdSchema.optional(),
    ...definitionShape,
    description: z.string().max(Limits.descriptionLength).optional(),
    opensAt: IsoDateTimeSchema,
    closesAt: IsoDateTimeSchema,
  })
  .superRefine(checkWindow)
  .meta({ id: 'PollIn' });
export type PollDefinitionInput = z.output<typeof PollDefinitionSchema>;

/** The stored poll: the definition with times normalised to toISOString() form, and what the chaincode adds. */
export const PollSchema = z
  .strictObject({
    id: IdSchema,
    ...definitionShape,
    description: z.string().max(Limits.descriptionLength),
    opensAt: StoredTimeSchema,
    closesAt: StoredTimeSchema,
    ownerMsp: z.string().min(1),
    status: PollStatusSchema,
    createdTxId: TxIdSchema,
    updatedTxId: TxIdSchema,
  })
  .superRefine(checkWindow)
  .meta({ id: 'Poll' });
export type Poll = z.output<typeof PollSchema>;
export type Question = Poll['questions'][number];
export type PollOption = Question['options'][number];

/** Question id → chosen option ids; canonical form has both levels sorted. */
export const AnswersSchema = z
  .record(IdSchema, z.array(IdSchema))
  .meta({ description: 'question id → chosen option ids', example: { q1: ['red'], q2: ['usb', 'wifi'] } });
export type Answers = z.output<typeof AnswersSchema>;

/** When the request that cast a ballot version was first made (CastBallot's `requestedAt`), in stored form. */
const requestedAt = StoredTimeSchema.optional().meta({
  description: 'when the request was first made; with castAt as fallback, it orders the versions of a ballot',
});

/** What one request wrote: the receipt fields of the ballot version it cast, and its requestedAt if it had one. */
export const RequestRecordSchema = z.strictObject({
  requestId: RequestIdSchema,
  txId: TxIdSchema,
  ballotHash: Sha256HexSchema,
  requestedAt,
});
export type RequestRecord = z.output<typeof RequestRecordSchema>;

/** A ballot's index in the ballots of its CastBallots transaction. */
export const BallotPositionSchema = z.int().min(0).max(Limits.castBatch.max - 1);

/**
 * The stored ballot, and the output of GetBallot. `requestId`, `requestedAt` and `earlierRequests` (oldest first,
 * absent when empty) are outside the hash; see hashing.ts for `ballotHash`.
 *
 * The re-vote order: a ballot's order time is its `requestedAt`, else its `castAt`. Under last-counts a new ballot
 * whose order time is earlier than the stored ballot's is refused (SUPERSEDED) and writes nothing; an equal or later
 * one replaces it (vectors/revote-order.json).
 */
export const BallotSchema = z
  .strictObject({
    pollId: IdSchema,
    ballotId: VoterTokenSchema,
    answers: AnswersSchema,
    castAt: StoredTimeSchema,
    txId: TxIdSchema,
    ballotHash: Sha256HexSchema,
    requestId: RequestIdSchema.optional(),
    requestedAt,
    earlierRequests: z.array(RequestRecordSchema).min(1).max(Limits.earlierRequests).optional(),
    /** Only for a version cast by CastBallots: its index in that transaction's ballots (not hashed). */
    position: BallotPositionSchema.optional(),
  })
  .meta({ id: 'Ballot' });
export type Ballot = z.output<typeof BallotSchema>;

export const CountsSchema = z.record(IdSchema, z.record(IdSchema, z.int().min(0))).meta(countsMeta);
export type Counts = z.output<typeof CountsSchema>;

/** `tally~{pollId}`: the running tally, the last ballot key counted ('' before the first), and whether it is over. */
export const TallyStateSchema = z.strictObject({
  pollId: IdSchema,
  cursor: z.string(),
  done: z.boolean(),
  ballotCount: z.int().min(0),
  counts: CountsSchema,
  ballotsRoot: Sha256HexSchema,
});
export type TallyState = z.output<typeof TallyStateSchema>;

/** GetResults: the final result of a tallied poll, or a running count (final: false) of a live one. */
export const ResultsSchema = z
  .strictObject({
    pollId: IdSchema,
    status: PollStatusSchema,
    final: z.boolean(),
    ballotCount: z.int().min(0),
    counts: CountsSchema,
    ballotsRoot: Sha256HexSchema.meta({ description: 'head of the hash chain over the ballots counted' }),
  })
  .meta({ id: 'Results' });
export type Results = z.output<typeof ResultsSchema>;

/** `pollstatus~{status}~{pollId}`: an index entry with no content. */
export const StatusIndexEntrySchema = z.strictObject({});
