/**
 * The ballots a transaction asked the chaincode to cast, decoded from its arguments with the protocol's schemas
 * (never trusted as they are): CastBallot(pollId, voterToken, answersJson, requestId, requestedAt) asks for one;
 * CastBallots(pollId, ballotsJson) for one poll's ballots, each at its position, each refused on its own by
 * CastBallot's argument rules. And what the call's result (the chaincode response its endorsers signed) says became
 * of each one: a receipt, or a refusal.
 */
import { Args, type CastBallotResult, CastBallotResultSchema, CastBallotsResultSchema } from '@poll-ledger/protocol';
import { fromUtf8 } from './bytes';
import type { ChaincodeResponse, EndorserAction } from './decode';

export type BallotFunction = 'CastBallot' | 'CastBallots';

export interface AskedBallot {
  /** Its index in the call's ballots (0 for CastBallot). */
  readonly index: number;
  /** Its position, as CastBallots records it; undefined for CastBallot. */
  readonly position?: number;
  readonly voterToken: string;
  readonly answers: unknown;
  readonly requestId: string;
  readonly requestedAt: string;
  /** Set when the chaincode must refuse it on its arguments alone (then it writes nothing). */
  readonly refusal?: string;
}

export interface BallotCall {
  readonly fn: BallotFunction;
  readonly pollId: string;
  readonly ballots: readonly AskedBallot[];
}

/** What the result says of one asked ballot: its receipt, or null when refused. */
export type Outcome = CastBallotResult | null;

const firstIssue = (error: { readonly issues: readonly { readonly message: string }[] }): string => error.issues[0]?.message ?? 'does not fit the protocol';

/** The field rules CastBallot applies to its arguments, and CastBallots to each ballot. */
function fieldRefusal(b: { readonly voterToken: string; readonly requestId: string; readonly requestedAt: string }): string | undefined {
  const checks = [['voterToken', Args.voterToken.safeParse(b.voterToken)], ['requestId', Args.requestId.safeParse(b.requestId)], ['requestedAt', Args.requestedAt.safeParse(b.requestedAt)]] as const;
  for (const [field, parsed] of checks) if (!parsed.success) return `${field} ${firstIssue(parsed.error)}`;
  return undefined;
}

/** The call a ballot transaction makes; undefined for any other function; a string when its arguments do not fit. */
export function readBallotCall(action: Pick<EndorserAction, 'functionName' | 'args'>): BallotCall | string | undefined {
  const fn = action.functionName;
  if (fn !== 'CastBallot' && fn !== 'CastBallots') return undefined;
  const args = action.args ?? [];
  const arity = fn === 'CastBallot' ? 5 : 2;
  if (args.length !== arity) return `${fn} has ${args.length} arguments, not ${arity}`;
  const pollId = Args.pollId.safeParse(args[0]);
  if (!pollId.success) return `its pollId ${firstIssue(pollId.error)}`;
  if (fn === 'CastBallot') {
    const [, voterToken = '', answersJson = '', requestId = '', requestedAt = ''] = args;
    const answers = Args.answersJson.safeParse(answersJson);
    if (!answers.success) return `its answersJson ${firstIssue(answers.error)}`;
    const ballot = { index: 0, voterToken, answers: answers.data, requestId, requestedAt };
    const refusal = fieldRefusal(ballot);
    return refusal === undefined ? { fn, pollId: pollId.data, ballots: [ballot] } : `its ${refusal}`;
  }
  const list = Args.ballotsJson.safeParse(args[1]);
  if (!list.success) return `its ballotsJson ${firstIssue(list.error)}`;
  const seen = new Set<string>();
  const ballots = list.data.map((b, index): AskedBallot => {
    const refusal = fieldRefusal(b) ?? (seen.has(b.voterToken) ? 'its voterToken is asked for earlier in the call' : undefined);
    seen.add(b.voterToken);
    return { ...b, index, position: index, ...(refusal === undefined ? {} : { refusal }) };
  });
  return { fn, pollId: pollId.data, ballots };
}

/** One outcome per asked ballot, in order; a string when the result is missing or does not fit the protocol. */
export function outcomesOf(call: BallotCall, response: ChaincodeResponse | undefined): readonly Outcome[] | string {
  if (response === undefined) return 'no chaincode response';
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(response.payload));
  } catch {
    return 'a result that is not JSON';
  }
  if (call.fn === 'CastBallot') {
    const single = CastBallotResultSchema.safeParse(value);
    return single.success ? [single.data] : `a result that does not fit the protocol (${firstIssue(single.error)})`;
  }
  const many = CastBallotsResultSchema.safeParse(value);
  if (!many.success) return `a result that does not fit the protocol (${firstIssue(many.error)})`;
  if (many.data.outcomes.length !== call.ballots.length) return `${many.data.outcomes.length} outcomes for ${call.ballots.length} ballots`;
  return many.data.outcomes.map((o) => ('receipt' in o ? o.receipt : null));
}

/** "voter 1a2b3c4d5e6f… at position 3" (or without a position for CastBallot). */
export const describeAsked = (b: Pick<AskedBallot, 'voterToken' | 'position'>): string =>
  `voter ${b.voterToken.slice(0, 12)}…${b.position === undefined ? '' : ` at position ${b.position}`}`;
