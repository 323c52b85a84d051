import type { Express } from 'express';
import request, { type Response } from 'supertest';
import { voterToken } from '../../src/domain/ballots';
import { LedgerUnavailableError } from '../../src/errors';
import { createApp, type AppConfig } from '../../src/http/app';
import { createMetrics, type Metrics } from '../../src/metrics';
import { expect } from '../chai';
import { fakeCastLedger, type FakeCastLedger } from '../fake-chaincode';
import { fakeLedger, hexOf, type FakeLedger } from '../fakes';
import { KEYS, SECRET, appConfig } from '../fixtures';
import { errorOf } from './helpers';

const token = (citizen: string) => voterToken(SECRET, 'p1', citizen);

function cast(app: Express, citizen: string, options: { key?: string; answer?: string } = {}): Promise<Response> {
  const body = { citizenId: citizen, answers: { q1: [options.answer ?? 'red'] } };
  // then() starts the request now: supertest sends nothing until it is awaited.
  return request(app)
    .post('/v1/polls/p1/ballots')
    .set('X-API-Key', KEYS['ballot-relay'])
    .set('Idempotency-Key', options.key ?? `key-${citizen}`)
    .send(body)
    .then((res) => res);
}

async function gauge(metrics: Metrics, name: string): Promise<number> {
  return (await metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400 && !(await condition()); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(await condition()).to.equal(true);
}

interface Batched {
  readonly app: Express;
  readonly metrics: Metrics;
}

function batchedApp(ledger: FakeLedger, overrides: Partial<AppConfig> = {}): Batched {
  const metrics = createMetrics();
  const app = createApp({ config: appConfig({ ballotBatchMax: 10, ballotBatchInFlight: 1, ...overrides }), ledger, metrics });
  return { app, metrics };
}

/**
 * Holds the peer, casts the first citizen (its transaction waits there, the poll's one in flight), then the others,
 * which gather behind it; then lets the peer go. The others share one CastBallots transaction.
 */
async function castBehindOne({ app, metrics }: Batched, hold: (gate: Promise<void>) => void, citizens: readonly string[], answer: (citizen: string) => string = () => 'red'): Promise<Response[]> {
  let open: () => void = () => undefined;
  hold(new Promise<void>((resolve) => { open = resolve; }));
  const [first = '', ...rest] = citizens;
  const responses = [cast(app, first, { answer: answer(first) })];
  try {
    await until(async () => (await gauge(metrics, 'ballot_batches_in_flight')) === 1);
    responses.push(...rest.map((citizen) => cast(app, citizen, { answer: answer(citizen) })));
    await until(async () => (await gauge(metrics, 'ballot_batch_queued')) === rest.length);
  } finally {
    open();
  }
  return Promise.all(responses);
}

describe('http ballots cast together (GATEWAY_BALLOT_BATCH_MAX > 1)', () => {
  let fake: FakeCastLedger;
  let batched: Batched;
  const hold = (gate: Promise<void>) => {
    fake.gate = gate;
  };

  beforeEach(() => {
    fake = fakeCastLedger();
    batched = batchedApp(fake.ledger);
  });

  it('when requests come while a transaction of their poll is in flight, then they go in one CastBallots transaction, each 201 with its own receipt', async () => {
    const citizens = ['c0', 'c1', 'c2', 'c3', 'c4'];
    const responses = await castBehindOne(batched, hold, citizens);
    expect(fake.endorsed).to.deep.equal([
      { name: 'CastBallots', voters: [token('c0')] },
      { name: 'CastBallots', voters: ['c1', 'c2', 'c3', 'c4'].map(token) },
    ]);
    expect(responses.map((res) => res.status)).to.deep.equal([201, 201, 201, 201, 201]);
    responses.slice(1).forEach((res, position) => {
      expect(res.body).to.deep.include({ ballotId: token(citizens[position + 1] ?? ''), txId: hexOf('tx 2'), blockNumber: 12, position });
    });
    const exposed = await batched.metrics.registry.metrics();
    expect(exposed).to.include('ballot_batch_size_sum 5').and.include('ballot_batch_size_count 2').and.include('ballot_batches_total{reason="settled"} 1');
  });

  it('when ballots of one transaction are refused, then each request gets the same answer as with CastBallot', async () => {
    const answer = (citizen: string) => (citizen === 'bad' ? 'bad' : 'red');
    const citizens = ['c0', 'bad', 'voted', 'ok'];
    await cast(batched.app, 'voted', { key: 'first' });
    const together = await castBehindOne(batched, hold, citizens, answer);
    const alone = fakeCastLedger();
    const single = createApp({ config: appConfig(), ledger: alone.ledger });
    await cast(single, 'voted', { key: 'first' });
    for (const [index, citizen] of citizens.entries()) {
      const expected = await cast(single, citizen, { answer: answer(citizen) });
      const got = together[index];
      expect(got?.status, citizen).to.equal(expected.status);
      if (expected.status !== 201) expect(got?.body).to.deep.equal(expected.body);
    }
    expect(together.map((res) => res.status)).to.deep.equal([201, 400, 409, 201]);
    expect(errorOf(together[1] ?? { body: {} })).to.deep.equal({
      code: 'INVALID_ANSWER',
      message: 'the question has no such option',
      details: { reason: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'bad' },
    });
    expect(errorOf(together[2] ?? { body: {} }).code).to.equal('ALREADY_VOTED');
    expect(alone.endorsed.every((call) => call.name === 'CastBallot')).to.equal(true);
  });

  it('when the transaction fails as a whole, then each of its requests gets that error', async () => {
    const ledger = fakeLedger();
    const app = batchedApp(ledger);
    let gate: Promise<void> = Promise.resolve();
    ledger.submit.callsFake(async () => {
      await gate;
      throw new LedgerUnavailableError('the ledger is not reachable');
    });
    const responses = await castBehindOne(app, (held) => { gate = held; }, ['c0', 'c1', 'c2', 'c3']);
    expect(ledger.submit.callCount).to.equal(2);
    expect(responses.map((res) => [res.status, errorOf(res).code])).to.deep.equal(Array.from({ length: 4 }, () => [503, 'LEDGER_UNAVAILABLE']));
  });

  it('when the commit is not known, then each request gets 202 naming its ballot, whose status URL resolves to that ballot’s receipt', async () => {
    fake.plan.push('commit', 'pending');
    const responses = await castBehindOne(batched, hold, ['c0', 'c1', 'c2']);
    const txId = hexOf('tx 2');
    expect(responses.slice(1).map((res): unknown[] => [res.status, res.body, res.headers.location])).to.deep.equal(
      [0, 1].map((position) => {
        const statusUrl = `/v1/transactions/${txId}?position=${String(position)}`;
        return [202, { txId, statusUrl, position }, statusUrl];
      }),
    );
    const status = (url: string) => request(batched.app).get(url).set('X-API-Key', KEYS['ballot-relay']);
    expect((await status(`/v1/transactions/${txId}?position=1`)).body).to.include({ outcome: 'PENDING' });
    const retry = await cast(batched.app, 'c2');
    expect([retry.status, retry.body]).to.deep.equal([202, { txId, statusUrl: `/v1/transactions/${txId}?position=1`, position: 1 }]);
    fake.commit(txId);
    for (const [position, citizen] of ['c1', 'c2'].entries()) {
      const body = (await status(`/v1/transactions/${txId}?position=${String(position)}`)).body as { receipt?: unknown };
      expect(body).to.deep.include({ outcome: 'COMMITTED', committed: true, valid: true });
      expect(body.receipt).to.deep.include({ ballotId: token(citizen), txId, position });
      const replay = await cast(batched.app, citizen);
      expect([replay.status, replay.headers['idempotent-replayed'], replay.body]).to.deep.equal([200, 'true', body.receipt]);
    }
    expect(fake.endorsed, 'no retry cast anything').to.have.length(2);
    expect([...fake.writes.values()]).to.deep.equal([1, 1, 1]);
  });

  it('when the position is not a ballot position, then 400', async () => {
    const res = await request(batched.app).get(`/v1/transactions/${hexOf('tx 1')}?position=100`).set('X-API-Key', KEYS.auditor);
    expect(res.status).to.equal(400);
  });
});

describe('http ballots one per transaction (GATEWAY_BALLOT_BATCH_MAX = 1)', () => {
  it('when ballots come together, then each is its own CastBallot, with a receipt as before (no position)', async () => {
    const fake = fakeCastLedger();
    const app = createApp({ config: appConfig({ ballotBatchMax: 1 }), ledger: fake.ledger });
    const responses = await Promise.all(['c0', 'c1', 'c2'].map((citizen) => cast(app, citizen)));
    expect(fake.endorsed.map((call) => call.name)).to.deep.equal(['CastBallot', 'CastBallot', 'CastBallot']);
    for (const res of responses) {
      expect(res.status).to.equal(201);
      expect(Object.keys(res.body as object).sort()).to.deep.equal(['ballotHash', 'ballotId', 'blockNumber', 'pollId', 'txId']);
    }
  });
});
