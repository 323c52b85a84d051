import { Args, type CastBallotResult, ProtocolViolation, ballotKey, parseResult } from '@poll-ledger/protocol';
import type { ChaincodeResponse } from './block-decoder';

/**
 * The ballots a ballot transaction asked for, read from its arguments with the protocol's schemas (never taken on
 * trust): CastBallot(pollId, voterToken, answersJson, requestId, requestedAt) asks for one, CastBallots(pollId,
 * ballotsJson) for up to Limits.castBatch of one poll, each at its position. And what its result says became of each.
 */

export const BALLOT_FUNCTIONS = ['CastBallot', 'CastBallots'] as const;
export type BallotFunction = (typeof BALLOT_FUNCTIONS)[number];

export const isBallotFunction = (fn: string | undefined): fn is BallotFunction => fn === 'CastBallot' || fn === 'CastBallots';

/** One ballot asked for: CastBallot's arguments after pollId, and its position in CastBallots. */
export interface BallotRequest {
  /** Its index in CastBallots' ballots; undefined for CastBallot. */
  readonly position?: number;
  readonly voterToken: string;
  readonly answers: unknown;
  readonly requestId: string;
  readonly requestedAt: string;
  /** Why the chaincode refuses this ballot by its arguments alone, so that it writes nothing. */
  readonly refused?: string;
}

export type BallotCall =
  | { readonly ok: true; readonly fn: BallotFunction; readonly pollId: string; readonly requests: readonly BallotRequest[] }
  | { readonly ok: false; readonly fn: BallotFunction; readonly problem: string };

interface Checked {
  safeParse(value: unknown): { readonly success: boolean; readonly error?: { readonly issues: readonly { readonly message: string }[] } };
}

/** `field: why`, or undefined when the argument fits its schema. */
function argumentProblem(field: string, schema: Checked, value: unknown): string | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? undefined : `${field}: ${parsed.error?.issues[0]?.message ?? 'does not fit the protocol'}`;
}

/** CastBallot's own argument rules, which CastBallots applies to each of its ballots. */
function requestProblem(r: Pick<BallotRequest, 'voterToken' | 'requestId' | 'requestedAt'>): string | undefined {
  return (
    argumentProblem('voterToken', Args.voterToken, r.voterToken) ??
    argumentProblem('requestId', Args.requestId, r.requestId) ??
    argumentProblem('requestedAt', Args.requestedAt, r.requestedAt)
  );
}

export function decodeBallotCall(fn: BallotFunction, args: readonly string[]): BallotCall {
  const count = fn === 'CastBallot' ? 5 : 2;
  if (args.length !== count) {
    return { ok: false, fn, problem: `${fn} takes ${count} arguments after its name, the transaction has ${args.length}` };
  }
  const [pollId = '', second = '', answersJson = '', requestId = '', requestedAt = ''] = args;
  const pollProblem = argumentProblem('pollId', Args.pollId, pollId);
  if (pollProblem !== undefined) {
    return { ok: false, fn, problem: pollProblem };
  }
  if (fn === 'CastBallot') {
    const answers = Args.answersJson.safeParse(answersJson);
    const request = { voterToken: second, answers: answers.success ? answers.data : undefined, requestId, requestedAt };
    const problem = answers.success ? requestProblem(request) : 'answersJson: is not valid JSON';
    return problem === undefined ? { ok: true, fn, pollId, requests: [request] } : { ok: false, fn, problem };
  }
  const ballots = Args.ballotsJson.safeParse(second);
  if (!ballots.success) {
    return { ok: false, fn, problem: `ballotsJson: ${ballots.error.issues[0]?.message ?? 'does not fit the protocol'}` };
  }
  const firstAt = new Map<string, number>();
  const requests = ballots.data.map((ballot, position): BallotRequest => {
    const earlier = firstAt.get(ballot.voterToken);
    const refused = requestProblem(ballot) ?? (earlier === undefined ? undefined : `the voterToken of position ${earlier} again`);
    if (earlier === undefined) firstAt.set(ballot.voterToken, position);
    return { ...ballot, position, ...(refused === undefined ? {} : { refused }) };
  });
  return { ok: true, fn, pollId, requests };
}

export const requestKey = (pollId: string, request: BallotRequest): string => ballotKey(pollId, request.voterToken);

/** A ballot request for people: its voter, short, and its position in a CastBallots transaction. */
export function requestName(request: Pick<BallotRequest, 'voterToken' | 'position'>): string {
  const voter = request.voterToken.length > 16 ? `${request.voterToken.slice(0, 16)}…` : request.voterToken;
  return `the ballot of voter ${voter}${request.position === undefined ? '' : ` (position ${request.position})`}`;
}

/**
 * The receipt the result gives each request, in order, or null when it refused it; a string when the result does
 * not fit the protocol (or does not have one outcome per ballot).
 */
export function resultReceipts(call: Extract<BallotCall, { ok: true }>, response: ChaincodeResponse | undefined): (CastBallotResult | null)[] | string {
  if (response === undefined) {
    return 'it carries no chaincode response';
  }
  try {
    if (call.fn === 'CastBallot') {
      return [parseResult('CastBallot', response.payload)];
    }
    const result = parseResult('CastBallots', response.payload);
    if (result.outcomes.length !== call.requests.length) {
      return `its result has ${result.outcomes.length} outcomes for ${call.requests.length} ballots`;
    }
    return result.outcomes.map((outcome) => ('receipt' in outcome ? outcome.receipt : null));
  } catch (err) {
    if (err instanceof ProtocolViolation) {
      return `its result does not fit the protocol (${err.message})`;
    }
    throw err;
  }
}
