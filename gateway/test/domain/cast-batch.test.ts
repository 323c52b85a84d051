import type { BallotRequest } from '@poll-ledger/protocol';
import type { SendBallots } from '../../src/domain/ballot-batches';
import type { CastOutcome } from '../../src/domain/cast';
import { castBallotsSender } from '../../src/domain/cast-batch';
import type { SubmitOptions, TxRequest } from '../../src/domain/ledger';
import { ChaincodeError, CommitPendingError, LedgerUnavailableError, TransactionInvalidError, refusalOf } from '../../src/errors';
import { expect } from '../chai';
import { fakeCastLedger, type FakeCastLedger } from '../fake-chaincode';
import { bytes, fakeLedger, hexOf } from '../fakes';

const relay = 'ballot-relay' as const;

function ballot(voter: string, answer = 'red', request = voter): BallotRequest {
  return { voterToken: hexOf(voter), answers: { q1: [answer] }, requestId: hexOf(`request ${request}`), requestedAt: '2026-05-01T08:00:00.000Z' };
}

/** Each ballot's answer: its receipt, or its error's code. */
function answers(settled: readonly PromiseSettledResult<CastOutcome>[]): unknown[] {
  return settled.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as { code?: string }).code));
}

function receipt(voter: string, txId: string, blockNumber: number, position?: number) {
  return { pollId: 'p1', ballotId: hexOf(voter), txId, blockNumber, ballotHash: hexOf(`hash ${hexOf(`request ${voter}`)}`), ...(position === undefined ? {} : { position }) };
}

