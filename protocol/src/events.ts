import { z } from 'zod';
import { IdSchema, Sha256HexSchema, TxIdSchema, VoterTokenSchema } from './ids';
import { Limits } from './limits';
import { AnswersSchema, BallotPositionSchema, PollStatusSchema } from './records';

/**
 * Chaincode events. Payloads are canonical JSON and carry no citizen data: the ballot id is a per-poll pseudonym.
 * A ballot's event also carries what it changes in the count (its answers, and those of the version it replaced),
 * which every channel reader already sees in the transaction's write set, so that a running count can be kept from
 * the events alone (the gateway's live results) without reading the ballots back.
 */

export const PollEventNames = {
  create: 'PollCreated',
  update: 'PollUpdated',
  open: 'PollOpened',
  close: 'PollClosed',
  cancel: 'PollCancelled',
  tally: 'PollTallied',
} as const;
export type PollEventName = (typeof PollEventNames)[keyof typeof PollEventNames];

export const BALLOT_CAST = 'BallotCast';
/**
 * A transaction carries at most one chaincode event (Fabric keeps the last one set), so CastBallots emits one event
 * for the ballots it wrote. Readers that show events per ballot (the gateway's SSE) split it.
 */
export const BALLOTS_CAST = 'BallotsCast';

export const PollEventPayloadSchema = z
  .strictObject({ pollId: IdSchema, status: PollStatusSchema, txId: TxIdSchema })
  .meta({ id: 'PollEventPayload' });
export type PollEventPayload = z.output<typeof PollEventPayloadSchema>;

/** A ballot's receipt fields: what the gateway's event stream sends for each ballot. */
export const BallotCastPayloadSchema = z
  .strictObject({ pollId: IdSchema, ballotId: VoterTokenSchema, ballotHash: Sha256HexSchema, txId: TxIdSchema })
  .meta({ id: 'BallotCastPayload' });
export type BallotCastPayload = z.output<typeof BallotCastPayloadSchema>;

/** What one written ballot changes in a poll's count: +1 for each of `answers`, -1 for each of `replaced`. */
const countChange = {
  answers: AnswersSchema,
  replaced: AnswersSchema.optional().meta({ description: 'the answers of the version this ballot replaced (a re-vote)' }),
};
export type CountChange = z.output<z.ZodObject<typeof countChange>>;

/** CastBallot's event: the receipt fields and the count change. */
export const BallotCastEventSchema = BallotCastPayloadSchema.extend(countChange).meta({ id: 'BallotCastEvent' });
export type BallotCastEvent = z.output<typeof BallotCastEventSchema>;

/** The ballots a CastBallots transaction wrote, in its order; a refused ballot is not here. */
export const BallotsCastPayloadSchema = z
  .strictObject({
    pollId: IdSchema,
    txId: TxIdSchema,
    ballots: z
      .array(
        z.strictObject({ ballotId: VoterTokenSchema, ballotHash: Sha256HexSchema, position: BallotPositionSchema, ...countChange }),
      )
      .min(1)
      .max(Limits.castBatch.max),
  })
  .meta({ id: 'BallotsCastPayload' });
export type BallotsCastPayload = z.output<typeof BallotsCastPayloadSchema>;

const pollEventNames = Object.values(PollEventNames) as [PollEventName, ...PollEventName[]];

/** Any event of the chaincode, by name and decoded payload. */
export const ChaincodeEventSchema = z.discriminatedUnion('eventName', [
  z.strictObject({ eventName: z.literal(BALLOT_CAST), payload: BallotCastEventSchema }),
  z.strictObject({ eventName: z.literal(BALLOTS_CAST), payload: BallotsCastPayloadSchema }),
  z.strictObject({ eventName: z.enum(pollEventNames), payload: PollEventPayloadSchema }),
]);
export type ChaincodeEvent = z.output<typeof ChaincodeEventSchema>;

/** Checks a raw event (name and payload bytes); undefined when it is not an event of this protocol. */
export function decodeChaincodeEvent(eventName: string, payload: Uint8Array): ChaincodeEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return undefined;
  }
  const parsed = ChaincodeEventSchema.safeParse({ eventName, payload: value });
  return parsed.success ? parsed.data : undefined;
}
