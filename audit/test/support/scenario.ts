/**
 * A small ledger with records of the protocol's shapes (protocol/src/records.ts). Ballot hashes and the on-ledger tally
 * are made with the auditor's own hash functions: that they agree with the chaincode's is what the protocol vectors
 * prove (test/vectors.test.ts), not these fixtures.
 */
import { type Ballot, type CastBallotResult, type Poll, ballotKey, pollKey, pollStatusKey, tallyKey } from '@poll-ledger/protocol';
import { createHash } from 'node:crypto';
import { compareCodeUnits } from '../../src/canonical';
import { ballotHashOf, chainNext, chainStart } from '../../src/recompute';
import { or, who } from './config-builder';
import { Codes, LedgerBuilder, type Signer, type TxSpec, newTxId, ordererSigner } from './ledger-builder';
import { orgs } from './pki';
import { approveTx, commitTx } from './tx-builder';

export type Answers = Record<string, string[]>;

export const voter = (name: string): string => createHash('sha256').update(`voter:${name}`).digest('hex');
/** A fixed, well-formed transaction id. */
export const txIdOf = (seed: string): string => createHash('sha256').update(`tx:${seed}`).digest('hex');

export function pollRecord(id: string, revotePolicy: 'none' | 'last-counts', status: Poll['status'] = 'draft'): Poll {
  return {
    id,
    title: `Poll ${id}`,
    description: '',
    ownerMsp: 'CityMSP',
    questions: [
      {
        id: 'q1', text: 'Colour?', type: 'single', minChoices: 1, maxChoices: 1,
        options: [{ id: 'red', text: 'Red' }, { id: 'green', text: 'Green' }, { id: 'blue', text: 'Blue' }],
      },
      {
        id: 'q2', text: 'Extras?', type: 'multi', minChoices: 0, maxChoices: 2,
        options: [{ id: 'wifi', text: 'Wi-Fi' }, { id: 'usb', text: 'USB' }, { id: 'ac', text: 'AC' }],
      },
    ],
    opensAt: '2026-01-01T00:00:00.000Z',
    closesAt: '2026-12-31T00:00:00.000Z',
    revotePolicy,
    resultsVisibility: 'after-close',
    status,
    createdTxId: txIdOf(`create ${id}`),
    updatedTxId: txIdOf(`update ${id}`),
  };
}

export function ballotRecord(pollId: string, ballotId: string, answers: Answers, txId: string, castAt: string): Ballot {
  const content = { pollId, ballotId, answers, castAt, txId };
  return { ...content, ballotHash: ballotHashOf(content) };
}

/** A ballot transaction's timestamp: minute `minute` of 2026-06-01T12. */
export const timestampAt = (minute = 0): string => `2026-06-01T12:${String(minute).padStart(2, '0')}:07.123Z`;

/** The receipt the chaincode answers for a ballot it wrote (CastBallotResult; with its position when batched). */
export function receiptOf(ballot: Ballot, replaced = false): CastBallotResult {
  const { pollId, ballotId, ballotHash, txId, position } = ballot;
  return { pollId, ballotId, ballotHash, txId, replaced, duplicate: false, ...(position === undefined ? {} : { position }) };
}

export interface CastOptions {
  readonly code?: number;
  readonly minute?: number;
  /** CastBallot's requestedAt argument (stored form); '' by default. */
  readonly requestedAt?: string;
  /** The result says it replaced an earlier ballot of the voter. */
  readonly replaced?: boolean;
}

