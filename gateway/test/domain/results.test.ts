import { createHash } from 'node:crypto';
import { ResultsService } from '../../src/domain/results';
import { RunningCounts, chainStart } from '../../src/domain/running-counts';
import { LedgerBadResponseError } from '../../src/errors';
import { expect } from '../chai';
import { ballotCastEvent, bytes, fakeLedger, hexOf, ledgerEvent, type FakeLedger } from '../fakes';
import { POLL, results } from '../fixtures';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('ResultsService', () => {
  let ledger: FakeLedger;
  let service: ResultsService;

  beforeEach(() => {
    ledger = fakeLedger();
    service = new ResultsService(ledger);
  });

  it('when the poll is tallied, then the final results are GetResults as the chaincode answers them', async () => {
    ledger.evaluate.resolves(bytes(results('tallied')));
    expect(await service.get('auditor', 'p1')).to.deep.equal(results('tallied'));
    expect(ledger.evaluate.callCount).to.equal(1);
    expect(ledger.evaluate.firstCall.args[0]).to.deep.equal({ role: 'auditor', name: 'GetResults', args: ['p1'] });
  });

  it('when a live poll is open, then the running count is one GetResults call, with its ballotsRoot', async () => {
    ledger.evaluate.resolves(bytes(results('open')));
    const running = await service.get('auditor', 'p1');
    expect(running).to.include({ final: false, status: 'open' });
    expect('ballotsRoot' in running && running.ballotsRoot).to.match(/^[0-9a-f]{64}$/);
    expect(ledger.evaluate.getCalls().map((call) => call.args[0].name)).to.deep.equal(['GetResults']);
  });

  it('when GetResults answers without a ballotsRoot (the old live-page shape), then it is LEDGER_BAD_RESPONSE', async () => {
    ledger.evaluate.resolves(bytes({ ...results('open'), ballotsRoot: null }));
    const error = await service.get('auditor', 'p1').catch((err: unknown) => err);
    expect(error).to.be.instanceOf(LedgerBadResponseError);
    expect((error as LedgerBadResponseError).details).to.deep.equal({
      transaction: 'GetResults',
      issues: [{ path: 'ballotsRoot', message: 'Invalid input: expected string, received null' }],
    });
  });

  describe('with running counts', () => {
    let counts: RunningCounts;
    beforeEach(() => {
      counts = new RunningCounts({ minSnapshotMs: 0 });
      counts.apply({ block: 7n, index: 0 }, ledgerEvent(7, hexOf('a'), 'BallotCast', ballotCastEvent('a', { q1: ['blue'] })));
      service = new ResultsService(ledger, counts);
    });

    it('when a live poll is open, then the answer is the running count after one GetPoll, whatever the ballots', async () => {
      ledger.evaluate.resolves(bytes({ ...POLL, status: 'open' }));
      expect(await service.get('ballot-relay', 'p1')).to.deep.equal({
        pollId: 'p1', status: 'open', final: false, ballotCount: 1, counts: { q1: { red: 0, blue: 1 } },
        ballotsRoot: sha256(chainStart('p1') + hexOf('hash a')), asOfBlock: 7, source: 'running-count',
      });
      expect(ledger.evaluate.getCalls().map((call) => call.args[0].name)).to.deep.equal(['GetPoll']);
    });

    it('when a recount is asked, then the chaincode counts every ballot', async () => {
      ledger.evaluate.resolves(bytes(results('open')));
      expect(await service.get('auditor', 'p1', { recount: true })).to.deep.equal(results('open'));
      expect(ledger.evaluate.getCalls().map((call) => call.args[0].name)).to.deep.equal(['GetResults']);
    });

    it('when the poll is tallied or publishes after close, then the chaincode answers (final results, or its refusal)', async () => {
      for (const poll of [{ ...POLL, status: 'tallied' as const }, { ...POLL, status: 'open' as const, resultsVisibility: 'after-close' as const }]) {
        ledger.evaluate.reset();
        ledger.evaluate.onFirstCall().resolves(bytes(poll));
        ledger.evaluate.onSecondCall().resolves(bytes(results('tallied')));
        expect(await service.get('auditor', 'p1')).to.deep.equal(results('tallied'));
        expect(ledger.evaluate.getCalls().map((call) => call.args[0].name)).to.deep.equal(['GetPoll', 'GetResults']);
      }
    });
  });
});
