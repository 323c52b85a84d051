import { ErrorCodes } from '@poll-ledger/protocol';
import { ROUTES, type RouteId } from '../../src/http/routes';
import { ChaincodeError, CommitPendingError, ERROR_STATUS, LedgerUnavailableError } from '../../src/errors';
import { expect } from '../chai';
import { bytes } from '../fakes';
import { POLL, TX_ID } from '../fixtures';
import { errorOf, setup, type TestApp } from './helpers';

const LEDGER_ROUTES = (Object.keys(ROUTES) as RouteId[]).filter((id) => ROUTES[id].access !== 'public' && id !== 'streamEvents');

/** Makes every ledger call of a route fail with `error`. */
function failLedger(ledger: TestApp['ledger'], error: Error): void {
  ledger.evaluate.rejects(error);
  ledger.submit.rejects(error);
  ledger.commitStatus.rejects(error);
}

describe('http routes: error mapping', () => {
  for (const id of LEDGER_ROUTES) {
    const spec = ROUTES[id];
    const codes = ('errors' in spec ? spec.errors : []).filter((code) => (ErrorCodes as readonly string[]).includes(code));
    for (const code of codes) {
      it(`when ${id} meets chaincode ${code}, then HTTP ${ERROR_STATUS[code]} with code ${code}`, async () => {
        const { call, ledger } = setup();
        failLedger(ledger, new ChaincodeError(code, 'refused by the chaincode'));
        const res = await call(id);
        expect(res.status).to.equal(ERROR_STATUS[code]);
        expect(res.body).to.deep.equal({ error: { code, message: 'refused by the chaincode' } });
      });
    }

    it(`when ${id} cannot reach the peer, then 503 LEDGER_UNAVAILABLE`, async () => {
      const { call, ledger } = setup();
      failLedger(ledger, new LedgerUnavailableError('the ledger is not reachable', { grpcStatus: 'UNAVAILABLE' }));
      const res = await call(id);
      expect(res.status).to.equal(503);
      expect(errorOf(res)).to.deep.equal({ code: 'LEDGER_UNAVAILABLE', message: 'the ledger is not reachable', details: { grpcStatus: 'UNAVAILABLE' } });
    });
  }

  for (const id of ['createPoll', 'openPoll', 'closePoll', 'cancelPoll', 'tallyPoll', 'castBallot'] as const) {
    it(`when ${id}'s commit status is unknown, then 202 with txId and statusUrl`, async () => {
      const { call, ledger } = setup();
      ledger.submit.rejects(new CommitPendingError(TX_ID));
      const res = await call(id);
      expect(res.status).to.equal(202);
      expect(res.body).to.deep.equal({ txId: TX_ID, statusUrl: `/v1/transactions/${TX_ID}` });
      expect(res.headers.location).to.equal(`/v1/transactions/${TX_ID}`);
    });
  }

  it('when a handler hits an unexpected bug, then 500 INTERNAL with no stack trace or message leak', async () => {
    const { call, ledger, logs } = setup();
    ledger.evaluate.rejects(new TypeError('x is undefined at secret.ts:12'));
    const res = await call('getPoll');
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ error: { code: 'INTERNAL', message: 'internal error' } });
    expect(res.text).to.not.include('secret.ts');
    expect(logs.join('')).to.include('secret.ts'); // kept for operators, server-side
  });

  it('when the ledger returns a poll, then GET /v1/polls/:id passes it through', async () => {
    const { call, ledger } = setup();
    ledger.evaluate.resolves(bytes(POLL));
    const res = await call('getPoll');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal(POLL);
  });
});