/** One CastBallot transaction, with its arguments and result; the record's castAt and txId are the transaction's own. */
export function castTx(pollId: string, name: string, answers: Answers, options: CastOptions = {}): TxSpec & { ballot: Ballot } {
  const txId = newTxId();
  const timestamp = timestampAt(options.minute);
  const requestedAt = options.requestedAt ?? '';
  const ballot = { ...ballotRecord(pollId, voter(name), answers, txId, timestamp), ...(requestedAt === '' ? {} : { requestedAt }) };
  return {
    txId,
    fn: 'CastBallot',
    args: [pollId, ballot.ballotId, JSON.stringify(answers), '', requestedAt],
    result: receiptOf(ballot, options.replaced),
    timestamp,
    ...(options.code === undefined ? {} : { code: options.code }),
    writes: [{ key: ballotKey(pollId, ballot.ballotId), value: ballot }],
    ballot,
  };
}

export function pollTx(poll: Poll, fn: string, extra: TxSpec['writes'] = []): TxSpec {
  return { fn, writes: [{ key: pollKey(poll.id), value: poll }, ...extra] };
}

/** The final TallyPoll step: the tally state with done: true, and the poll marked tallied, in one transaction. */
export function tallyTx(poll: Poll, ballots: readonly Ballot[]): TxSpec {
  const sorted = [...ballots].sort((a, b) => compareCodeUnits(a.ballotId, b.ballotId));
  const counts = Object.fromEntries(poll.questions.map((q) => [q.id, Object.fromEntries(q.options.map((o) => [o.id, 0]))]));
  let ballotsRoot = chainStart(poll.id);
  for (const ballot of sorted) {
    for (const [questionId, optionIds] of Object.entries(ballot.answers)) {
      optionIds.forEach((o) => {
        const question = counts[questionId];
        if (question !== undefined) question[o] = (question[o] ?? 0) + 1;
      });
    }
    ballotsRoot = chainNext(ballotsRoot, ballot.ballotHash);
  }
  const last = sorted.at(-1);
  const cursor = last === undefined ? '' : ballotKey(poll.id, last.ballotId);
  const state = { pollId: poll.id, cursor, done: true, ballotCount: sorted.length, counts, ballotsRoot };
  return {
    fn: 'TallyPoll',
    writes: [
      { key: tallyKey(poll.id), value: state },
      { key: pollKey(poll.id), value: { ...poll, status: 'tallied' } },
    ],
  };
}

export interface Scenario {
  readonly builder: LedgerBuilder;
  readonly blocks: Uint8Array[];
  /** The ballot of alice's re-vote on the last-counts poll, and the block it is in. */
  readonly revote: { readonly ballot: Ballot; readonly block: number };
  readonly firstVote: { readonly ballot: Ballot; readonly block: number };
  /** The block holding the last-counts poll's final tally. */
  readonly tallyBlock: number;
}

/**
 * Polls `lc` (last-counts, tallied), `nv` (none, tallied) and `op` (still open). Alice re-votes on `lc`; a conflicting
 * ballot (MVCC) and an under-endorsed ballot are in blocks but invalid, as are a second ballot by dave on `nv`.
 *   lc: alice {blue; usb}, bob {green}, carol {blue; wifi}   → red 0, green 1, blue 2; wifi 1, usb 1, ac 0
 *   nv: dave {red}
 */
