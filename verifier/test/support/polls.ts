/**
 * A small poll ledger as the polls chaincode writes it (protocol key layout and records): the chaincode definition
 * committed through `_lifecycle`, a last-counts poll created, opened, voted on (with a re-vote), closed and tallied
 * with a range read over its ballots. Ballot hashes use the verifier's own canonical code, which the protocol
 * vectors prove separately (test/core/canonical.test.ts).
 */
import { type Ballot, type CastBallotResult, type Poll, ballotKey, ballotKeyPrefix, pollKey, tallyKey } from '@poll-ledger/protocol';
import { ballotHash, canonicalJson, chainNext, chainStart } from '../../src/core/canonical';
import { nobleProvider } from '../../src/core/crypto';
import type { Receipt } from '../../src/wire';
import { type ConfigSpec, and, or, raftConfig, signaturePolicy, who } from './fabric';
import { type BlockSigner, LedgerBuilder } from './ledger';
import { orgs, sha256 } from './pki';
import { type BuiltTx, type TxSpec, commitWrites, endorserTx } from './tx';

export const POLICY = and(or(who('ObserverMSP', 'peer'), who('WatchdogMSP', 'peer')), or(who('CityMSP', 'peer'), who('DeptMSP', 'peer')));
export const voter = (name: string): string => sha256(`voter:${name}`).toString('hex');

export function pollRecord(id: string, status: Poll['status']): Poll {
  return {
    id, title: `Poll ${id}`, description: '', ownerMsp: 'CityMSP', status,
    questions: [{ id: 'q1', text: 'Colour?', type: 'single', minChoices: 1, maxChoices: 1, options: [{ id: 'red', text: 'Red' }, { id: 'blue', text: 'Blue' }] }],
    opensAt: '2026-01-01T00:00:00.000Z', closesAt: '2026-12-31T00:00:00.000Z', revotePolicy: 'last-counts', resultsVisibility: 'after-close',
    createdTxId: sha256('create').toString('hex'), updatedTxId: sha256('update').toString('hex'),
  };
}

export interface PollLedger {
  readonly builder: LedgerBuilder;
  readonly blocks: Uint8Array[];
  readonly genesisHash: string;
  /** Receipts by voter name (alice's is her re-vote). */
  readonly receipts: Readonly<Record<string, Receipt & { block: number; index: number }>>;
  readonly aliceFirst: Receipt;
  readonly ballotBlock: number;
  readonly tallyBlock: number;
}

const admin = orgs.city.client;

export const timestampOf = (minute: number): string => `2026-06-01T12:${String(minute).padStart(2, '0')}:07.123Z`;

/** The ballot record the chaincode writes for `name` choosing `choice` in transaction `txId` at `minute`. */
export function ballotOf(pollId: string, name: string, choice: string, minute: number, txId: string, extra: Partial<Ballot> = {}): Ballot {
  const content = { pollId, ballotId: voter(name), answers: { q1: [choice] }, castAt: timestampOf(minute), txId };
  return { ...content, ballotHash: ballotHash(content, nobleProvider), ...extra };
}

/** The receipt the chaincode answers for a ballot it wrote (CastBallotResult). */
export const receiptOf = (ballot: Ballot, replaced = false): CastBallotResult => ({
  pollId: ballot.pollId, ballotId: ballot.ballotId, ballotHash: ballot.ballotHash, txId: ballot.txId, replaced, duplicate: false,
  ...(ballot.position === undefined ? {} : { position: ballot.position }),
});

/**
 * A transaction that names its own txId in what it writes and answers: the txId depends only on the nonce and the
 * creator, so it is built once to learn it, then for good.
 */
export function selfNamed<T>(seed: string, spec: Partial<TxSpec>, complete: (txId: string) => { spec: Partial<TxSpec>; extra: T }): BuiltTx & T {
  const nonce = Buffer.from(sha256(`${seed}-${Math.random()}`).subarray(0, 24));
  const { txId } = endorserTx({ ...spec, nonce });
  const done = complete(txId);
  return { ...endorserTx({ ...spec, nonce, ...done.spec }), ...done.extra };
}

/** A CastBallot transaction: reads the poll and the voter's key, writes the ballot (built so castAt = its timestamp). */
export function castBallot(b: LedgerBuilder, pollId: string, name: string, choice: string, minute: number, extra: Partial<TxSpec> = {}): BuiltTx & { ballot: Ballot } {
  const key = ballotKey(pollId, voter(name));
  const base = {
    fn: 'CastBallot',
    args: [pollId, voter(name), JSON.stringify({ q1: [choice] }), '', ''],
    timestamp: timestampOf(minute),
    reads: [{ key: pollKey(pollId), version: b.version(pollKey(pollId)) }, { key, version: b.version(key) }],
    ...extra,
  };
  return selfNamed(`${name}-${minute}`, base, (txId) => {
    const ballot = ballotOf(pollId, name, choice, minute, txId);
    const result = canonicalJson(receiptOf(ballot, b.version(key) !== undefined));
    // `extra.writes` stands for a forged write set (endorsed all the same).
    return { spec: { writes: extra.writes ?? [{ key, value: canonicalJson(ballot) }], result }, extra: { ballot } };
  });
}

