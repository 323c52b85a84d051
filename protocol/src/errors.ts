import { z } from 'zod';

/**
 * The chaincode's refusals, as a structured payload: a stable code, a human message, and typed details.
 *
 * On the wire, a Fabric chaincode error carries one string, its message. The chaincode sets that string to the
 * canonical JSON of an `ErrorPayload`; clients read it back with `decodeChaincodeError`, never by scraping text.
 */

export const ErrorCodes = [
  'INVALID_ARGUMENT',
  'INVALID_ANSWER',
  'FORBIDDEN',
  'NOT_FOUND',
  'POLL_NOT_OPEN',
  'ALREADY_VOTED',
  'INVALID_STATE',
  'ALREADY_EXISTS',
  'SUPERSEDED',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];
export const ErrorCodeSchema = z.enum(ErrorCodes);

/** What each code means, for docs and for API catalogues built on this list. */
export const ErrorMeanings: Readonly<Record<ErrorCode, string>> = {
  INVALID_ARGUMENT: 'a malformed argument (JSON, id format, poll definition, page size, bookmark)',
  INVALID_ANSWER: 'a ballot that does not fit the poll; details name the sub-code, question and option',
  FORBIDDEN: "the caller's MSP or role may not do this",
  NOT_FOUND: 'no such poll or ballot',
  POLL_NOT_OPEN: 'the poll is not open, or the transaction timestamp is outside [opensAt, closesAt]',
  ALREADY_VOTED: 'a second ballot of one voter under revotePolicy none',
  INVALID_STATE: 'a status change the lifecycle does not allow, or results the poll does not show yet',
  ALREADY_EXISTS: 'creating a poll whose id exists',
  SUPERSEDED: "a later ballot of this voter is already recorded: this ballot's requestedAt is earlier than the stored one's",
};

/** Why a ballot does not fit its poll. */
export const AnswerSubcodes = [
  'UNKNOWN_QUESTION',
  'UNKNOWN_OPTION',
  'TOO_FEW_CHOICES',
  'TOO_MANY_CHOICES',
  'DUPLICATE_CHOICE',
  'WRONG_TYPE',
  'MISSING_QUESTION',
] as const;
export type AnswerSubcode = (typeof AnswerSubcodes)[number];

/** Caller-supplied ids in details are cut to this many characters: they may be anything. */
export const DETAIL_ID_LENGTH = 64;

/** INVALID_ANSWER details: where the ballot fails its poll. */
export const AnswerProblemSchema = z.strictObject({
  subcode: z.enum(AnswerSubcodes),
  questionId: z.string().max(DETAIL_ID_LENGTH),
  optionId: z.string().max(DETAIL_ID_LENGTH).optional(),
});
export type AnswerProblem = z.output<typeof AnswerProblemSchema>;

/** INVALID_ARGUMENT details: the argument or field refused, as a path such as `pollJson.questions[0].id`. */
export const ArgumentProblemSchema = z.strictObject({ field: z.string().min(1) });
export type ArgumentProblem = z.output<typeof ArgumentProblemSchema>;

const message = z.string().min(1);

export const ErrorPayloadSchema = z.discriminatedUnion('code', [
  z.strictObject({ code: z.literal('INVALID_ANSWER'), message, details: AnswerProblemSchema }),
  z.strictObject({ code: z.literal('INVALID_ARGUMENT'), message, details: ArgumentProblemSchema.optional() }),
  z.strictObject({
    code: z.enum(['FORBIDDEN', 'NOT_FOUND', 'POLL_NOT_OPEN', 'ALREADY_VOTED', 'INVALID_STATE', 'ALREADY_EXISTS', 'SUPERSEDED']),
    message,
  }),
]);
export type ErrorPayload = z.output<typeof ErrorPayloadSchema>;

/**
 * Reads a chaincode error message. Undefined when it is not an error payload of this protocol: for example the
 * Node shim's own refusal of a wrong argument count, which carries no code.
 */
export function decodeChaincodeError(text: string): ErrorPayload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ErrorPayloadSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
