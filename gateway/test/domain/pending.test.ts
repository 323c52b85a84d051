import { z } from 'zod';
import { BallotService, CastOutcomeSchema, castBallotRenewer } from '../../src/domain/ballots';
import { IdempotencyStore } from '../../src/domain/idempotency';
import type { CommitStatus, TxRequest } from '../../src/domain/ledger';
import { PendingTransactions, adoptingLedger } from '../../src/domain/pending';
import { transactionStatus } from '../../src/domain/transactions';
import { ChaincodeError, CommitPendingError, ENVELOPE_FRESH_MS } from '../../src/errors';
import { memoryState } from '../../src/state/memory';
import { expect } from '../chai';
import { bytes, fakeLedger, hexOf, type FakeLedger } from '../fakes';
import { SECRET, castResult } from '../fixtures';
import { PENDING_OPTIONS } from './batched-service';

const OLD_TX = hexOf('old');
const NEW_TX = hexOf('new');
const ENVELOPE = Buffer.from('signed envelope');
const relay = 'ballot-relay' as const;

function committed(txId: string, blockNumber: number, valid = true, name = 'VALID'): CommitStatus {
  return { txId, validationCode: valid ? 0 : 11, validationCodeName: name, valid, blockNumber };
}

function pendingError(txId: string, ballotId: string, proposedAt: number): CommitPendingError {
  return new CommitPendingError(txId, { prepared: { envelope: ENVELOPE, result: bytes(castResult(ballotId, { txId })), proposedAt } });
}