export function scenario(signer: Signer = ordererSigner): Scenario {
  const b = new LedgerBuilder(signer);
  const lc = pollRecord('lc', 'last-counts');
  const nv = pollRecord('nv', 'none');
  const op = pollRecord('op', 'none');
  b.addBlock([lc, nv, op].map((p) => pollTx(p, 'CreatePoll', [{ key: pollStatusKey('draft', p.id), value: {} }])));
  const open = (p: Poll): Poll => ({ ...p, status: 'open' });
  b.addBlock([lc, nv, op].map((p) => pollTx(open(p), 'OpenPoll')));

  const alice1 = castTx('lc', 'alice', { q1: ['red'], q2: [] });
  const bob = castTx('lc', 'bob', { q1: ['green'], q2: [] });
  const carol = castTx('lc', 'carol', { q1: ['blue'], q2: ['wifi'] });
  const dave = castTx('nv', 'dave', { q1: ['red'], q2: [] });
  const erin = castTx('lc', 'erin', { q1: ['red'], q2: ['ac'] }, { code: Codes.MVCC_READ_CONFLICT });
  const frank = castTx('nv', 'frank', { q1: ['blue'], q2: [] }, { code: Codes.ENDORSEMENT_POLICY_FAILURE });
  const gina = castTx('op', 'gina', { q1: ['green'], q2: ['usb', 'wifi'] });
  const firstBlock = b.addBlock([alice1, bob, carol, dave, erin, frank, gina]);

  const alice2 = castTx('lc', 'alice', { q1: ['blue'], q2: ['usb'] }, { minute: 5, replaced: true });
  const dave2 = castTx('nv', 'dave', { q1: ['green'], q2: [] }, { code: Codes.MVCC_READ_CONFLICT, minute: 5 });
  const revoteBlock = b.addBlock([alice2, dave2]);

  const closed = (p: Poll): Poll => ({ ...p, status: 'closed' });
  b.addBlock([pollTx(closed(lc), 'ClosePoll'), pollTx(closed(nv), 'ClosePoll')]);
  const tallyBlock = b.addBlock([tallyTx(closed(lc), [alice2.ballot, bob.ballot, carol.ballot]), tallyTx(closed(nv), [dave.ballot])]);
  return {
    builder: b,
    blocks: b.blocks,
    revote: { ballot: alice2.ballot, block: revoteBlock },
    firstVote: { ballot: alice1.ballot, block: firstBlock },
    tallyBlock,
  };
}

export interface RulesScenario {
  readonly blocks: Uint8Array[];
  /** Blocks of: the observer-approved config update, City + Dept's policy change, the two chaincode commits. */
  readonly approvedConfig: number;
  readonly cityDeptConfig: number;
  readonly approvedCommit: number;
  readonly cityOnlyCommit: number;
}

/**
 * The city administration changing the rules while poll `gov` is open. The observer co-signs a batch timeout change;
 * City and Dept admins alone then make /Channel/Application/Admins theirs; the chaincode is redefined once with the
 * observer's endorsement (after approvals) and once by City alone. Poll `late` opens only after all that.
 * Every transaction is VALID: the peers accepted them all.
 */
export function rulesScenario(): RulesScenario {
  const b = new LedgerBuilder();
  const gov = pollRecord('gov', 'none');
  const late = pollRecord('late', 'none');
  b.addBlock([pollTx({ ...gov, status: 'open' }, 'OpenPoll'), pollTx(late, 'CreatePoll')]);
  b.addBlock([castTx('gov', 'alice', { q1: ['red'], q2: [] })]);
  const approvedConfig = b.addConfigBlock({ batchTimeout: '5s' }, { signers: [orgs.observer.admin, orgs.city.admin], submitter: orgs.city.admin });
  const cityOnly = { 'Application/Admins': or(who('CityMSP', 'admin'), who('DeptMSP', 'admin')) };
  const cityDeptConfig = b.addConfigBlock({ batchTimeout: '5s', policies: cityOnly }, { signers: [orgs.city.admin, orgs.dept.admin] });
  b.addBlock([approveTx(orgs.city.peer), approveTx(orgs.observer.peer)]);
  const policy = or(who('CityMSP', 'peer'), who('ObserverMSP', 'peer'));
  const approvedCommit = b.addBlock([commitTx('polls', 2, policy, [orgs.observer.peer, orgs.city.peer])]);
  const cityOnlyCommit = b.addBlock([commitTx('polls', 3, who('CityMSP', 'peer'), [orgs.city.peer])]);
  b.addBlock([pollTx({ ...gov, status: 'closed' }, 'ClosePoll'), pollTx({ ...late, status: 'open' }, 'OpenPoll')]);
  b.addBlock([castTx('late', 'bob', { q1: ['blue'], q2: [] })]);
  return { blocks: b.blocks, approvedConfig, cityDeptConfig, approvedCommit, cityOnlyCommit };
}
