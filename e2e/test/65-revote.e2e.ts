/**
 * Re-vote order that follows the citizen (last-counts). A request R1 whose fate the platform does not know (202)
 * may reach the ledger after the citizen's later ballot R2, as a late submit of its endorsed transaction or as the
 * platform's retry with the same Idempotency-Key. Neither may replace R2: the late submit fails MVCC_READ_CONFLICT
 * (R2 changed the key), and R1 endorsed again is SUPERSEDED because it carries its first requestedAt.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { Transaction } from '@hyperledger/fabric-gateway';
import { CommitPendingError } from '@poll-ledger/gateway/dist/errors';
import { Limits } from '@poll-ledger/protocol';
import { evaluate, openColourPoll, refusalOf, statusName, submit, usePollActors } from './support/fabric';
import { type InProcessGateway, startInProcessGateway } from './support/gateway-app';
import { colourPoll, type Receipt, uniquePollId, voterToken } from './support/polls';

const R1 = { q1: ['red'], q2: ['wifi'] };
const R2 = { q1: ['blue'], q2: [] };
const requestIdOf = (label: string): string => createHash('sha256').update(`e2e-request:${label}`).digest('hex');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Reply<T = unknown> { status: number; body: T }
interface ErrorBody { error: { code: string; message: string } }

describe('re-vote order: a late earlier request never replaces a later ballot', function () {
  const actors = usePollActors();

  it('when R1 is endorsed, R2 commits, then R1 is submitted, then R1 fails MVCC_READ_CONFLICT; endorsed again it is SUPERSEDED; the ledger keeps R2', async function () {
    const pollId = await openColourPoll(actors.cityAdmin, 'revote-cc', { revotePolicy: 'last-counts' });
    const token = voterToken(pollId, 'citizen-r');
    const r1Args = [pollId, token, JSON.stringify(R1), requestIdOf(`${pollId}-r1`), new Date().toISOString()];
    const r1 = await actors.relay.contract.newProposal('CastBallot', { arguments: r1Args }).endorse();

    await pause(10);
    const r2At = new Date().toISOString();
    const r2 = await submit(actors.relay, 'CastBallot', pollId, token, JSON.stringify(R2), requestIdOf(`${pollId}-r2`), r2At);
    expect(r2).to.include({ replaced: false, duplicate: false });

    const late = await (await r1.submit()).getStatus();
    expect(statusName(late.code)).to.equal('MVCC_READ_CONFLICT');
    expect(await refusalOf(submit(actors.relay, 'CastBallot', ...r1Args))).to.equal('SUPERSEDED');

    const ballot = await evaluate(actors.observer, 'GetBallot', pollId, token);
    expect(ballot).to.deep.include({ txId: r2.txId, answers: R2, requestId: requestIdOf(`${pollId}-r2`), requestedAt: r2At });
    expect(await evaluate(actors.observer, 'GetBallotHistory', pollId, token)).to.have.length(1);
  });

  it(`when a request older than the ${String(Limits.earlierRequests)} remembered ones is retried after as many re-votes, then it is SUPERSEDED, not a new ballot`, async function () {
    this.timeout(240_000);
    const pollId = await openColourPoll(actors.cityAdmin, 'revote-old', { revotePolicy: 'last-counts' });
    const token = voterToken(pollId, 'citizen-old');
    const first = Date.now() - 600_000;
    const at = (i: number): string => new Date(first + i * 1000).toISOString();
    const cast = (i: number, answers: object) => submit(actors.relay, 'CastBallot', pollId, token, JSON.stringify(answers), requestIdOf(`${pollId}-${String(i)}`), at(i));
    await cast(0, R1);
    // One more re-vote than the ballot record remembers, so request 0 is no longer among its earlierRequests.
    for (let i = 1; i <= Limits.earlierRequests + 1; i++) await cast(i, i % 2 === 0 ? R1 : R2);
    const before = await evaluate(actors.observer, 'GetBallot', pollId, token);
    expect(before.earlierRequests?.some((r) => r.requestId === requestIdOf(`${pollId}-0`))).to.equal(false);

    expect(await refusalOf(cast(0, R1))).to.equal('SUPERSEDED');
    const after = await evaluate(actors.observer, 'GetBallot', pollId, token);
    expect(after.txId).to.equal(before.txId);
  });

  describe('through the REST gateway', function () {
    let gateway: InProcessGateway;
    /** When set, the next CastBallot or CastBallots is endorsed but held here, and the gateway is told its outcome is unknown. */
    let holdNext = false;
    let held: Transaction | undefined;

    before(async function () {
      gateway = await startInProcessGateway(async (request, next) => {
        if (!holdNext || (request.name !== 'CastBallot' && request.name !== 'CastBallots')) return next(request);
        holdNext = false;
        held = await actors.relay.contract.newProposal(request.name, { arguments: [...request.args] }).endorse();
        throw new CommitPendingError(held.getTransactionId());
      });
    });
    after(async function () {
      await gateway.close();
    });

    async function call<T>(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
      const res = await fetch(gateway.url + path, {
        method,
        headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as T };
    }

    async function openPoll(): Promise<string> {
      const id = uniquePollId('revote-rest');
      const admin = gateway.keys['poll-admin'];
      expect((await call('POST', '/v1/polls', admin, colourPoll(id, { revotePolicy: 'last-counts' }))).status).to.equal(201);
      expect((await call('POST', `/v1/polls/${id}/open`, admin)).status).to.equal(200);
      return id;
    }

    const cast = (pollId: string, key: string, answers: object, votedAt?: string) =>
      call<Receipt | ErrorBody>('POST', `/v1/polls/${pollId}/ballots`, gateway.keys['ballot-relay'],
        { citizenId: 'citizen-rest', answers, ...(votedAt === undefined ? {} : { votedAt }) }, { 'idempotency-key': key });
    const ballotOf = (pollId: string, ballotId: string) =>
      call<{ answers: unknown; txId: string; requestedAt?: string }>('GET', `/v1/polls/${pollId}/ballots/${ballotId}`, gateway.keys.auditor);

    it('when R1 got 202, R2 got 201, R1 then lands late and is retried with its Idempotency-Key, then the retry is 409 SUPERSEDED and the ballot is still R2', async function () {
      const pollId = await openPoll();
      holdNext = true;
      const first = await cast(pollId, `${pollId}-k1`, R1);
      expect(first.status, JSON.stringify(first.body)).to.equal(202);
      expect(held).to.not.equal(undefined);

      await pause(10);
      const second = await cast(pollId, `${pollId}-k2`, R2);
      expect(second.status, JSON.stringify(second.body)).to.equal(201);
      const r2 = second.body as Receipt;

      const late = await (await (held as Transaction).submit()).getStatus();
      expect(statusName(late.code)).to.equal('MVCC_READ_CONFLICT');

      const retry = await cast(pollId, `${pollId}-k1`, R1);
      expect(retry.status, JSON.stringify(retry.body)).to.equal(409);
      expect((retry.body as ErrorBody).error.code).to.equal('SUPERSEDED');

      const ballot = await ballotOf(pollId, r2.ballotId);
      expect(ballot.status).to.equal(200);
      expect(ballot.body).to.deep.include({ answers: R2, txId: r2.txId });
    });

    it('when the platform dates a ballot with votedAt, then one dated before the recorded ballot is 409 SUPERSEDED and a later one replaces it', async function () {
      const pollId = await openPoll();
      const recorded = await cast(pollId, `${pollId}-k1`, R2);
      expect(recorded.status, JSON.stringify(recorded.body)).to.equal(201);
      const { ballotId } = recorded.body as Receipt;

      const older = await cast(pollId, `${pollId}-k2`, R1, new Date(Date.now() - 300_000).toISOString());
      expect(older.status, JSON.stringify(older.body)).to.equal(409);
      expect((older.body as ErrorBody).error.code).to.equal('SUPERSEDED');

      const votedAt = new Date().toISOString();
      const newer = await cast(pollId, `${pollId}-k3`, R1, votedAt);
      expect(newer.status, JSON.stringify(newer.body)).to.equal(201);
      expect((await ballotOf(pollId, ballotId)).body).to.deep.include({ answers: R1, requestedAt: votedAt });
    });
  });
});