export function pollTx(b: LedgerBuilder, poll: Poll, fn: string, extra: TxSpec['writes'] = []): TxSpec {
  return { fn, creator: admin, reads: [{ key: pollKey(poll.id), version: b.version(pollKey(poll.id)) }], writes: [{ key: pollKey(poll.id), value: canonicalJson(poll) }, ...extra] };
}

/** TallyPoll's final step: a range read over every ballot key, the tally state with done: true, the poll tallied. */
export function tallyTx(b: LedgerBuilder, poll: Poll, ballots: readonly Ballot[], override: Partial<{ ballotsRoot: string }> = {}): TxSpec {
  const sorted = [...ballots].sort((x, y) => (x.ballotId < y.ballotId ? -1 : 1));
  const counts: Record<string, Record<string, number>> = Object.fromEntries(poll.questions.map((q) => [q.id, Object.fromEntries(q.options.map((o) => [o.id, 0]))]));
  let root = chainStart(poll.id, nobleProvider);
  for (const ballot of sorted) {
    for (const [q, options] of Object.entries(ballot.answers)) for (const o of options) (counts[q] ?? {})[o] = ((counts[q] ?? {})[o] ?? 0) + 1;
    root = chainNext(root, ballot.ballotHash, nobleProvider);
  }
  const prefix = ballotKeyPrefix(poll.id);
  const state = { pollId: poll.id, cursor: '', done: true, ballotCount: sorted.length, counts, ballotsRoot: override.ballotsRoot ?? root };
  return {
    fn: 'TallyPoll',
    creator: admin,
    reads: [{ key: pollKey(poll.id), version: b.version(pollKey(poll.id)) }],
    ranges: [{ start: prefix, end: `${prefix}~`, reads: b.keys(prefix) }],
    writes: [{ key: tallyKey(poll.id), value: canonicalJson(state) }, { key: pollKey(poll.id), value: canonicalJson({ ...poll, status: 'tallied' }) }],
  };
}

export interface PollLedgerOptions {
  readonly config?: ConfigSpec;
  readonly signers?: readonly BlockSigner[];
}

/** Poll p1: alice votes red then re-votes blue, bob red, carol blue → red 1, blue 2. */
export function pollLedger(options: PollLedgerOptions = {}): PollLedger {
  const b = new LedgerBuilder(options.config ?? raftConfig, options.signers);
  b.addBlock([{ namespace: '_lifecycle', fn: 'CommitChaincodeDefinition', creator: orgs.city.admin, writes: commitWrites('polls', 1, signaturePolicy(POLICY)) }]);
  b.addBlock([pollTx(b, pollRecord('p1', 'draft'), 'CreatePoll')]);
  b.addBlock([pollTx(b, pollRecord('p1', 'open'), 'OpenPoll')]);
  const alice1 = castBallot(b, 'p1', 'alice', 'red', 1);
  const bob = castBallot(b, 'p1', 'bob', 'red', 2);
  const carol = castBallot(b, 'p1', 'carol', 'blue', 3);
  const ballotBlock = b.addBlock([alice1, bob, carol]);
  const alice2 = castBallot(b, 'p1', 'alice', 'blue', 9);
  const revoteBlock = b.addBlock([alice2]);
  const closed = pollRecord('p1', 'closed');
  b.addBlock([pollTx(b, closed, 'ClosePoll')]);
  const tallyBlock = b.addBlock([tallyTx(b, closed, [alice2.ballot, bob.ballot, carol.ballot])]);
  const receipt = (tx: { ballot: Ballot; txId: string }, block: number, index: number): Receipt & { block: number; index: number } =>
    ({ pollId: 'p1', ballotId: tx.ballot.ballotId, txId: tx.txId, ballotHash: tx.ballot.ballotHash, block, index });
  return {
    builder: b,
    blocks: b.blocks,
    genesisHash: b.genesisHash,
    receipts: { alice: receipt(alice2, revoteBlock, 0), bob: receipt(bob, ballotBlock, 1), carol: receipt(carol, ballotBlock, 2) },
    aliceFirst: receipt(alice1, ballotBlock, 0),
    ballotBlock,
    tallyBlock,
  };
}
