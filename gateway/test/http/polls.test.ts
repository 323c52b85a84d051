import request from 'supertest';
import { Limits } from '@poll-ledger/protocol';
import { expect } from '../chai';
import { RunningCounts } from '../../src/domain/running-counts';
import { createApp } from '../../src/http/app';
import { buildOpenApiDocument } from '../../src/openapi';
import { ballotCastEvent, bytes, fakeLedger, hexOf, ledgerEvent } from '../fakes';
import { KEYS, POLL, POLL_IN, TX_ID, appConfig, results } from '../fixtures';
import { documentedComponent } from './documented';
import { errorOf, issuesOf, setup } from './helpers';

const submitted = (result: unknown) => ({ result: bytes(result), txId: TX_ID, blockNumber: 3 });

describe('http polls', () => {
  it('when a poll-admin creates a poll, then 201 with the poll including id and status', async () => {
    const { call, ledger } = setup();
    ledger.submit.resolves(submitted(POLL));
    const res = await call('createPoll');
    expect(res.status).to.equal(201);
    expect(res.body).to.include({ id: 'p1', status: 'draft' });
    expect(ledger.submit.firstCall.args[0]).to.deep.include({ role: 'poll-admin', name: 'CreatePoll' });
  });

  it('when the poll body breaks the schema, then 400 INVALID_ARGUMENT lists each issue by path', async () => {
    const { app, ledger } = setup();
    const bad = { ...POLL_IN, title: '', revotePolicy: 'sometimes', opensAt: 'tomorrow', questions: [{ id: 'q1' }] };
    const res = await request(app).post('/v1/polls').set('X-API-Key', KEYS['poll-admin']).send(bad);
    expect(res.status).to.equal(400);
    expect(errorOf(res).code).to.equal('INVALID_ARGUMENT');
    const paths = issuesOf(res).map((issue) => issue.path);
    expect(paths).to.include.members(['title', 'revotePolicy', 'opensAt', 'questions.0.text', 'questions.0.options']);
    expect(ledger.submit.called).to.equal(false);
  });

  it('when a time has no zone, then 400; a time without seconds is accepted', async () => {
    const { app, ledger } = setup();
    ledger.submit.resolves(submitted(POLL));
    const post = (opensAt: string) => request(app).post('/v1/polls').set('X-API-Key', KEYS['poll-admin']).send({ ...POLL_IN, opensAt });
    expect((await post('2026-01-01T08:00:00')).status).to.equal(400);
    expect((await post('2026-01-01T08:00+02:00')).status).to.equal(201);
  });

  it('when unknown fields are sent, then they are dropped before reaching the ledger', async () => {
    const { app, ledger } = setup();
    ledger.submit.resolves(submitted(POLL));
    await request(app).post('/v1/polls').set('X-API-Key', KEYS['poll-admin']).send({ ...POLL_IN, status: 'tallied' });
    expect(JSON.parse(ledger.submit.firstCall.args[0].args[0]!)).to.not.have.property('status');
  });

  it('when polls are listed with filters, then 200 with the page and ListPolls gets the filters', async () => {
    const { call, ledger } = setup();
    ledger.evaluate.resolves(bytes({ polls: [POLL], bookmark: 'next', fetched: 1 }));
    const res = await call('listPolls');
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ bookmark: 'next' });
    expect(ledger.evaluate.firstCall.args[0].args).to.deep.equal(['open', '10', '']);
  });

  it('when the status filter is not a poll status, then 400', async () => {
    const { app } = setup();
    const res = await request(app).get('/v1/polls?status=running').set('X-API-Key', KEYS.auditor);
    expect(res.status).to.equal(400);
    expect(issuesOf(res)[0]).to.include({ in: 'query', path: 'status' });
  });

  it('when the poll id has a forbidden character, then 400 before any ledger call', async () => {
    const { app, ledger } = setup();
    const res = await request(app).get('/v1/polls/p~1').set('X-API-Key', KEYS.auditor);
    expect(res.status).to.equal(400);
    expect(issuesOf(res)[0]).to.include({ in: 'path', path: 'id' });
    expect(ledger.evaluate.called).to.equal(false);
  });

  for (const [id, name] of [['openPoll', 'OpenPoll'], ['closePoll', 'ClosePoll'], ['cancelPoll', 'CancelPoll']] as const) {
    it(`when ${id} succeeds, then 200 with the updated poll from ${name}`, async () => {
      const { call, ledger } = setup();
      ledger.submit.resolves(submitted({ ...POLL, status: 'open' }));
      const res = await call(id);
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'open' });
      expect(ledger.submit.firstCall.args[0]).to.deep.equal({ role: 'poll-admin', name, args: ['p1'] });
    });
  }

  it('when a tally completes, then 200 with done and the results', async () => {
    const { call, ledger } = setup();
    ledger.submit.resolves(submitted({ pollId: 'p1', processed: 3, ballotCount: 3, done: true, status: 'tallied' }));
    ledger.evaluate.resolves(bytes(results('tallied')));
    const res = await call('tallyPoll');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ pollId: 'p1', done: true, status: 'tallied', batches: 1, processed: 3, ballotCount: 3, results: results('tallied') });
    expect(ledger.submit.firstCall.args[0].args).to.deep.equal(['p1', '50']);
  });

  it('when tally is called without a body, then the configured batch size is used', async () => {
    const { app, ledger } = setup();
    ledger.submit.resolves(submitted({ pollId: 'p1', processed: 0, ballotCount: 0, done: false, status: 'closed' }));
    const res = await request(app).post('/v1/polls/p1/tally').set('X-API-Key', KEYS['poll-admin']);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ pollId: 'p1', done: false, status: 'closed', batches: 3, processed: 0, ballotCount: 0 });
    expect(ledger.submit.firstCall.args[0].args).to.deep.equal(['p1', '100']);
  });

  it('when maxBallots is out of range, then 400', async () => {
    const { app } = setup();
    const res = await request(app).post('/v1/polls/p1/tally').set('X-API-Key', KEYS['poll-admin']).send({ maxBallots: Limits.tallyBatch.max + 1 });
    expect(res.status).to.equal(400);
  });

  for (const status of ['tallied', 'open'] as const) {
    it(`when results are asked for a ${status} poll, then 200 with GetResults in the Results shape, ballotsRoot included`, async () => {
      const { call, ledger } = setup();
      ledger.evaluate.resolves(bytes(results(status)));
      const res = await call('getResults');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(results(status));
      expect(ledger.evaluate.firstCall.args[0]).to.deep.equal({ role: 'poll-admin', name: 'GetResults', args: ['p1'] });
    });
  }

  describe('results of a live poll, with running counts', () => {
    const app = () => {
      const ledger = fakeLedger();
      const counts = new RunningCounts({ minSnapshotMs: 0 });
      counts.apply({ block: 9n, index: 0 }, ledgerEvent(9, hexOf('a'), 'BallotCast', ballotCastEvent('a', { q1: ['red'] })));
      ledger.evaluate.callsFake((req) => Promise.resolve(bytes(req.name === 'GetPoll' ? { ...POLL, status: 'open' } : results('open'))));
      return { ledger, app: createApp({ config: appConfig(), ledger, counts }) };
    };

    it('when any role asks, then 200 with the documented RunningResults, and no ballot is read', async () => {
      const { ledger, app: server } = app();
      const res = await request(server).get('/v1/polls/p1/results').set('X-API-Key', KEYS['ballot-relay']);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.include({ pollId: 'p1', status: 'open', final: false, ballotCount: 1, counts: { q1: { red: 1, blue: 0 } }, asOfBlock: 9, source: 'running-count' });
      expect(res.body).to.have.property('ballotsRoot').that.matches(/^[0-9a-f]{64}$/);
      expect(documentedComponent(buildOpenApiDocument(), 'RunningResults').safeParse(res.body).success).to.equal(true);
      expect(ledger.evaluate.getCalls().map((call) => call.args[0].name)).to.deep.equal(['GetPoll']);
    });

    it('when an auditor asks for a recount, then the chaincode counts; the ballot relay may not ask for one', async () => {
      const { ledger, app: server } = app();
      const recount = await request(server).get('/v1/polls/p1/results?recount=true').set('X-API-Key', KEYS.auditor);
      expect(recount.status).to.equal(200);
      expect(recount.body).to.deep.equal(results('open'));
      const refused = await request(server).get('/v1/polls/p1/results?recount=true').set('X-API-Key', KEYS['ballot-relay']);
      expect(refused.status).to.equal(403);
      expect(errorOf(refused).code).to.equal('FORBIDDEN');
      expect(ledger.evaluate.getCalls().map((call) => call.args[0].name)).to.deep.equal(['GetResults']);
      const bad = await request(server).get('/v1/polls/p1/results?recount=maybe').set('X-API-Key', KEYS.auditor);
      expect(bad.status).to.equal(400);
    });
  });
});
