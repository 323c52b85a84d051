import { ResultsService } from '../../src/domain/results';
import { LedgerBadResponseError } from '../../src/errors';
import { expect } from '../chai';
import { bytes, fakeLedger, type FakeLedger } from '../fakes';
import { results } from '../fixtures';

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
    expect(running.ballotsRoot).to.match(/^[0-9a-f]{64}$/);
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
});
