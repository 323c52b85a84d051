import { PollService } from '../../src/domain/polls';
import { ResultsService } from '../../src/domain/results';
import { expect } from '../chai';
import { bytes, fakeLedger, type FakeLedger } from '../fakes';
import { POLL, POLL_IN, TX_ID, results } from '../fixtures';

const batch = (processed: number, done: boolean) => ({
  result: bytes({ pollId: 'p1', processed, ballotCount: 10, done, status: done ? 'tallied' : 'closed' }),
  txId: TX_ID,
  blockNumber: 1,
});

describe('PollService', () => {
  let ledger: FakeLedger;
  let service: PollService;

  beforeEach(() => {
    ledger = fakeLedger();
    service = new PollService(ledger, new ResultsService(ledger), { tallyBatchSize: 4, tallyMaxBatches: 3 });
  });

  it('when a poll is created, then CreatePoll gets the poll as JSON and its result is returned', async () => {
    ledger.submit.resolves({ result: bytes(POLL), txId: TX_ID, blockNumber: 1 });
    expect(await service.create('poll-admin', POLL_IN)).to.deep.equal(POLL);
    expect(ledger.submit.firstCall.args[0]).to.deep.equal({ role: 'poll-admin', name: 'CreatePoll', args: [JSON.stringify(POLL_IN)] });
  });

  it('when polls are listed without a status, then ListPolls gets "" for it', async () => {
    ledger.evaluate.resolves(bytes({ polls: [], bookmark: '', fetched: 0 }));
    await service.list('auditor', { pageSize: 5, bookmark: 'b1' });
    expect(ledger.evaluate.firstCall.args[0].args).to.deep.equal(['', '5', 'b1']);
  });

  for (const [transition, name] of [['open', 'OpenPoll'], ['close', 'ClosePoll'], ['cancel', 'CancelPoll']] as const) {
    it(`when a poll is told to ${transition}, then ${name} is submitted`, async () => {
      ledger.submit.resolves({ result: bytes(POLL), txId: TX_ID, blockNumber: 1 });
      await service.transition('poll-admin', 'p1', transition);
      expect(ledger.submit.firstCall.args[0]).to.deep.equal({ role: 'poll-admin', name, args: ['p1'] });
    });
  }

  it('when the tally needs several batches, then TallyPoll runs until done and the results are attached', async () => {
    ledger.submit.onFirstCall().resolves(batch(4, false));
    ledger.submit.onSecondCall().resolves(batch(4, true));
    ledger.evaluate.resolves(bytes(results('tallied')));
    const progress = await service.tally('poll-admin', 'p1');
    expect(progress).to.deep.include({ pollId: 'p1', done: true, status: 'tallied', batches: 2, processed: 8, ballotCount: 10 });
    expect(progress.results).to.deep.equal(results('tallied'));
    expect(ledger.evaluate.firstCall.args[0]).to.deep.equal({ role: 'poll-admin', name: 'GetResults', args: ['p1'] });
    expect(ledger.submit.firstCall.args[0].args).to.deep.equal(['p1', '4']);
  });

  it('when the tally is not done within the per-request bound, then progress is returned without results', async () => {
    ledger.submit.resolves(batch(2, false));
    const progress = await service.tally('poll-admin', 'p1', 2);
    expect(progress).to.deep.equal({ pollId: 'p1', done: false, status: 'closed', batches: 3, processed: 6, ballotCount: 10 });
    expect(ledger.submit.firstCall.args[0].args).to.deep.equal(['p1', '2']);
  });
});
