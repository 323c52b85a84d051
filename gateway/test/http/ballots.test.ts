import { status as GrpcStatus } from '@grpc/grpc-js';
import request from 'supertest';
import { voterToken } from '../../src/domain/ballots';
import { expect } from '../chai';
import { CommitPendingError } from '../../src/errors';
import { fromFabricError } from '../../src/fabric/grpc-errors';
import { bytes, serviceError } from '../fakes';
import { BALLOT, BALLOT_HASH, BALLOT_ID, KEYS, SECRET, TX_ID, castResult as castFields } from '../fixtures';
import { payloadMessage } from '../fabric/peer-errors';
import { errorOf, issuesOf, setup } from './helpers';

const CITIZEN = 'citizen-0042';
const TOKEN = voterToken(SECRET, 'p1', CITIZEN);
const castResult = (duplicate = false) => bytes(castFields(TOKEN, { duplicate }));
const RECEIPT = { pollId: 'p1', ballotId: TOKEN, txId: TX_ID, blockNumber: 5, ballotHash: BALLOT_HASH };

function cast(app: Parameters<typeof request>[0], key = 'key-1', body: object = { citizenId: CITIZEN, answers: { q1: ['red'] } }) {
  return request(app).post('/v1/polls/p1/ballots').set('X-API-Key', KEYS['ballot-relay']).set('Idempotency-Key', key).send(body);
}

