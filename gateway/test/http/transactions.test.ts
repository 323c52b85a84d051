import request from 'supertest';
import { expect } from '../chai';
import { KEYS, TX_ID } from '../fixtures';
import { setup } from './helpers';

describe('http transactions', () => {
  it('when the transaction committed, then 200 with its validation status and block', async () => {
    const { call, ledger } = setup();
    ledger.commitStatus.resolves({ txId: TX_ID, validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: 17 });
    const res = await call('getTransaction');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ txId: TX_ID, committed: true, valid: true, status: 'VALID', validationCode: 0, blockNumber: 17, outcome: 'COMMITTED' });
    expect(ledger.commitStatus.firstCall.args).to.deep.equal(['poll-admin', TX_ID, 50]);
  });

  it('when the peer does not know the transaction yet, then 200 with status PENDING', async () => {
    const { call, ledger } = setup();
    ledger.commitStatus.resolves(undefined);
    const res = await call('getTransaction');
    expect(res.body).to.include({ committed: false, status: 'PENDING' });
  });

  it('when the txId is not 64 hex chars, then 400', async () => {
    const { app } = setup();
    const res = await request(app).get('/v1/transactions/xyz').set('X-API-Key', KEYS.auditor);
    expect(res.status).to.equal(400);
  });
});