describe('castBallotsSender: one CastBallots transaction, an answer per ballot', () => {
  let fake: FakeCastLedger;
  let send: SendBallots;
  const instruments = { reproposed: (count: number) => { reproposedBallots += count; } };
  let reproposedBallots = 0;

  beforeEach(() => {
    fake = fakeCastLedger();
    reproposedBallots = 0;
    send = castBallotsSender(fake.ledger, { statusWaitMs: 10, mvccRetries: 2, instruments });
  });

  /** Writes the ballot of `voter` in a transaction of its own first: later sends of it are duplicates. */
  async function castEarlier(voter: string): Promise<string> {
    const [earlier] = await send(relay, 'p1', [ballot(voter)]);
    if (earlier?.status !== 'fulfilled') throw new Error('not cast');
    return earlier.value.receipt.txId;
  }

  it('when a batch holds new ballots, a refused one and a duplicate, then each gets its own answer', async () => {
    const earlierTx = await castEarlier('d');
    const settled = await send(relay, 'p1', [ballot('a'), ballot('b', 'bad'), ballot('d'), ballot('c')]);
    const txId = hexOf('tx 2');
    expect(answers(settled)).to.deep.equal([
      { receipt: receipt('a', txId, 12, 0), replayed: false },
      'INVALID_ANSWER',
      { receipt: receipt('d', earlierTx, 11, 0), replayed: true },
      { receipt: receipt('c', txId, 12, 3), replayed: false },
    ]);
    const refused: unknown = settled[1]?.status === 'rejected' ? settled[1].reason : undefined;
    expect(refused, 'the same error as CastBallot’s refusal').to.deep.equal(refusalOf({ code: 'INVALID_ANSWER', message: 'the question has no such option', details: { subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'bad' } }));
    expect(refused).to.be.instanceOf(ChaincodeError).and.deep.include({ details: { reason: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'bad' } });
    expect(Object.fromEntries(fake.writes)).to.deep.equal({ [hexOf('d')]: 1, [hexOf('a')]: 1, [hexOf('c')]: 1 });
  });

  it('when every ballot is a duplicate or refused, then the transaction writes nothing and is not ordered', async () => {
    await castEarlier('d');
    const settled = await send(relay, 'p1', [ballot('d'), ballot('e', 'bad')]);
    expect(answers(settled)).to.deep.equal([{ receipt: receipt('d', hexOf('tx 1'), 11, 0), replayed: true }, 'INVALID_ANSWER']);
    expect(await fake.ledger.commitStatus(relay, hexOf('tx 2'), 1)).to.equal(undefined);
  });

  it('when the poll is not open, then each ballot is cast alone, so a retried one still gets its receipt as with CastBallot', async () => {
    await castEarlier('d');
    fake.pollOpen = false;
    const settled = await send(relay, 'p1', [ballot('d'), ballot('e')]);
    expect(answers(settled)).to.deep.equal([{ receipt: receipt('d', hexOf('tx 1'), 11, 0), replayed: true }, 'POLL_NOT_OPEN']);
    expect(fake.endorsed.map((call) => call.name)).to.deep.equal(['CastBallots', 'CastBallots', 'CastBallot', 'CastBallot']);
  });

  it('when the whole transaction is refused or fails, then every ballot gets that error', async () => {
    const ledger = fakeLedger();
    const failures = [refusalOf({ code: 'NOT_FOUND', message: 'poll p9 does not exist' }), new LedgerUnavailableError('the ledger is not reachable')];
    for (const failure of failures) {
      ledger.submit.rejects(failure);
      const settled = await castBallotsSender(ledger, { statusWaitMs: 10, mvccRetries: 2 })(relay, 'p9', [ballot('a'), ballot('b')]);
      expect(settled.map((result): unknown => (result.status === 'rejected' ? result.reason : result))).to.deep.equal([failure, failure]);
    }
  });

  it('when a racing ballot of one voter invalidates the transaction (MVCC), then only the ballots it would have written go again, each written once', async () => {
    await castEarlier('d');
    let raced = false;
    fake.beforeCommit = () => {
      if (!raced) fake.writeElsewhere(hexOf('b'), hexOf('request b elsewhere'));
      raced = true;
    };
    const settled = await send(relay, 'p1', [ballot('a'), ballot('b'), ballot('e', 'bad'), ballot('d'), ballot('c')]);
    expect(fake.endorsed.map((call) => call.voters.length), 'the refused and the duplicate are not sent again').to.deep.equal([1, 5, 3]);
    expect(answers(settled)).to.deep.equal([
      { receipt: receipt('a', hexOf('tx 3'), 14, 0), replayed: false },
      'ALREADY_VOTED',
      'INVALID_ANSWER',
      { receipt: receipt('d', hexOf('tx 1'), 11, 0), replayed: true },
      { receipt: receipt('c', hexOf('tx 3'), 14, 2), replayed: false },
    ]);
    expect([...fake.writes.values()], 'no ballot written twice').to.deep.equal([1, 1, 1, 1]);
    expect(reproposedBallots).to.equal(3);
    expect(fake.ledger.submit.getCalls().map((call) => call.args[1]?.retryReadConflicts)).to.deep.equal([false, false, false]);
  });

  it('when read conflicts outlast mvccRetries, then the ballots it would have written get LEDGER_CONFLICT', async () => {
    const ledger = fakeLedger();
    ledger.submit.callsFake(async (request: TxRequest, options?: SubmitOptions) => {
      await Promise.resolve();
      const sent = JSON.parse(request.args[1] ?? '[]') as BallotRequest[];
      const outcomes = sent.map((item) =>
        item.voterToken === hexOf('e')
          ? { error: { code: 'ALREADY_VOTED', message: 'voted' } }
          : { receipt: { pollId: 'p1', ballotId: item.voterToken, ballotHash: hexOf('h'), txId: hexOf('t'), replaced: false, duplicate: false } },
      );
      options?.skipCommitIf?.(bytes({ pollId: 'p1', txId: hexOf('t'), outcomes }));
      throw new TransactionInvalidError(hexOf('t'), 'MVCC_READ_CONFLICT', true);
    });
    const settled = await castBallotsSender(ledger, { statusWaitMs: 10, mvccRetries: 2 })(relay, 'p1', [ballot('a'), ballot('b'), ballot('e')]);
    expect(answers(settled)).to.deep.equal(['LEDGER_CONFLICT', 'LEDGER_CONFLICT', 'ALREADY_VOTED']);
    expect(ledger.submit.getCalls().map((call) => JSON.parse(call.args[0].args[1] ?? '[]') as unknown[]).map((sent) => sent.length)).to.deep.equal([3, 2, 2]);
  });

  it('when the commit status is unknown, then each written ballot is pending with its position in the transaction, and refusals are answered', async () => {
    fake.plan.push('pending');
    const settled = await send(relay, 'p1', [ballot('e', 'bad'), ballot('a'), ballot('b')]);
    expect(answers(settled)[0]).to.equal('INVALID_ANSWER');
    const pending = settled.slice(1).map((result): unknown => (result.status === 'rejected' ? result.reason : undefined));
    for (const [index, err] of pending.entries()) {
      expect(err).to.be.instanceOf(CommitPendingError).and.include({ txId: hexOf('tx 1'), position: index + 1 });
      expect((err as CommitPendingError).statusUrl).to.equal(`/v1/transactions/${hexOf('tx 1')}?position=${String(index + 1)}`);
    }
  });

  it('when the ledger reports an unknown fate without running the skip check, then the kept endorsement still gives each ballot its position', async () => {
    const pendingTxId = hexOf('lost');
    const submit = async (request: TxRequest): Promise<never> => {
      // The endorsement as the peer gives it, not ordered: the result a pending transaction keeps.
      let result: Uint8Array = new Uint8Array();
      await fake.ledger.submit(request, { skipCommitIf: (endorsed) => { result = endorsed; return true; } });
      throw new CommitPendingError(pendingTxId, { prepared: { envelope: bytes('envelope'), result, proposedAt: 0 } });
    };
    send = castBallotsSender({ ...fake.ledger, submit }, { statusWaitMs: 10, mvccRetries: 2 });
    const settled = await send(relay, 'p1', [ballot('e', 'bad'), ballot('a')]);
    expect(answers(settled)[0]).to.equal('INVALID_ANSWER');
    const err: unknown = settled[1]?.status === 'rejected' ? settled[1].reason : undefined;
    expect(err).to.be.instanceOf(CommitPendingError).and.include({ txId: pendingTxId, position: 1 });
  });

  it('when the chaincode answers with other outcomes than ballots, then every ballot gets LEDGER_BAD_RESPONSE and nothing is ordered', async () => {
    const ledger = fakeLedger();
    const outcomes = [{ receipt: { pollId: 'p1', ballotId: hexOf('a'), ballotHash: hexOf('h'), txId: hexOf('t'), replaced: false, duplicate: false } }];
    ledger.submit.callsFake(async (_request, options?: { skipCommitIf?: (result: Uint8Array) => boolean }) => {
      await Promise.resolve();
      options?.skipCommitIf?.(bytes({ pollId: 'p1', txId: hexOf('t'), outcomes }));
      throw new Error('ordered');
    });
    const settled = await castBallotsSender(ledger, { statusWaitMs: 10, mvccRetries: 2 })(relay, 'p1', [ballot('a'), ballot('b')]);
    expect(answers(settled)).to.deep.equal(['LEDGER_BAD_RESPONSE', 'LEDGER_BAD_RESPONSE']);
  });
});
