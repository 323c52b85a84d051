import { voterToken, type BallotService } from '../../src/domain/ballots';
import type { PendingTransactions } from '../../src/domain/pending';
import { transactionStatus } from '../../src/domain/transactions';
import { CommitPendingError, ENVELOPE_FRESH_MS } from '../../src/errors';
import { memoryState } from '../../src/state/memory';
import { expect } from '../chai';
import { fakeCastLedger, type FakeCastLedger } from '../fake-chaincode';
import { hexOf } from '../fakes';
import { SECRET } from '../fixtures';
import { batchedGateway } from './batched-service';

const relay = 'ballot-relay' as const;
const caller = { keyId: 'relay-key', role: relay };
const CITIZENS = ['anna', 'bert', 'carl'];
const token = (citizen: string) => voterToken(SECRET, 'p1', citizen);
const answersOf = (citizen: string) => ({ q1: [citizen === 'bert' ? 'bad' : 'red'] });

describe('a CastBallots transaction answered 202: each ballot resolves on its own', () => {
  let fake: FakeCastLedger;
  let now: number;
  let pending: PendingTransactions;
  let service: BallotService;

  beforeEach(() => {
    now = 1_000_000;
    fake = fakeCastLedger({ now: () => now });
    ({ pending, service } = batchedGateway(fake.ledger, memoryState({ maxEntries: 100, now: () => now }), { now: () => now }));
  });

  const cast = (citizen: string) => service.cast(caller, 'p1', { citizenId: citizen, answers: answersOf(citizen) }, `key-${citizen}`);

  /** Casts the three citizens in one transaction whose outcome is unknown; anna and carl get 202, bert his refusal. */
  async function castPendingBatch(): Promise<CommitPendingError[]> {
    fake.plan.push('lost');
    const settled = await Promise.allSettled(CITIZENS.map(cast));
    const reasons = settled.map((result): unknown => (result.status === 'rejected' ? result.reason : result.value));
    expect(reasons[1]).to.include({ code: 'INVALID_ANSWER' });
    const [anna, , carl] = reasons;
    expect(anna).to.be.instanceOf(CommitPendingError);
    expect(carl).to.be.instanceOf(CommitPendingError);
    return [anna, carl] as CommitPendingError[];
  }

  const status = (txId: string, position?: number) => transactionStatus(fake.ledger, pending, relay, txId, 10, position);

  async function sweepAfter(ms: number): Promise<void> {
    now += ms;
    await pending.sweep();
  }

  it('when the batch is lost, then the renewal carries each ballot still unresolved once, and each status URL gives its own ballot’s receipt', async () => {
    const [anna, carl] = await castPendingBatch();
    const oldTx = hexOf('tx 1');
    expect([anna?.statusUrl, carl?.statusUrl]).to.deep.equal([`/v1/transactions/${oldTx}?position=0`, `/v1/transactions/${oldTx}?position=2`]);
    expect((await status(oldTx, 0)).outcome).to.equal('PENDING');
    expect(await status(oldTx, 1), 'the refused ballot').to.deep.include({ outcome: 'FAILED', error: { code: 'INVALID_ANSWER', message: 'the question has no such option' } });
    await sweepAfter(1_000);
    await sweepAfter(2_000);
    await sweepAfter(4_000);
    const renewal = fake.endorsed.at(-1);
    expect(renewal, 'only the ballots the lost one would have written').to.deep.equal({ name: 'CastBallots', voters: [token('anna'), token('carl')] });
    const newTx = hexOf('tx 2');
    expect((await status(oldTx, 0)).receipt).to.deep.include({ ballotId: token('anna'), txId: newTx, position: 0, blockNumber: 11 });
    expect((await status(oldTx, 2)).receipt).to.deep.include({ ballotId: token('carl'), txId: newTx, position: 1, blockNumber: 11 });
    expect((await status(oldTx)).outcome, 'the transaction as a whole').to.equal('COMMITTED');
    expect([...fake.writes.values()]).to.deep.equal([1, 1]);
    const endorsements = fake.endorsed.length;
    const retry = await cast('carl');
    expect(retry).to.deep.include({ replayed: true });
    expect(retry.receipt).to.deep.equal((await status(oldTx, 2)).receipt);
    expect(fake.endorsed, 'the retry casts nothing new').to.have.length(endorsements);
  });

  it('when a retry with the same key comes while the batch is pending, then it is 202 again with its own position, and nothing is sent', async () => {
    await castPendingBatch();
    const endorsements = fake.endorsed.length;
    const retry = await cast('carl').catch((err: unknown) => err);
    expect(retry).to.be.instanceOf(CommitPendingError).and.include({ txId: hexOf('tx 1'), position: 2 });
    expect(fake.endorsed).to.have.length(endorsements);
  });

  it('when another transaction wrote one of its ballots meanwhile, then the renewal answers that one as a duplicate and counts it once', async () => {
    await castPendingBatch();
    const annaRequest = fake.ledger.submit.firstCall.args[0].args[1] ?? '';
    const [first] = JSON.parse(annaRequest) as { requestId: string }[];
    fake.writeElsewhere(token('anna'), first?.requestId ?? '');
    now += ENVELOPE_FRESH_MS + 1;
    await pending.sweep();
    expect((await status(hexOf('tx 1'), 0)).receipt).to.deep.include({ ballotId: token('anna'), txId: hexOf(`elsewhere ${token('anna')}`) });
    expect((await status(hexOf('tx 1'), 2)).receipt).to.deep.include({ ballotId: token('carl'), txId: hexOf('tx 2'), position: 1 });
    expect(Object.fromEntries(fake.writes)).to.deep.equal({ [token('anna')]: 1, [token('carl')]: 1 });
  });

  it('when the renewal is pending again, then the new transaction is kept with only its ballots, and the status follows it to its end', async () => {
    await castPendingBatch();
    fake.plan.push('pending');
    now += ENVELOPE_FRESH_MS + 1;
    await pending.sweep();
    expect((await status(hexOf('tx 1'), 2)).outcome).to.equal('PENDING');
    await sweepAfter(1_000);
    expect((await status(hexOf('tx 1'), 2)).receipt).to.deep.include({ ballotId: token('carl'), txId: hexOf('tx 2'), position: 1 });
    expect((await cast('anna')).receipt).to.deep.include({ txId: hexOf('tx 2'), position: 0 });
    expect([...fake.writes.values()]).to.deep.equal([1, 1]);
  });

  it('when a racing ballot of the same voter invalidated the batch (MVCC), then the renewal retries the others, each counted once', async () => {
    fake.plan.push('pending');
    const settled = await Promise.allSettled(CITIZENS.map(cast));
    expect(settled.map((result) => result.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
    fake.writeElsewhere(token('carl'), hexOf('carl votes on another replica'));
    expect(fake.commit(hexOf('tx 1'))).to.include({ valid: false, validationCodeName: 'MVCC_READ_CONFLICT' });
    await sweepAfter(1_000);
    expect((await status(hexOf('tx 1'), 0)).receipt).to.deep.include({ ballotId: token('anna'), txId: hexOf('tx 2'), position: 0 });
    expect(await status(hexOf('tx 1'), 2)).to.deep.include({ outcome: 'FAILED', error: { code: 'ALREADY_VOTED', message: 'this voter has already voted in poll p1' } });
    expect(Object.fromEntries(fake.writes)).to.deep.equal({ [token('carl')]: 1, [token('anna')]: 1 });
  });

  it('when the renewal is refused as a whole (the poll closed), then each ballot’s status ends FAILED with that code', async () => {
    await castPendingBatch();
    fake.pollOpen = false;
    now += ENVELOPE_FRESH_MS + 1;
    await pending.sweep();
    for (const position of [0, 2]) expect((await status(hexOf('tx 1'), position)).error?.code).to.equal('POLL_NOT_OPEN');
    expect(fake.writes.size).to.equal(0);
  });

  it('when a position the transaction does not have is asked, then NOT_FOUND', async () => {
    await castPendingBatch();
    await expect(status(hexOf('tx 1'), 7)).to.be.rejectedWith(/no ballot at position 7/);
  });
});
