import { status as GrpcStatus } from '@grpc/grpc-js';
import { EndorseError, StatusCode, type Status } from '@hyperledger/fabric-gateway';
import sinon from 'sinon';
import { ApiError, ChaincodeError, CommitPendingError, ENVELOPE_FRESH_MS, TransactionInvalidError } from '../../src/errors';
import { submitWithRetry, type CommitLike, type TransactionLike } from '../../src/fabric/submit';
import type { FabricInstruments, FabricStage } from '../../src/metrics';
import { expect } from '../chai';
import { serviceError } from '../fakes';
import { payloadMessage } from './peer-errors';

const RESULT = Buffer.from('{"ok":true}');
const ENVELOPE = Buffer.from('signed envelope');
const POLICY = { mvccRetries: 2, resubmitRetries: 2 };

function committed(code: number, blockNumber = 9n): CommitLike {
  return { getStatus: () => Promise.resolve<Status>({ code: code as Status['code'], successful: code === 0, blockNumber, transactionId: 'tx' }) };
}

/** A stub of fabric-gateway's Transaction: `submit` answers are scripted per call. */
function transaction(txId: string, ...submits: (CommitLike | Error)[]) {
  const submit = sinon.stub<[], Promise<CommitLike>>();
  submits.forEach((answer, i) => submit.onCall(i).callsFake(() => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer))));
  const tx: TransactionLike & { submit: typeof submit } = { getTransactionId: () => txId, getResult: () => RESULT, getBytes: () => ENVELOPE, submit };
  return tx;
}

/** Stubs Contract.newProposal: each call endorses to the next transaction. */
function proposals(...transactions: TransactionLike[]) {
  const newProposal = sinon.stub();
  transactions.forEach((tx, i) => newProposal.onCall(i).returns({ endorse: () => Promise.resolve(tx) }));
  return newProposal;
}

function instruments() {
  const stages: FabricStage[] = [];
  const retry = sinon.spy();
  const value: FabricInstruments = {
    stage: (stage, work) => {
      stages.push(stage);
      return work();
    },
    retry,
  };
  return { value, stages, retry };
}

