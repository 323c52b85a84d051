/**
 * Faults under load, each in its own scenario, against the real network and the REST gateway with its PostgreSQL
 * state: a platform-like client (support/platform-client.ts) casts ballots from distinct citizens and retries each
 * with its own Idempotency-Key until 201 or a 4xx, while one thing is killed and brought back. Afterwards the
 * ledger is held to the receipts (support/fault-check.ts): none lost, none counted twice, all settled, the auditor
 * passes. A table of figures is printed; recovery times are reported, not asserted. A longer soak:
 * `npm run test:e2e:faults:soak -w @poll-ledger/e2e` (rate and duration from the environment, see below).
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkAfterFault, faultTable, type FaultFigures, type LedgerReader } from './support/fault-check';
import { isAlive, networkScript, runDir } from './support/network';
import { startPlatformLoad } from './support/platform-client';
import { colourPoll, uniquePollId } from './support/polls';
import { roundRobin, startGatewayReplica } from './support/replicas';
import { apiKeys, call, gatewayScript, gatewayUrl } from './support/rest';

/** Citizens started per second, and seconds of load before and after each fault. */
const RATE = Number(process.env.POLL_LEDGER_E2E_FAULT_RATE ?? '5');
const LOAD_SECONDS = Number(process.env.POLL_LEDGER_E2E_FAULT_SECONDS ?? '5');
/** How long a killed node stays down. */
const DOWN_MS = Number(process.env.POLL_LEDGER_E2E_FAULT_DOWN_MS ?? '4000');

function pidOf(name: string): number {
  return Number(fs.readFileSync(path.join(runDir, 'pids', `${name}.pid`), 'utf8').trim());
}

/** SIGKILL of a node the scripts started, returning once it is gone. */
async function kill(name: string): Promise<void> {
  const pid = pidOf(name);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) throw new Error(`${name} (pid ${String(pid)}) is still alive 10 s after SIGKILL`);
}

describe('faults under load: nothing accepted is lost or counted twice', function () {
  let keys: ReturnType<typeof apiKeys>;
  const rows: FaultFigures[] = [];
  const admin: LedgerReader = {
    get: async (url) => {
      const reply = await call<Record<string, unknown>>('GET', url, { key: keys['poll-admin'] });
      return { status: reply.status, body: reply.body };
    },
    post: async (url, body) => {
      const reply = await call<Record<string, unknown>>('POST', url, { key: keys['poll-admin'], ...(body === undefined ? {} : { body }) });
      return { status: reply.status, body: reply.body };
    },
  };

  before(async function () {
    await gatewayScript('start');
    keys = apiKeys();
  });

  after(async function () {
    if (rows.length > 0) console.log(`\n      fault scenarios (rate ${String(RATE)}/s, ${String(LOAD_SECONDS)} s of load each side of the fault)\n${faultTable(rows).replace(/^/gm, '      ')}\n`);
    await gatewayScript('stop');
  });

  async function openPoll(label: string): Promise<string> {
    const id = uniquePollId(label);
    expect((await admin.post('/v1/polls', colourPoll(id))).status).to.equal(201);
    expect((await admin.post(`/v1/polls/${id}/open`)).status).to.equal(200);
    return id;
  }

  /** Load, the fault at LOAD_SECONDS, LOAD_SECONDS more of load once it is over, then the ledger check. */
  async function scenario(name: string, fault: () => Promise<void>, baseUrl: () => string = () => gatewayUrl): Promise<FaultFigures> {
    const pollId = await openPoll(name.replace(/[^a-z]+/g, '-').slice(0, 20));
    const load = startPlatformLoad({ baseUrl, relayKey: keys['ballot-relay'], pollId, rate: RATE, label: `${name.slice(0, 12)}-citizen` });
    await sleep(LOAD_SECONDS * 1000);
    const faultAt = Date.now();
    await fault();
    await sleep(LOAD_SECONDS * 1000);
    await load.finish();
    const figures = await checkAfterFault(name, pollId, load.outcomes, faultAt, admin);
    rows.push(figures);
    console.log(faultTable([figures]).replace(/^/gm, '      '));
    expect(figures.problems, figures.problems.join('\n')).to.deep.equal([]);
    expect(figures.receipts).to.be.greaterThan(0);
    return figures;
  }

  it('when the ordering service’s leader is killed (SIGKILL) and restarted, then every receipted ballot is counted once', async function () {
    await scenario('orderer leader killed', async () => {
      await kill('orderer0.city');
      await sleep(DOWN_MS);
      await networkScript('start', 'orderer0.city');
    });
  });

  it('when the gateway is killed (SIGKILL) between submit and commit and restarted, then its 202s resolve and nothing is lost', async function () {
    await scenario('gateway killed', async () => {
      await kill('gateway');
      await sleep(DOWN_MS);
      await gatewayScript('start');
    });
  });

  it('when the gateway’s peer is killed, loses its state database and rebuilds it, then every result read from it is identical', async function () {
    const earlier = rows.length > 0 ? await admin.get('/v1/polls?status=tallied&pageSize=50') : undefined;
    const before = new Map<string, unknown>();
    for (const poll of (earlier?.body.polls as { id: string }[] | undefined) ?? []) before.set(poll.id, (await admin.get(`/v1/polls/${poll.id}/results`)).body);
    await scenario('peer state rebuilt', async () => {
      await kill('peer0.city');
      await networkScript('rebuildDbs', 'peer0.city');
      await networkScript('start', 'peer0.city');
    });
    for (const [id, results] of before) expect((await admin.get(`/v1/polls/${id}/results`)).body, `results of ${id}`).to.deep.equal(results);
  });

  it('when one of two gateway replicas behind one address is killed, then the other carries on and nothing is lost', async function () {
    const replica = await startGatewayReplica();
    const front = await roundRobin([gatewayUrl, replica.url]);
    try {
      await scenario('replica killed', () => {
        replica.kill('SIGKILL');
        return Promise.resolve();
      }, () => front.url);
    } finally {
      replica.kill('SIGKILL');
      await front.close();
    }
  });
});
