/**
 * The gateway's coalescing on the real network: concurrent ballots of a poll share CastBallots transactions, and each
 * request still gets its own receipt or refusal, its own ledger record, its own event, and is counted once.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { type Answers, BALLOT_CAST, type Results, type TallyProgress } from '@poll-ledger/protocol';
import { answersFor, colourPoll, expectedCounts, type Receipt, uniquePollId } from './support/polls';
import { apiKeys, call, gatewayOpsUrl, gatewayScript, readEvents, type SseEvent } from './support/rest';

interface ErrorBody { error: { code: string } }

/** The count of a Prometheus histogram or counter line of the gateway's /metrics. */
async function metric(line: RegExp): Promise<number> {
  const text = await (await fetch(`${gatewayOpsUrl()}/metrics`)).text();
  return Number(line.exec(text)?.[1] ?? 0);
}

describe('gateway: ballots coalesced into CastBallots transactions', function () {
  let keys: ReturnType<typeof apiKeys>;

  before(async function () {
    await gatewayScript('start');
    keys = apiKeys();
  });
  after(async function () {
    await gatewayScript('stop');
  });

  async function openPoll(): Promise<string> {
    const id = uniquePollId('batch');
    expect((await call('POST', '/v1/polls', { key: keys['poll-admin'], body: colourPoll(id) })).status).to.equal(201);
    expect((await call('POST', `/v1/polls/${id}/open`, { key: keys['poll-admin'] })).status).to.equal(200);
    return id;
  }

  const cast = (pollId: string, citizenId: string, answers: unknown) =>
    call<Receipt | ErrorBody>('POST', `/v1/polls/${pollId}/ballots`, {
      key: keys['ballot-relay'], body: { citizenId, answers }, headers: { 'idempotency-key': randomUUID() },
    });

  it('when 80 citizens vote at once, one with a wrong answer, then they share transactions, each gets its own receipt or 400, and each counts once', async function () {
    const pollId = await openPoll();
    const batchesBefore = await metric(/^ballot_batch_size_count (\d+)/m);
    const answers: Answers[] = Array.from({ length: 80 }, (_, i) => answersFor(i));
    const replies = await Promise.all([
      ...answers.map((a, i) => cast(pollId, `together-${String(i)}`, a)),
      cast(pollId, 'together-wrong', { q1: ['purple'], q2: [] }),
    ]);
    const wrong = replies.pop();
    expect(wrong?.status, JSON.stringify(wrong?.body)).to.equal(400);
    expect((wrong?.body as ErrorBody).error.code).to.equal('INVALID_ANSWER');
    for (const reply of replies) expect(reply.status, JSON.stringify(reply.body)).to.equal(201);

    const receipts = replies.map((r) => r.body as Receipt);
    const txIds = new Set(receipts.map((r) => r.txId));
    expect(txIds.size, 'the 80 ballots travelled in fewer transactions').to.be.below(80);
    expect(await metric(/^ballot_batch_size_count (\d+)/m)).to.be.above(batchesBefore);
    const places = receipts.map((r) => `${r.txId}:${String(r.position)}`);
    expect(new Set(places).size, 'each ballot has its own place in its transaction').to.equal(80);
    expect(new Set(receipts.map((r) => r.ballotId)).size).to.equal(80);

    for (const r of receipts.slice(0, 10)) {
      const stored = await call<{ ballotHash: string; txId: string; position?: number }>('GET', `/v1/polls/${pollId}/ballots/${r.ballotId}`, { key: keys.auditor });
      expect(stored.body).to.include({ ballotHash: r.ballotHash, txId: r.txId });
      expect(stored.body.position).to.equal(r.position);
      const tx = await call<{ outcome: string }>('GET', `/v1/transactions/${r.txId}`, { key: keys.auditor });
      expect(tx.body.outcome).to.equal('COMMITTED');
    }

    expect((await call('POST', `/v1/polls/${pollId}/close`, { key: keys['poll-admin'] })).status).to.equal(200);
    let tally = await call<Pick<TallyProgress, 'done'>>('POST', `/v1/polls/${pollId}/tally`, { key: keys['poll-admin'], body: {} });
    while (tally.status === 200 && !tally.body.done) {
      tally = await call<Pick<TallyProgress, 'done'>>('POST', `/v1/polls/${pollId}/tally`, { key: keys['poll-admin'], body: {} });
    }
    const results = await call<Results>('GET', `/v1/polls/${pollId}/results`, { key: keys.auditor });
    expect(results.body).to.include({ final: true, ballotCount: 80 });
    expect(results.body.counts).to.deep.equal(expectedCounts(answers));
  });

  it('when ballots shared a transaction, then the event stream carries one BallotCast per ballot, with its own resumable id', async function () {
    const pollId = await openPoll();
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => cast(pollId, `events-${String(i)}`, answersFor(i))));
    const receipts = replies.map((r) => r.body as Receipt);
    const mine = (e: SseEvent): boolean => {
      const data = e.data as { eventName?: string; payload?: { pollId?: string } };
      return data.eventName === BALLOT_CAST && data.payload?.pollId === pollId;
    };
    const from = Math.min(...receipts.map((r) => r.blockNumber));
    const events = await readEvents(keys.auditor, 12, mine, { startBlock: from });
    expect(events).to.have.length(12);
    expect(new Set(events.map((e) => e.id)).size, 'ids are unique').to.equal(12);
    const hashes = events.map((e) => (e.data as { payload: { ballotHash: string } }).payload.ballotHash).sort();
    expect(hashes).to.deep.equal(receipts.map((r) => r.ballotHash).sort());

    // Resuming after the fifth event gives exactly the seven after it, even inside one transaction.
    const rest = await readEvents(keys.auditor, 7, mine, { lastEventId: events[4]?.id ?? '' }, 20_000);
    expect(rest.map((e) => e.id)).to.deep.equal(events.slice(5).map((e) => e.id));
  });
});