describe('submitWithRetry', () => {
  it('when everything succeeds, then it endorses, submits and waits once, returning the block number', async () => {
    const tx = transaction('tx1', committed(StatusCode.VALID, 9n));
    const probe = instruments();
    const outcome = await submitWithRetry(proposals(tx), POLICY, probe.value);
    expect(outcome).to.deep.equal({ result: RESULT, txId: 'tx1', blockNumber: 9 });
    expect(probe.stages).to.deep.equal(['endorse', 'submit', 'commit_status']);
  });

  it('when the commit is an MVCC_READ_CONFLICT, then a NEW proposal is endorsed and submitted', async () => {
    const first = transaction('tx1', committed(StatusCode.MVCC_READ_CONFLICT));
    const second = transaction('tx2', committed(StatusCode.VALID));
    const newProposal = proposals(first, second);
    const probe = instruments();
    const outcome = await submitWithRetry(newProposal, POLICY, probe.value);
    expect(outcome.txId).to.equal('tx2');
    expect(newProposal.callCount).to.equal(2);
    expect(probe.retry.args).to.deep.equal([['mvcc']]);
  });

  it('when read conflicts outlast the retries, then it is LEDGER_CONFLICT after mvccRetries + 1 proposals', async () => {
    const txs = [1, 2, 3].map((n) => transaction(`tx${n}`, committed(StatusCode.PHANTOM_READ_CONFLICT)));
    const newProposal = proposals(...txs);
    const error = await submitWithRetry(newProposal, POLICY, instruments().value).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(TransactionInvalidError).and.include({ code: 'LEDGER_CONFLICT', txId: 'tx3' });
    expect(newProposal.callCount).to.equal(3);
  });

  it('when the caller re-proposes read conflicts itself (retryReadConflicts false), then the first conflict is LEDGER_CONFLICT at once', async () => {
    const newProposal = proposals(transaction('tx1', committed(StatusCode.MVCC_READ_CONFLICT)), transaction('tx2', committed(StatusCode.VALID)));
    const probe = instruments();
    const error = await submitWithRetry(newProposal, POLICY, probe.value, { retryReadConflicts: false }).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(TransactionInvalidError).and.include({ code: 'LEDGER_CONFLICT', txId: 'tx1' });
    expect(newProposal.callCount).to.equal(1);
    expect(probe.retry.called).to.equal(false);
  });

  it('when the commit fails the endorsement policy, then it is not retried', async () => {
    const newProposal = proposals(transaction('tx1', committed(StatusCode.ENDORSEMENT_POLICY_FAILURE)));
    const error = await submitWithRetry(newProposal, POLICY, instruments().value).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(TransactionInvalidError).and.include({ code: 'TRANSACTION_INVALID', validationCode: 'ENDORSEMENT_POLICY_FAILURE' });
    expect(newProposal.callCount).to.equal(1);
  });

  it('when skipCommitIf throws on the endorsed result, then the error is thrown and nothing is submitted', async () => {
    const tx = transaction('tx1');
    const refuse = () => {
      throw new Error('result breaks the protocol');
    };
    await expect(submitWithRetry(proposals(tx), POLICY, instruments().value, { skipCommitIf: refuse })).to.be.rejectedWith('breaks the protocol');
    expect(tx.submit.called).to.equal(false);
  });

  it('when the submit times out, then the SAME signed transaction is submitted again', async () => {
    const tx = transaction('tx1', serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline'), committed(StatusCode.VALID));
    const newProposal = proposals(tx);
    const probe = instruments();
    const outcome = await submitWithRetry(newProposal, POLICY, probe.value);
    expect(outcome.txId).to.equal('tx1');
    expect(tx.submit.callCount).to.equal(2);
    expect(newProposal.callCount).to.equal(1);
    expect(probe.retry.args).to.deep.equal([['resubmit']]);
  });

  it('when waiting for the commit status times out, then the same transaction is resubmitted', async () => {
    const lost: CommitLike = { getStatus: () => Promise.reject(serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline')) };
    const tx = transaction('tx1', lost, committed(StatusCode.VALID, 4n));
    expect((await submitWithRetry(proposals(tx), POLICY, instruments().value)).blockNumber).to.equal(4);
    expect(tx.submit.callCount).to.equal(2);
  });

  it('when the outcome stays unknown after every resubmit, then it is CommitPendingError with the txId', async () => {
    const timeout = serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline');
    const tx = transaction('tx1', timeout, timeout, timeout);
    const error = await submitWithRetry(proposals(tx), POLICY, instruments().value).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(CommitPendingError).and.include({ txId: 'tx1', statusUrl: '/v1/transactions/tx1' });
    expect(tx.submit.callCount).to.equal(3);
  });

  it('when the orderer is unavailable on every attempt, then the outcome is unknown (BFT may have taken it): CommitPendingError with the envelope', async () => {
    const down = serviceError(GrpcStatus.UNAVAILABLE, 'insufficient number of orderers could successfully process transaction');
    const tx = transaction('tx1', down, down, down);
    const error = await submitWithRetry(proposals(tx), POLICY, instruments().value).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(CommitPendingError).and.include({ txId: 'tx1' });
    expect((error as CommitPendingError).prepared).to.deep.include({ envelope: ENVELOPE, result: RESULT });
  });

  it('when the envelope has grown older than ENVELOPE_FRESH_MS, then it is not sent again: CommitPendingError, to be endorsed anew', async () => {
    const clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    try {
      const tx = transaction('tx1');
      tx.submit.callsFake(() => {
        clock.tick(ENVELOPE_FRESH_MS + 1);
        return Promise.reject(serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline'));
      });
      const error = await submitWithRetry(proposals(tx), POLICY, instruments().value).catch((err: unknown) => err);
      expect(error).to.be.instanceOf(CommitPendingError).and.include({ txId: 'tx1' });
      expect((error as CommitPendingError).prepared?.proposedAt).to.equal(1_000_000);
      expect(tx.submit.callCount).to.equal(1);
    } finally {
      clock.restore();
    }
  });

  it('when the first submit is refused for a non-transient reason, then it is mapped at once without resubmitting', async () => {
    const tx = transaction('tx1', serviceError(GrpcStatus.PERMISSION_DENIED, 'no'));
    const error = await submitWithRetry(proposals(tx), POLICY, instruments().value).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(ApiError).and.not.be.instanceOf(CommitPendingError);
    expect(tx.submit.callCount).to.equal(1);
  });

  it('when the submit went through but the commit status fails other than by a timeout, then it is 202-pending, never "nothing was committed"', async () => {
    const broken: CommitLike = { getStatus: () => Promise.reject(serviceError(GrpcStatus.INTERNAL, 'stream reset')) };
    const tx = transaction('tx1', broken, broken, broken);
    const error = await submitWithRetry(proposals(tx), POLICY, instruments().value).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(CommitPendingError).and.include({ txId: 'tx1' });
  });

  it('when the chaincode refuses at endorsement, then the typed error is thrown and nothing is submitted', async () => {
    const refusal = new EndorseError({
      code: GrpcStatus.ABORTED,
      message: 'failed to endorse transaction',
      details: [{ address: 'peer0:7051', mspId: 'CityMSP', message: `chaincode response 500, ${payloadMessage('ALREADY_VOTED', 'this voter already voted')}` }],
      cause: serviceError(GrpcStatus.ABORTED, 'failed to endorse'),
      transactionId: 'tx1',
    });
    const newProposal = sinon.stub().returns({ endorse: () => Promise.reject(refusal) });
    const error = await submitWithRetry(newProposal, POLICY, instruments().value).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(ChaincodeError).and.include({ code: 'ALREADY_VOTED' });
  });

  it('when skipCommitIf accepts the endorsed result, then it is returned without a submit', async () => {
    const tx = transaction('tx1');
    const outcome = await submitWithRetry(proposals(tx), POLICY, instruments().value, { skipCommitIf: () => true });
    expect(outcome).to.deep.equal({ result: RESULT, txId: 'tx1' });
    expect(tx.submit.called).to.equal(false);
  });
});
