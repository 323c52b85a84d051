import { ResultsService } from '../../src/domain/results';
import { expect } from '../chai';
import { bytes, fakeLedger, type FakeLedger } from '../fakes';
import { POLL } from '../fixtures';

describe('ResultsService', () => {
  let ledger: FakeLedger;
  let service: ResultsService;

  beforeEach(() => {
    ledger = fakeLedger();
    service = new ResultsService(ledger, { livePageSize: 2 });
  });

  const names = () => ledger.evaluate.getCalls().map((call) => call.args[0].name);

  it('when the poll is tallied, then the final results come from GetResults', async () => {
    const final = { pollId: 'p1', status: 'tallied', final: true, ballotCount: 1, counts: { q1: { red: 1, blue: 0 } }, ballotsRoot: 'r' };
    ledger.evaluate.onFirstCall().resolves(bytes({ ...POLL, status: 'tallied' }));
    ledger.evaluate.onSecondCall().resolves(bytes(final));
    expect(await service.get('auditor', 'p1')).to.deep.equal(final);
    expect(names()).to.deep.equal(['GetPoll', 'GetResults']);
  });

  it('when a live poll is open, then the live pages are summed, with every option present and no ballotsRoot', async () => {
    ledger.evaluate.onCall(0).resolves(bytes({ ...POLL, status: 'open' }));
    ledger.evaluate.onCall(1).resolves(bytes({ pollId: 'p1', ballotCount: 2, counts: { q1: { red: 2 } }, bookmark: 'b1', done: false }));
    ledger.evaluate.onCall(2).resolves(bytes({ pollId: 'p1', ballotCount: 1, counts: { q1: { red: 1 } }, bookmark: '', done: true }));
    const results = await service.get('auditor', 'p1');
    expect(results).to.deep.equal({ pollId: 'p1', status: 'open', final: false, ballotCount: 3, counts: { q1: { red: 3, blue: 0 } }, ballotsRoot: null });
    expect(ledger.evaluate.getCall(1).args[0].args).to.deep.equal(['p1', '2', '']);
    expect(ledger.evaluate.getCall(2).args[0].args).to.deep.equal(['p1', '2', 'b1']);
  });

  it('when an after-close poll is not tallied, then GetResults decides (the chaincode refuses or answers)', async () => {
    ledger.evaluate.onFirstCall().resolves(bytes({ ...POLL, status: 'closed', resultsVisibility: 'after-close' }));
    ledger.evaluate.onSecondCall().resolves(bytes({ pollId: 'p1' }));
    await service.get('auditor', 'p1');
    expect(names()).to.deep.equal(['GetPoll', 'GetResults']);
  });
});
