/**
 * The REST gateway against the real network: the platform backend's whole journey,
 * idempotency, refusals, the event stream, and a peer outage.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Answers, BALLOT_CAST, type Results, type TallyProgress } from '@poll-ledger/protocol';
import { connectAs, evaluate } from './support/fabric';
import { networkScript, runDir } from './support/network';
import { colourPoll, type Receipt, uniquePollId } from './support/polls';
import { apiKeys, call, gatewayOpsUrl, gatewayScript, readEvents, type SseEvent } from './support/rest';

interface ErrorBody { error: { code: string; message: string } }

describe('gateway: REST on the real network', function () {
  let keys: ReturnType<typeof apiKeys>;

  before(async function () {
    await gatewayScript('start');
    keys = apiKeys();
  });
  after(async function () {
    await gatewayScript('stop');
  });

  async function createOpenPoll(overrides: Parameters<typeof colourPoll>[1] = {}): Promise<string> {
    const id = uniquePollId('rest');
    const created = await call('POST', '/v1/polls', { key: keys['poll-admin'], body: colourPoll(id, overrides) });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.include({ id, status: 'draft' });
    const opened = await call('POST', `/v1/polls/${id}/open`, { key: keys['poll-admin'] });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(200);
    return id;
  }

  function cast(pollId: string, citizenId: string, answers: Answers, idempotencyKey = randomUUID()) {
    return call<Receipt | ErrorBody>('POST', `/v1/polls/${pollId}/ballots`, {
      key: keys['ballot-relay'], body: { citizenId, answers }, headers: { 'idempotency-key': idempotencyKey },
    });
  }

  it('when a poll runs its whole course through REST, then the results match the ballots and every receipt checks out', async function () {
    const pollId = await createOpenPoll();
    const votes: [string, Answers][] = [
      ['alice', { q1: ['red'], q2: ['wifi'] }],
      ['bob', { q1: ['blue'], q2: ['wifi', 'usb'] }],
      ['carol', { q1: ['red'], q2: [] }],
    ];
    const receipts: Receipt[] = [];
    for (const [citizen, answers] of votes) {
      const reply = await cast(pollId, citizen, answers);
      expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
      receipts.push(reply.body as Receipt);
    }
    for (const r of receipts) {
      expect(r.pollId).to.equal(pollId);
      expect(r.blockNumber).to.be.a('number');
      expect(JSON.stringify(r)).not.to.match(/alice|bob|carol/);
    }

    expect((await call('POST', `/v1/polls/${pollId}/close`, { key: keys['poll-admin'] })).status).to.equal(200);
    let tally = await call<Pick<TallyProgress, 'done'>>('POST', `/v1/polls/${pollId}/tally`, { key: keys['poll-admin'], body: {} });
    while (tally.status === 200 && !tally.body.done) {
      tally = await call<Pick<TallyProgress, 'done'>>('POST', `/v1/polls/${pollId}/tally`, { key: keys['poll-admin'], body: {} });
    }
    expect(tally.status, JSON.stringify(tally.body)).to.equal(200);

    const results = await call<Results>('GET', `/v1/polls/${pollId}/results`, { key: keys.auditor });
    expect(results.status).to.equal(200);
    expect(results.body).to.include({ pollId, status: 'tallied', final: true, ballotCount: 3 });
    expect(results.body.counts).to.deep.equal({ q1: { red: 2, green: 0, blue: 1 }, q2: { wifi: 2, usb: 1, ac: 0 } });

    for (const r of receipts) {
      const ballot = await call<{ ballotHash: string; txId: string }>('GET', `/v1/polls/${pollId}/ballots/${r.ballotId}`, { key: keys.auditor });
      expect(ballot.status).to.equal(200);
      expect(ballot.body).to.include({ ballotHash: r.ballotHash, txId: r.txId });
      const tx = await call<{ status?: string; validationCode?: string; blockNumber?: number }>('GET', `/v1/transactions/${r.txId}`, { key: keys.auditor });
      expect(tx.status).to.equal(200);
      expect(JSON.stringify(tx.body)).to.contain('VALID');
    }
  });

  it('when ballots and a re-vote commit in a live poll, then the running results equal the chaincode’s recount of every ballot', async function () {
    const pollId = await createOpenPoll({ revotePolicy: 'last-counts', resultsVisibility: 'live' });
    const votes: [string, Answers][] = [
      ['frank', { q1: ['red'], q2: ['wifi'] }],
      ['grace', { q1: ['blue'], q2: ['usb'] }],
      ['heidi', { q1: ['green'], q2: [] }],
      // frank changes his mind: red and wifi move to blue and ac, and he still counts once.
      ['frank', { q1: ['blue'], q2: ['ac'] }],
    ];
    let lastBlock = 0;
    for (const [citizen, answers] of votes) {
      const reply = await cast(pollId, citizen, answers);
      expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
      lastBlock = Math.max(lastBlock, (reply.body as Receipt).blockNumber);
    }
    type Running = Results & { asOfBlock: number; source: string };
    const running = async () => (await call<Running>('GET', `/v1/polls/${pollId}/results`, { key: keys['ballot-relay'] })).body;
    // The gateway follows the chain's events; a committed ballot reaches its count within moments.
    let live = await running();
    for (let tries = 0; tries < 50 && live.asOfBlock < lastBlock; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      live = await running();
    }
    expect(live).to.include({ pollId, final: false, source: 'running-count', ballotCount: 3 });
    expect(live.counts).to.deep.equal({ q1: { red: 0, green: 1, blue: 2 }, q2: { wifi: 0, usb: 1, ac: 1 } });

    const recount = await call<Results>('GET', `/v1/polls/${pollId}/results?recount=true`, { key: keys.auditor });
    expect(recount.status, JSON.stringify(recount.body)).to.equal(200);
    const { status, final, ballotCount, counts, ballotsRoot } = live;
    expect({ pollId, status, final, ballotCount, counts, ballotsRoot }).to.deep.equal(recount.body);
    const refused = await call<ErrorBody>('GET', `/v1/polls/${pollId}/results?recount=true`, { key: keys['ballot-relay'] });
    expect(refused.status).to.equal(403);
  });

  it('when the same Idempotency-Key is sent twice and concurrently, then one ballot is on the ledger and every reply is the same receipt', async function () {
    const pollId = await createOpenPoll({ revotePolicy: 'last-counts' });
    const key = randomUUID();
    const first = await cast(pollId, 'dave', { q1: ['green'], q2: [] }, key);
    const again = await cast(pollId, 'dave', { q1: ['green'], q2: [] }, key);
    expect(first.status).to.equal(201);
    expect(again.body).to.deep.equal(first.body);

    const racingKey = randomUUID();
    const racing = await Promise.all(Array.from({ length: 5 }, () => cast(pollId, 'erin', { q1: ['blue'], q2: ['ac'] }, racingKey)));
    const bodies = new Set(racing.map((r) => JSON.stringify(r.body)));
    expect(bodies.size, [...bodies].join('\n')).to.equal(1);
    expect(racing.map((r) => r.status).filter((s) => s === 201)).to.have.length.at.most(1);

    const ledger = connectAs('observer', 'auditor');
    try {
      for (const r of [first.body as Receipt, racing[0]?.body as Receipt]) {
        const history = await evaluate(ledger, 'GetBallotHistory', pollId, r.ballotId);
        expect(history).to.have.length(1);
      }
    } finally {
      ledger.close();
    }
  });

  it('when requests are wrong, then each gets its 4xx and a stable code, never a stack trace', async function () {
    const pollId = await createOpenPoll();
    const bad = await cast(pollId, 'frank', { q1: ['purple'], q2: [] });
    expect(bad.status).to.equal(400);
    expect((bad.body as ErrorBody).error.code).to.equal('INVALID_ANSWER');

    const malformed = await call<ErrorBody>('POST', '/v1/polls', { key: keys['poll-admin'], body: { title: 42 } });
    expect(malformed.status).to.equal(400);
    expect(malformed.body.error.code).to.be.a('string');

    const missing = await call<ErrorBody>('GET', '/v1/polls/no-such-poll', { key: keys.auditor });
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('NOT_FOUND');

    const wrongKey = await call<ErrorBody>('GET', `/v1/polls/${pollId}`, { key: 'not-a-key' });
    expect(wrongKey.status).to.equal(401);

    const wrongRole = await call<ErrorBody>('POST', '/v1/polls', { key: keys['ballot-relay'], body: colourPoll(uniquePollId('role')) });
    expect(wrongRole.status).to.equal(403);
    expect(wrongRole.body.error.code).to.equal('FORBIDDEN');

    const huge = await call<ErrorBody>('POST', '/v1/polls', { key: keys['poll-admin'], body: { ...colourPoll(uniquePollId('big')), description: 'x'.repeat(2_000_000) } });
    expect(huge.status).to.equal(413);

    const twice = await cast(pollId, 'grace', { q1: ['red'], q2: [] });
    const thrice = await cast(pollId, 'grace', { q1: ['red'], q2: [] });
    expect(twice.status).to.equal(201);
    expect(thrice.status).to.equal(409);
    expect((thrice.body as ErrorBody).error.code).to.equal('ALREADY_VOTED');

    for (const reply of [bad, malformed, missing, wrongKey, wrongRole, huge, thrice]) {
      expect(JSON.stringify(reply.body)).not.to.match(/\bat .+\.(js|ts):\d+/);
    }
  });

  it('when the SSE stream is read, interrupted and resumed with Last-Event-ID, then BallotCast events arrive without gaps or duplicates', async function () {
    const pollId = await createOpenPoll();
    const mine = (e: SseEvent): boolean => {
      const data = e.data as { eventName?: string; payload?: { pollId?: string } };
      return data.eventName === BALLOT_CAST && data.payload?.pollId === pollId;
    };
    const receipts: Receipt[] = [];
    for (let i = 0; i < 4; i++) receipts.push((await cast(pollId, `sse-${String(i)}`, { q1: ['red'], q2: [] })).body as Receipt);
    const txIds = receipts.map((r) => r.txId);

    const firstTwo = await readEvents(keys.auditor, 2, mine, { startBlock: receipts[0]?.blockNumber ?? 0 });
    expect(firstTwo.map((e) => (e.data as { txId: string }).txId)).to.deep.equal(txIds.slice(0, 2));

    for (let i = 4; i < 6; i++) txIds.push(((await cast(pollId, `sse-${String(i)}`, { q1: ['red'], q2: [] })).body as Receipt).txId);
    const rest = await readEvents(keys.auditor, 4, mine, { lastEventId: firstTwo[1]?.id ?? '' });
    expect(rest.map((e) => (e.data as { txId: string }).txId)).to.deep.equal(txIds.slice(2));
  });

  it('when the peer the gateway uses stops, then requests get 503, and they succeed again once it is back', async function () {
    const pidFile = path.join(runDir, 'pids', 'peer0.city.pid');
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGTERM');
    await new Promise((r) => setTimeout(r, 3000));

    const down = await fetch(`${gatewayOpsUrl()}/readyz`);
    expect(down.status).to.equal(503);
    const refused = await call<ErrorBody>('POST', '/v1/polls', { key: keys['poll-admin'], body: colourPoll(uniquePollId('outage')) });
    expect(refused.status).to.equal(503);
    expect(refused.body.error.code).to.equal('LEDGER_UNAVAILABLE');

    await networkScript('up'); // restarts what is not running, from the kept state
    let ready = 0;
    for (let i = 0; i < 60 && ready !== 200; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      ready = (await fetch(`${gatewayOpsUrl()}/readyz`)).status;
    }
    expect(ready).to.equal(200);
    let created = 0;
    for (let i = 0; i < 30 && created !== 201; i++) {
      created = (await call('POST', '/v1/polls', { key: keys['poll-admin'], body: colourPoll(uniquePollId('recovered')) })).status;
      if (created !== 201) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(created).to.equal(201);
  });
});