describe('http ballots', () => {
  it('when a ballot is cast, then 201 with the receipt', async () => {
    const { app, ledger } = setup();
    ledger.submit.resolves({ result: castResult(), txId: TX_ID, blockNumber: 5 });
    const res = await cast(app);
    expect(res.status).to.equal(201);
    expect(res.body).to.deep.equal(RECEIPT);
  });

  it('when the same Idempotency-Key is sent again, then 200 with the same receipt and no second submit', async () => {
    const { app, ledger } = setup();
    ledger.submit.resolves({ result: castResult(), txId: TX_ID, blockNumber: 5 });
    await cast(app);
    const again = await cast(app);
    expect(again.status).to.equal(200);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(again.body).to.deep.equal(RECEIPT);
    expect(ledger.submit.callCount).to.equal(1);
  });

  it('when duplicates arrive while the first is in flight, then one submit serves them all', async () => {
    const { app, ledger } = setup();
    ledger.submit.callsFake(() => new Promise((resolve) => setTimeout(() => { resolve({ result: castResult(), txId: TX_ID, blockNumber: 5 }); }, 30)));
    const responses = await Promise.all([cast(app), cast(app), cast(app)]);
    expect(ledger.submit.callCount).to.equal(1);
    expect(responses.map((r) => r.status).sort()).to.deep.equal([200, 200, 201]);
    for (const res of responses) expect(res.body).to.deep.equal(RECEIPT);
  });

  it('when the chaincode reports a duplicate (e.g. after a gateway restart), then 200 with the original receipt', async () => {
    const { app, ledger } = setup();
    ledger.submit.resolves({ result: castResult(true), txId: 'e'.repeat(64) });
    ledger.commitStatus.resolves({ txId: TX_ID, validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: 5 });
    const res = await cast(app);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal(RECEIPT);
  });

  it('when the same key comes with different answers, then 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const { app, ledger } = setup();
    ledger.submit.resolves({ result: castResult(), txId: TX_ID, blockNumber: 5 });
    await cast(app);
    const res = await cast(app, 'key-1', { citizenId: CITIZEN, answers: { q1: ['blue'] } });
    expect(res.status).to.equal(422);
    expect(errorOf(res).code).to.equal('IDEMPOTENCY_KEY_REUSED');
  });

  it('when a cast got 202 and its tx commits later, then the same key with different answers is 422, not a 200 replay', async () => {
    const { app, ledger } = setup();
    ledger.submit.onFirstCall().rejects(new CommitPendingError(TX_ID));
    // What the chaincode would answer once the first tx committed: the first ballot as a duplicate.
    ledger.submit.onSecondCall().resolves({ result: castResult(true), txId: 'e'.repeat(64) });
    ledger.commitStatus.resolves({ txId: TX_ID, validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: 5 });
    expect((await cast(app)).status).to.equal(202);
    const res = await cast(app, 'key-1', { citizenId: CITIZEN, answers: { q1: ['blue'] } });
    expect(res.status).to.equal(422);
    expect(errorOf(res).code).to.equal('IDEMPOTENCY_KEY_REUSED');
    expect(ledger.submit.callCount).to.equal(1);
    const retry = await cast(app);
    expect(retry.status).to.equal(200);
    expect(retry.headers['idempotent-replayed']).to.equal('true');
    expect(retry.body).to.deep.equal(RECEIPT);
  });

  it('when the chaincode reports a superseded duplicate, then 200 Idempotent-Replayed with that receipt only', async () => {
    const { app, ledger } = setup();
    const result = bytes(castFields(TOKEN, { duplicate: true, superseded: true }));
    ledger.submit.resolves({ result, txId: 'e'.repeat(64) });
    ledger.commitStatus.resolves({ txId: TX_ID, validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: 5 });
    const res = await cast(app);
    expect(res.status).to.equal(200);
    expect(res.headers['idempotent-replayed']).to.equal('true');
    expect(res.body).to.deep.equal(RECEIPT);
  });

  it('when the platform sends votedAt, then it becomes CastBallot\'s requestedAt in stored form', async () => {
    const { app, ledger } = setup();
    ledger.submit.resolves({ result: castResult(), txId: TX_ID, blockNumber: 5 });
    const res = await cast(app, 'key-1', { citizenId: CITIZEN, answers: { q1: ['red'] }, votedAt: '2026-05-01T10:00:00.5+02:00' });
    expect(res.status).to.equal(201);
    expect(ledger.submit.firstCall.args[0].args[4]).to.equal('2026-05-01T08:00:00.500Z');
  });

  it('when votedAt is no ISO date-time with a zone, then 400 naming votedAt, before the ledger is asked', async () => {
    const { app, ledger } = setup();
    const res = await cast(app, 'key-1', { citizenId: CITIZEN, answers: { q1: ['red'] }, votedAt: '2026-05-01T10:00:00' });
    expect(res.status).to.equal(400);
    expect(issuesOf(res)[0]).to.include({ in: 'body', path: 'votedAt' });
    expect(ledger.submit.called).to.equal(false);
  });

  it('when the chaincode refuses a ballot requested before the recorded one, then 409 SUPERSEDED', async () => {
    const { app, ledger } = setup();
    const message = payloadMessage('SUPERSEDED', 'a later ballot of this voter is already recorded');
    const peer = Object.assign(serviceError(GrpcStatus.ABORTED, 'failed to endorse'), {
      details: [{ address: 'p', mspId: 'CityMSP', message: `chaincode response 500, ${message}` }],
    });
    ledger.submit.rejects(fromFabricError(peer));
    const res = await cast(app);
    expect(res.status).to.equal(409);
    expect(errorOf(res)).to.deep.equal({ code: 'SUPERSEDED', message: 'a later ballot of this voter is already recorded' });
  });

  it('when the Idempotency-Key header is missing, then 400 naming the header', async () => {
    const { app } = setup();
    const res = await request(app).post('/v1/polls/p1/ballots').set('X-API-Key', KEYS['ballot-relay']).send({ citizenId: CITIZEN, answers: {} });
    expect(res.status).to.equal(400);
    expect(issuesOf(res)[0]).to.include({ in: 'headers', path: 'idempotency-key' });
  });

  it('when the chaincode refuses an answer, then 400 INVALID_ANSWER with the question in details', async () => {
    const { app, ledger } = setup();
    const message = payloadMessage('INVALID_ANSWER', 'at most 1 choice', { subcode: 'TOO_MANY_CHOICES', questionId: 'q1' });
    const peer = Object.assign(serviceError(GrpcStatus.ABORTED, 'failed to endorse'), {
      details: [{ address: 'p', mspId: 'CityMSP', message: `chaincode response 500, ${message}` }],
    });
    ledger.submit.rejects(fromFabricError(peer));
    const res = await cast(app);
    expect(res.status).to.equal(400);
    expect(errorOf(res)).to.deep.equal({ code: 'INVALID_ANSWER', message: 'at most 1 choice', details: { reason: 'TOO_MANY_CHOICES', questionId: 'q1' } });
  });

  it('when a ballot is refused, then the citizen id is in no log line, no error body and no ledger argument', async () => {
    const { app, ledger, logs } = setup();
    ledger.submit.resolves({ result: castResult(), txId: TX_ID, blockNumber: 5 });
    await cast(app, 'k-ok');
    const invalid = await cast(app, 'k-bad', { citizenId: CITIZEN, answers: 'red' });
    const tooLong = await cast(app, 'k-long', { citizenId: `${CITIZEN}${'x'.repeat(300)}`, answers: {} });
    expect(invalid.status).to.equal(400);
    expect(tooLong.status).to.equal(400);
    for (const text of [...logs, invalid.text, tooLong.text, JSON.stringify(ledger.submit.args)]) expect(text).to.not.include(CITIZEN);
  });

  it('when a recorded ballot is fetched, then 200 with it', async () => {
    const { call, ledger } = setup();
    ledger.evaluate.resolves(bytes(BALLOT));
    const res = await call('getBallot');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal(BALLOT);
    expect(ledger.evaluate.firstCall.args[0]).to.deep.equal({ role: 'poll-admin', name: 'GetBallot', args: ['p1', BALLOT_ID] });
  });

  it('when the ballot id is not a 64-hex token, then 400', async () => {
    const { app } = setup();
    const res = await request(app).get('/v1/polls/p1/ballots/not-a-token').set('X-API-Key', KEYS.auditor);
    expect(res.status).to.equal(400);
  });
});
