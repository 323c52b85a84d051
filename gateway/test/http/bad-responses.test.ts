import { ROUTES, type RouteId } from '../../src/http/routes';
import { expect } from '../chai';
import { bytes } from '../fakes';
import { POLL, TX_ID, castResult } from '../fixtures';
import { errorOf, setup, type TestApp } from './helpers';

/** The chaincode transaction whose answer each use case reads. */
const READS: Readonly<Partial<Record<RouteId, string>>> = {
  createPoll: 'CreatePoll',
  listPolls: 'ListPolls',
  getPoll: 'GetPoll',
  openPoll: 'OpenPoll',
  closePoll: 'ClosePoll',
  cancelPoll: 'CancelPoll',
  tallyPoll: 'TallyPoll',
  getResults: 'GetResults',
  castBallot: 'CastBallot',
  getBallot: 'GetBallot',
};

/** Answers that break the protocol in different ways: not JSON, a wrong type, a missing field, an extra field. */
const MALFORMED: readonly [string, Uint8Array][] = [
  ['not JSON', Buffer.from('<html>oops</html>')],
  ['not UTF-8', Buffer.from([0xff, 0xfe, 0x7b, 0x7d])],
  ['a poll where another record belongs', bytes(POLL)],
  ['an empty object', bytes({})],
];

function answerEverything(ledger: TestApp['ledger'], answer: Uint8Array): void {
  ledger.evaluate.resolves(answer);
  ledger.submit.resolves({ result: answer, txId: TX_ID, blockNumber: 3 });
}

describe('http: chaincode answers that break the protocol', () => {
  it('when the routes declare LEDGER_BAD_RESPONSE, then they are exactly the use cases that read a chaincode answer', () => {
    const declared = (Object.keys(ROUTES) as RouteId[]).filter((id) => {
      const spec = ROUTES[id];
      return 'errors' in spec && (spec.errors as readonly string[]).includes('LEDGER_BAD_RESPONSE');
    });
    expect(declared.sort()).to.deep.equal(Object.keys(READS).sort());
  });

  for (const [id, transaction] of Object.entries(READS) as [RouteId, string][]) {
    for (const [what, answer] of MALFORMED) {
      // GetPoll's answer is a poll, and OpenPoll's too: that one case is well formed for them.
      if (what.startsWith('a poll') && ['GetPoll', 'CreatePoll', 'OpenPoll', 'ClosePoll', 'CancelPoll'].includes(transaction)) continue;
      it(`when ${transaction} answers ${id} with ${what}, then 502 LEDGER_BAD_RESPONSE naming ${transaction}`, async () => {
        const { call, ledger } = setup();
        answerEverything(ledger, answer);
        const res = await call(id);
        expect(res.status).to.equal(502);
        expect(errorOf(res)).to.include({ code: 'LEDGER_BAD_RESPONSE', message: `the ledger's answer to ${transaction} does not follow the protocol` });
        expect(errorOf(res).details).to.include({ transaction });
        expect(res.text).to.not.include('oops');
      });
    }
  }

  it('when a field has the wrong type, then the issue names its path and nothing of the answer is passed on', async () => {
    const { call, ledger } = setup();
    ledger.evaluate.resolves(bytes({ ...POLL, status: 'archived' }));
    const res = await call('getPoll');
    expect(res.status).to.equal(502);
    expect(errorOf(res).details).to.deep.include({ transaction: 'GetPoll' });
    expect((errorOf(res).details?.issues as { path: string }[]).map((issue) => issue.path)).to.deep.equal(['status']);
  });

  it('when the tally is done but GetResults breaks the protocol, then 502 naming GetResults', async () => {
    const { call, ledger } = setup();
    ledger.submit.resolves({ result: bytes({ pollId: 'p1', processed: 1, ballotCount: 1, done: true, status: 'tallied' }), txId: TX_ID, blockNumber: 3 });
    ledger.evaluate.resolves(bytes({ pollId: 'p1', final: true }));
    const res = await call('tallyPoll');
    expect(res.status).to.equal(502);
    expect(errorOf(res).details).to.include({ transaction: 'GetResults' });
  });

  it('when a CastBallot duplicate is malformed, then 502 and no receipt is remembered for the key', async () => {
    const { call, ledger } = setup();
    ledger.submit.resolves({ result: bytes({ ...castResult('c'.repeat(64)), superseded: false }), txId: TX_ID });
    expect((await call('castBallot')).status).to.equal(502);
    ledger.submit.resolves({ result: bytes(castResult('c'.repeat(64))), txId: TX_ID, blockNumber: 3 });
    expect((await call('castBallot')).status).to.equal(201);
  });

  it('when a 502 is answered, then the cause is logged for operators', async () => {
    const { call, ledger, logs } = setup();
    ledger.evaluate.resolves(bytes({ ...POLL, status: 'archived' }));
    await call('getPoll');
    expect(logs.join('')).to.include('ZodError');
  });
});