describe('PendingTransactions: a 202 always resolves', () => {
  let ledger: FakeLedger;
  let now: number;
  let pending: PendingTransactions;
  let service: BallotService;
  const caller = { keyId: 'relay-key', role: relay };
  const ballot = { citizenId: 'citizen-1', answers: { q1: ['red'] } };

  beforeEach(() => {
    now = 1_000_000;
    ledger = fakeLedger();
    ledger.commitStatus.resolves(undefined);
    ledger.resubmit.resolves(undefined);
    const state = memoryState({ maxEntries: 100, now: () => now });
    pending = new PendingTransactions(ledger, state.pending, { CastBallot: castBallotRenewer(ledger, 10) }, { ...PENDING_OPTIONS, now: () => now });
    const store = new IdempotencyStore(state.idempotency(CastOutcomeSchema), { ttlMs: 600_000, leaseMs: 5_000, now: () => now });
    service = new BallotService(adoptingLedger(ledger, pending), store, { voterTokenSecret: SECRET, statusWaitMs: 10, now: () => now }, pending);
  });

  /** Casts a ballot whose submit ends with an unknown outcome: the 202 case. */
  async function castPending(): Promise<{ ballotId: string }> {
    let ballotId = '';
    ledger.submit.onFirstCall().callsFake((request: TxRequest) => {
      ballotId = request.args[1] ?? '';
      return Promise.reject(pendingError(OLD_TX, ballotId, now));
    });
    await expect(service.cast(caller, 'p1', ballot, 'key-1')).to.be.rejectedWith(CommitPendingError);
    return { ballotId };
  }

  async function sweepAfter(ms: number): Promise<number> {
    now += ms;
    return pending.sweep();
  }

  it('when the 202 transaction commits later, then its status URL ends COMMITTED with the receipt, and a retry replays it', async () => {
    const { ballotId } = await castPending();
    expect((await transactionStatus(ledger, pending, relay, OLD_TX, 10)).outcome).to.equal('PENDING');
    ledger.commitStatus.withArgs(relay, OLD_TX).resolves(committed(OLD_TX, 12));
    expect(await sweepAfter(1_000)).to.equal(1);
    const status = await transactionStatus(ledger, pending, relay, OLD_TX, 10);
    expect(status).to.include({ outcome: 'COMMITTED' });
    expect(status.receipt).to.deep.include({ txId: OLD_TX, blockNumber: 12, ballotId });
    const retry = await service.cast(caller, 'p1', ballot, 'key-1');
    expect(retry).to.deep.include({ replayed: true });
    expect(retry.receipt).to.deep.equal(status.receipt);
    expect(ledger.submit.callCount, 'the retry casts nothing new').to.equal(1);
  });

  it('when the orderer lost the envelope, then it is resubmitted as is, and after the last resubmit endorsed anew, and the status URL gives the new receipt', async () => {
    const { ballotId } = await castPending();
    await sweepAfter(1_000);
    await sweepAfter(2_000);
    expect(ledger.resubmit.args.map((args) => Buffer.from(args[1]).toString())).to.deep.equal(['signed envelope', 'signed envelope']);
    ledger.submit.resolves({ result: bytes(castResult(ballotId, { txId: NEW_TX })), txId: NEW_TX, blockNumber: 30 });
    await sweepAfter(4_000);
    expect(ledger.submit.callCount).to.equal(2);
    expect(ledger.submit.secondCall.args[0]).to.deep.equal(ledger.submit.firstCall.args[0]);
    const status = await transactionStatus(ledger, pending, relay, OLD_TX, 10);
    expect(status).to.include({ outcome: 'COMMITTED', committed: false });
    expect(status.receipt).to.deep.include({ txId: NEW_TX, blockNumber: 30, ballotId });
  });

  it('when the kept envelope is older than ENVELOPE_FRESH_MS, then it is never sent again (it would look backdated) but endorsed anew', async () => {
    const { ballotId } = await castPending();
    ledger.submit.resolves({ result: bytes(castResult(ballotId, { txId: NEW_TX })), txId: NEW_TX, blockNumber: 31 });
    await sweepAfter(ENVELOPE_FRESH_MS + 1);
    expect(ledger.resubmit.callCount).to.equal(0);
    expect((await transactionStatus(ledger, pending, relay, OLD_TX, 10)).receipt).to.deep.include({ txId: NEW_TX, blockNumber: 31 });
  });

  it('when the old transaction was invalidated (MVCC), then the request is endorsed anew at once', async () => {
    const { ballotId } = await castPending();
    ledger.commitStatus.withArgs(relay, OLD_TX).resolves(committed(OLD_TX, 13, false, 'MVCC_READ_CONFLICT'));
    ledger.submit.resolves({ result: bytes(castResult(ballotId, { txId: NEW_TX })), txId: NEW_TX, blockNumber: 14 });
    await sweepAfter(1_000);
    expect(ledger.resubmit.callCount).to.equal(0);
    expect((await transactionStatus(ledger, pending, relay, OLD_TX, 10)).receipt).to.deep.include({ txId: NEW_TX, blockNumber: 14 });
  });

  it('when the renewal finds the ballot already on the ledger (a retry carried it), then the receipt is that earlier one', async () => {
    const { ballotId } = await castPending();
    ledger.commitStatus.withArgs(relay, OLD_TX).resolves(committed(OLD_TX, 13, false, 'MVCC_READ_CONFLICT'));
    ledger.submit.resolves({ result: bytes(castResult(ballotId, { txId: NEW_TX, duplicate: true })), txId: hexOf('skipped') });
    ledger.commitStatus.withArgs(relay, NEW_TX).resolves(committed(NEW_TX, 9));
    await sweepAfter(1_000);
    expect((await transactionStatus(ledger, pending, relay, OLD_TX, 10)).receipt).to.deep.include({ txId: NEW_TX, blockNumber: 9 });
  });

  it('when the ledger refuses the renewal for good (the poll closed), then the status URL ends FAILED with the chaincode code', async () => {
    await castPending();
    ledger.commitStatus.withArgs(relay, OLD_TX).resolves(committed(OLD_TX, 13, false, 'MVCC_READ_CONFLICT'));
    ledger.submit.rejects(new ChaincodeError('POLL_NOT_OPEN', 'poll p1 is closed'));
    await sweepAfter(1_000);
    const status = await transactionStatus(ledger, pending, relay, OLD_TX, 10);
    expect(status).to.deep.include({ outcome: 'FAILED', error: { code: 'POLL_NOT_OPEN', message: 'poll p1 is closed' } });
  });

  it('when the renewal is pending again, then the status follows the new transaction to its end', async () => {
    const { ballotId } = await castPending();
    ledger.commitStatus.withArgs(relay, OLD_TX).resolves(committed(OLD_TX, 13, false, 'MVCC_READ_CONFLICT'));
    ledger.submit.rejects(pendingError(NEW_TX, ballotId, now));
    await sweepAfter(1_000);
    expect((await transactionStatus(ledger, pending, relay, OLD_TX, 10)).outcome).to.equal('PENDING');
    ledger.commitStatus.withArgs(relay, NEW_TX).resolves(committed(NEW_TX, 15));
    await sweepAfter(1_000);
    expect((await transactionStatus(ledger, pending, relay, OLD_TX, 10)).receipt).to.deep.include({ txId: NEW_TX, blockNumber: 15 });
  });

  it('when the ledger is unreachable while it works, then the record stays and is worked again later', async () => {
    await castPending();
    ledger.commitStatus.rejects(new Error('peer down'));
    await sweepAfter(1_000);
    expect(await pending.sweep(), 'not due again at once').to.equal(0);
    ledger.commitStatus.reset();
    ledger.commitStatus.withArgs(relay, OLD_TX).resolves(committed(OLD_TX, 16));
    await sweepAfter(5_000);
    expect((await transactionStatus(ledger, pending, relay, OLD_TX, 10)).outcome).to.equal('COMMITTED');
  });

  it('when a request the chaincode does not make idempotent is lost, then it ends FAILED NOT_COMMITTED, never renewed', async () => {
    const owner = new PendingTransactions(ledger, memoryState({ maxEntries: 1 }).pending, {}, {
      maxResubmits: 1,
      retryBaseMs: 1,
      statusWaitMs: 1,
      leaseMs: 1,
      batch: 1,
      concurrency: 1,
    });
    const open: TxRequest = { role: 'poll-admin', name: 'OpenPoll', args: ['p1'] };
    ledger.submit.rejects(new CommitPendingError(OLD_TX, { prepared: { envelope: ENVELOPE, result: bytes({}), proposedAt: Date.now() } }));
    await expect(adoptingLedger(ledger, owner).submit(open)).to.be.rejectedWith(CommitPendingError);
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await owner.sweep();
    }
    const status = await transactionStatus(ledger, owner, 'poll-admin', OLD_TX, 1);
    expect(status).to.include({ outcome: 'FAILED' });
    expect(status.error?.code).to.equal('NOT_COMMITTED');
    expect(ledger.submit.callCount).to.equal(1);
  });

  it('when many transactions are due, then a sweep works them several at a time, not one after the other', async () => {
    const owner = new PendingTransactions(ledger, memoryState({ maxEntries: 1 }).pending, {}, {
      maxResubmits: 4,
      retryBaseMs: 1,
      statusWaitMs: 1,
      leaseMs: 1_000,
      batch: 50,
      concurrency: 8,
    });
    for (let i = 0; i < 20; i++) {
      await owner.adopt({ role: relay, name: 'OpenPoll', args: [`p${String(i)}`] }, new CommitPendingError(hexOf(`t${String(i)}`), { prepared: { envelope: ENVELOPE, result: bytes({}), proposedAt: Date.now() } }));
    }
    let inFlight = 0;
    let most = 0;
    ledger.commitStatus.callsFake(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await owner.sweep()).to.equal(20);
    expect(most).to.equal(8);
  });

  it('when started, then it sweeps until stopped, and stopping waits for the sweep under way', async () => {
    const store = memoryState({ maxEntries: 1 }).pending;
    const owner = new PendingTransactions(ledger, store, {}, {
      maxResubmits: 0,
      retryBaseMs: 1,
      statusWaitMs: 1,
      leaseMs: 1_000,
      batch: 5,
      concurrency: 2,
    });
    await owner.adopt({ role: relay, name: 'OpenPoll', args: ['p1'] }, new CommitPendingError(OLD_TX, { prepared: { envelope: ENVELOPE, result: bytes({}), proposedAt: Date.now() } }));
    ledger.commitStatus.withArgs(relay, OLD_TX).resolves(committed(OLD_TX, 4));
    const stop = owner.start(1);
    // Read from the store, not through lookup(), which would resolve it on its own.
    for (let i = 0; i < 100 && (await store.get(OLD_TX))?.resolution === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await stop();
    expect((await store.get(OLD_TX))?.resolution).to.deep.include({ outcome: 'committed', blockNumber: 4 });
  });

  it('when a transaction was never answered 202, then its status is the ledger’s alone', async () => {
    ledger.commitStatus.resolves(committed(OLD_TX, 3));
    expect(z.object({ outcome: z.string() }).parse(await transactionStatus(ledger, pending, relay, OLD_TX, 10)).outcome).to.equal('COMMITTED');
  });
});
