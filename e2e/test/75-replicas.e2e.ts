/**
 * Two gateway replicas on one real PostgreSQL server, against the real network: one Idempotency-Key gives one
 * ballot and one receipt whichever replica it reaches, and a 202 whose transaction never reached the orderer is
 * seen through by the other replica after the first one is gone, to a receipt of a ballot counted once.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CommitPendingError } from '@poll-ledger/gateway/dist/errors';
import { connectAs } from './support/fabric';
import { type InProcessGateway, startInProcessGateway } from './support/gateway-app';
import { repoRoot } from './support/network';
import { colourPoll, type Receipt, uniquePollId } from './support/polls';

const PG = path.join(repoRoot, 'test-network-scripts', 'lib', 'postgres.sh');

interface Reply { status: number; body: Record<string, unknown> }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => { if (typeof address === 'object' && address) resolve(address.port); else reject(new Error('no port')); });
    });
  });
}

async function request(gateway: InProcessGateway, method: string, url: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(gateway.url + url, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('gateway replicas on PostgreSQL', function () {
  let dir: string;
  let databaseUrl: string;
  const replicas: InProcessGateway[] = [];

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'e2e-replicas-pg-'));
    chmodSync(dir, 0o755);
    const port = String(await freePort());
    execFileSync('bash', [PG, 'start', path.join(dir, 'data'), port], { stdio: ['ignore', 'ignore', 'inherit'] });
    databaseUrl = execFileSync('bash', [PG, 'url', port], { encoding: 'utf8' }).trim();
  });

  after(async function () {
    await Promise.all(replicas.splice(0).map((replica) => replica.close().catch(() => undefined)));
    execFileSync('bash', [PG, 'stop', path.join(dir, 'data')], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  async function replica(hook?: Parameters<typeof startInProcessGateway>[0]): Promise<InProcessGateway> {
    const env = { GATEWAY_PENDING_SWEEP_MS: '200', GATEWAY_PENDING_RETRY_BASE_MS: '200', GATEWAY_PENDING_MAX_RESUBMITS: '1' };
    const started = await startInProcessGateway(hook, { databaseUrl, env });
    replicas.push(started);
    return started;
  }

  async function openPoll(gateway: InProcessGateway): Promise<string> {
    const id = uniquePollId('replicas');
    const admin = gateway.keys['poll-admin'];
    expect((await request(gateway, 'POST', '/v1/polls', admin, colourPoll(id))).status).to.equal(201);
    expect((await request(gateway, 'POST', `/v1/polls/${id}/open`, admin)).status).to.equal(200);
    return id;
  }

  it('when one Idempotency-Key reaches both replicas, in turn and at once, then there is one ballot and one receipt', async function () {
    const [a, b] = [await replica(), await replica()];
    const pollId = await openPoll(a);
    const relay = a.keys['ballot-relay'];
    const cast = (gateway: InProcessGateway, citizenId: string, key: string, answer = 'red') =>
      request(gateway, 'POST', `/v1/polls/${pollId}/ballots`, relay, { citizenId, answers: { q1: [answer], q2: [] } }, { 'idempotency-key': key });

    const key = randomUUID();
    const first = await cast(a, 'citizen-turns', key);
    const second = await cast(b, 'citizen-turns', key);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(second.status, JSON.stringify(second.body)).to.equal(200);
    expect(second.body).to.deep.equal(first.body);

    const reused = await cast(b, 'citizen-turns', key, 'blue');
    expect(reused.status, 'a key reused with other answers is refused on the other replica').to.equal(422);

    const together = randomUUID();
    const both = await Promise.all([cast(a, 'citizen-together', together), cast(b, 'citizen-together', together)]);
    expect(both.map((reply) => reply.status).sort(), JSON.stringify(both.map((r) => r.body))).to.deep.equal([200, 201]);
    const [left, right] = both;
    expect(left.body.ballotHash).to.equal(right.body.ballotHash);
    expect(left.body.txId).to.equal(right.body.txId);

    const results = await request(a, 'GET', `/v1/polls/${pollId}/results`, a.keys['poll-admin']);
    expect(results.body.ballotCount, 'two citizens, two ballots').to.equal(2);
  });

  it('when a 202’s transaction never reached the orderer and its replica is gone, then the other replica resolves the status URL to a receipt counted once', async function () {
    // Replica A answers 202 for a transaction that no orderer ever got. It is endorsed for real (so the gateway keeps
    // its true result, as it does when a submit's fate is unknown), but its kept envelope is garbage, so each resubmit
    // fails and the request must be endorsed anew. The hook only decides A's first submit of a ballot.
    let lostTxId = '';
    const relayIdentity = connectAs('city', 'ballot-relay');
    const a = await replica(async (txRequest, next) => {
      if (txRequest.name !== 'CastBallot' && txRequest.name !== 'CastBallots') return next(txRequest);
      const endorsed = await relayIdentity.contract.newProposal(txRequest.name, { arguments: [...txRequest.args] }).endorse();
      lostTxId = endorsed.getTransactionId();
      throw new CommitPendingError(lostTxId, { prepared: { envelope: new Uint8Array([1, 2, 3]), result: endorsed.getResult(), proposedAt: Date.now() } });
    });
    const b = await replica();
    const pollId = await openPoll(b);
    const relay = a.keys['ballot-relay'];
    const ballot = { citizenId: 'citizen-lost', answers: { q1: ['blue'], q2: ['usb'] } };
    const accepted = await request(a, 'POST', `/v1/polls/${pollId}/ballots`, relay, ballot, { 'idempotency-key': 'lost-key' });
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(202);
    // A ballot the gateway batched is found by its position in the transaction.
    const statusUrl = accepted.body.statusUrl as string;
    expect(statusUrl).to.match(new RegExp(`^/v1/transactions/${lostTxId}(\\?position=0)?$`));
    await a.close();
    replicas.splice(replicas.indexOf(a), 1);

    let status: Reply | undefined;
    for (const start = Date.now(); Date.now() - start < 60_000; ) {
      status = await request(b, 'GET', statusUrl, b.keys.auditor);
      if (status.body.outcome !== 'PENDING') break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(status?.body.outcome, JSON.stringify(status?.body)).to.equal('COMMITTED');
    const receipt = status?.body.receipt as Receipt;
    expect(receipt.txId).not.to.equal(lostTxId);

    const retry = await request(b, 'POST', `/v1/polls/${pollId}/ballots`, relay, ballot, { 'idempotency-key': 'lost-key' });
    expect(retry.status, 'the retry replays the resolved receipt').to.equal(200);
    expect(retry.body).to.deep.equal(receipt);
    const onLedger = await request(b, 'GET', `/v1/polls/${pollId}/ballots/${receipt.ballotId}`, b.keys.auditor);
    expect(onLedger.body.ballotHash).to.equal(receipt.ballotHash);
    const results = await request(b, 'GET', `/v1/polls/${pollId}/results`, b.keys['poll-admin']);
    expect(results.body.ballotCount, 'counted once').to.equal(1);
    relayIdentity.close();
  });
});
