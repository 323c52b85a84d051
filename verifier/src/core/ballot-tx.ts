/**
 * Each ballot a valid transaction wrote, against the transaction itself (./ballot-call): it writes only the ballot
 * keys of ballots it asked for (CastBallot: one; CastBallots: one poll's, each at its position), each record being
 * exactly what the chaincode writes for that ballot (its poll and voter, the asked answers in canonical order, the
 * request id and time, the position, this transaction's id and time, the hash of its content); it writes every
 * ballot its result gives a new receipt, with that receipt's hash, and none that its result refuses. Any other
 * function that writes a ballot key is a finding too. A ballot refused inside a CastBallots transaction writes
 * nothing, so it is neither here nor in the recount.
 */
import { AnswersSchema, type Ballot, BallotSchema, ballotKey, parseKey } from '@poll-ledger/protocol';
import { compareCodeUnits, fromUtf8 } from './bytes';
import { ballotHash, canonicalJson } from './canonical';
import type { CryptoProvider } from './crypto';
import type { DecodedTx, KvWrite } from './decode';
import { type AskedBallot, type BallotCall, type Outcome, describeAsked, outcomesOf, readBallotCall } from './ballot-call';

export interface BallotTxFinding {
  /** The poll whose ballots it concerns: the written key's, else the call's. */
  readonly pollId: string;
  readonly blockNumber: number;
  readonly txId: string;
  readonly message: string;
}

const sortedAnswers = (answers: Readonly<Record<string, readonly string[]>>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(answers).map(([q, options]) => [q, [...options].sort(compareCodeUnits)]));

/** requestedAt as the chaincode stores it (toISOString); '' is none. */
const storedTime = (iso: string): string | undefined => (iso === '' ? undefined : Number.isNaN(Date.parse(iso)) ? iso : new Date(Date.parse(iso)).toISOString());

/** How a written record differs from the ballot asked for and the transaction that wrote it. */
export function recordMismatches(call: BallotCall, asked: AskedBallot, ballot: Ballot, tx: Pick<DecodedTx, 'txId' | 'timestamp'>, crypto: CryptoProvider): string[] {
  const answers = AnswersSchema.safeParse(asked.answers);
  const expected: Record<string, unknown> = {
    pollId: call.pollId,
    ballotId: asked.voterToken,
    answers: answers.success ? sortedAnswers(answers.data) : '(answers the chaincode refuses)',
    requestId: asked.requestId === '' ? undefined : asked.requestId,
    requestedAt: storedTime(asked.requestedAt),
    position: asked.position,
    txId: tx.txId,
    castAt: tx.timestamp ?? ballot.castAt,
  };
  const recorded: Record<string, unknown> = { ...ballot };
  const out = Object.keys(expected)
    .filter((field) => canonicalJson(recorded[field] ?? null) !== canonicalJson(expected[field] ?? null))
    .map((field) => `its ${field} is ${canonicalJson(recorded[field] ?? null)}, the transaction asked for ${canonicalJson(expected[field] ?? null)}`);
  if (ballotHash(ballot, crypto) !== ballot.ballotHash) out.push('its ballotHash is not the hash of its content');
  if (asked.requestedAt !== '' && Date.parse(asked.requestedAt) > Date.parse(tx.timestamp ?? '')) out.push(`it was requested at ${asked.requestedAt}, after its transaction's time: the chaincode refuses it`);
  return out;
}

function parseRecord(write: KvWrite): Ballot | undefined {
  try {
    const parsed = BallotSchema.safeParse(JSON.parse(fromUtf8(write.value)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** What is wrong with the ballots a transaction (taken as valid) wrote in `namespace`; [] for one that casts and writes none. */
export function ballotTxFindings(blockNumber: number, tx: DecodedTx, namespace: string, crypto: CryptoProvider): BallotTxFinding[] {
  const action = tx.action;
  if (action === undefined) return [];
  const writes = action.namespaces.find((ns) => ns.namespace === namespace)?.writes ?? [];
  const call = action.invokedChaincode === namespace ? readBallotCall(action) : undefined;
  const findings: BallotTxFinding[] = [];
  const note = (pollId: string, message: string): void => {
    findings.push({ pollId, blockNumber, txId: tx.txId, message: `block ${blockNumber} tx ${tx.index} (${action.functionName ?? '?'}): ${message}` });
  };
  const pollOf = (key: string): string | undefined => {
    const parsed = parseKey(key);
    return parsed.kind === 'other' ? undefined : parsed.pollId;
  };
  if (typeof call !== 'object') {
    for (const w of writes) {
      const pollId = pollOf(w.key);
      if (call !== undefined) note(pollId ?? '', `writes ${w.key} although ${call}`);
      else if (parseKey(w.key).kind === 'ballot') note(pollId ?? '', `writes ${w.key}, but only CastBallot and CastBallots write ballots`);
    }
    return findings;
  }
  const byKey = new Map<string, AskedBallot>();
  for (const b of call.ballots) if (!byKey.has(ballotKey(call.pollId, b.voterToken))) byKey.set(ballotKey(call.pollId, b.voterToken), b);
  const written = new Map<number, Ballot | undefined>();
  for (const w of writes) {
    const asked = byKey.get(w.key);
    const pollId = pollOf(w.key) ?? call.pollId;
    if (asked === undefined || asked.refusal !== undefined || written.has(asked.index) || w.isDelete) {
      const why = asked === undefined ? 'a key of no ballot it asked for' : asked.refusal !== undefined ? `the ballot of ${describeAsked(asked)}, which the chaincode refuses (${asked.refusal})` : w.isDelete ? 'a delete' : 'a second write of that key';
      note(pollId, `writes ${w.key}: ${why}`);
      continue;
    }
    const ballot = parseRecord(w);
    written.set(asked.index, ballot);
    if (ballot === undefined) note(pollId, `the ballot of ${describeAsked(asked)} it writes is not a ballot record of the protocol`);
    else for (const m of recordMismatches(call, asked, ballot, tx, crypto)) note(pollId, `the ballot of ${describeAsked(asked)} it writes: ${m}`);
  }
  for (const m of outcomeMismatches(call, outcomesOf(call, action.response), written, tx.txId)) note(call.pollId, m);
  return findings;
}

/** Written exactly when the result gives a new receipt, and with that receipt's hash and position. */
function outcomeMismatches(call: BallotCall, outcomes: readonly Outcome[] | string, written: ReadonlyMap<number, Ballot | undefined>, txId: string): string[] {
  if (typeof outcomes === 'string') return written.size === 0 ? [] : [`it writes ballots, but has ${outcomes}`];
  return call.ballots.flatMap((asked) => {
    const outcome = outcomes[asked.index] ?? null;
    const receipted = outcome !== null && !outcome.duplicate;
    const who = describeAsked(asked);
    if (!written.has(asked.index)) return receipted ? [`its result gives the ballot of ${who} a receipt, but it does not write it: a dropped ballot`] : [];
    if (!receipted) return [`it writes the ballot of ${who}, which its result ${outcome === null ? 'refuses' : 'answers as a retry'}`];
    const ballot = written.get(asked.index);
    if (ballot === undefined) return [];
    const stated = canonicalJson([outcome.pollId, outcome.ballotId, outcome.ballotHash, outcome.txId, outcome.position ?? null]);
    const actual = canonicalJson([ballot.pollId, ballot.ballotId, ballot.ballotHash, txId, asked.position ?? null]);
    return stated === actual ? [] : [`its receipt for the ballot of ${who} is ${stated}, but it writes ${actual}`];
  });
}
