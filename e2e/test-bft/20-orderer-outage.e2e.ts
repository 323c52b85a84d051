/**
 * One orderer crashes under a steady load of ballots, from a relay that retries each ballot until it commits (same
 * voter token, requestId and requestedAt: support/retrying-cast.ts): first the BFT leader, then a follower. Ordering
 * resumes with the three others (a view change when the leader went), the crashed node catches up once restarted
 * from its kept state, and every ballot that got a receipt is on the ledger VALID exactly once. The times are
 * printed, not asserted tightly: the machine's two cores also run the whole network and the load.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { evaluate, openColourPoll, runPool, submit, tallyAll, usePollActors } from '../test/support/fabric';
import { type BlockWatch, chainHeight, ordererSigningKeys, readBlocks, signatureProblems, watchBlocks } from '../test/support/ledger';
import {
  bftLeader,
  killOrderer,
  ordererMetrics,
  ordererName,
  ordererOrgs,
  orderingIdle,
  startOrderer,
  startStoppedOrderers,
  waitCaughtUp,
} from '../test/support/orderers';
import { expectedCounts } from '../test/support/polls';
import { ballotWrites, exactlyOnceProblems, type Settled, settledSummary, startSteadyLoad, type SteadyLoad } from '../test/support/retrying-cast';

/** Ballots started per second (distinct voters); POLL_LEDGER_E2E_BFT_RATE overrides it. */
const RATE = Number(process.env.POLL_LEDGER_E2E_BFT_RATE ?? '10');
/** Ordering must be back this soon after a crash: generous (leader heartbeat and view change timeouts are 10 s each). */
const RESUME_BOUND_MS = 60_000;
/** A crashed node stays down at least this long, and 3 s past the moment ordering resumed. */
const MIN_DOWN_MS = 8_000;

const seconds = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

interface Outage {
  readonly org: string;
  readonly role: 'leader' | 'follower';
  /** Kill → the first block on the observer's peer holding a transaction proposed after the kill. */
  readonly resumedMs?: number;
  /** Kill → restart. */
  readonly downMs: number;
  /** Blocks the others ordered while it was down. */
  readonly blocksMissed: number;
  /** Restart (network.sh start) → its ledger as high as the others'. */
  readonly caughtUpMs: number;
  /** The leader afterwards. */
  readonly leaderAfter: string;
}

/** Waits until the load has COUNT more receipts than it has now. */
async function moreReceipts(load: SteadyLoad, count: number, timeoutMs = 60_000): Promise<void> {
  const receipts = (): number => load.settled.filter((s) => s.receipt !== undefined).length;
  const target = receipts() + count;
  const deadline = Date.now() + timeoutMs;
  while (receipts() < target) {
    if (Date.now() > deadline) throw new Error(`the load got fewer than ${String(count)} receipts in ${String(timeoutMs / 1000)} s`);
    await sleep(250);
  }
}

async function heightOf(org: string): Promise<number> {
  const metrics = await ordererMetrics(org);
  if (metrics === undefined) throw new Error(`${ordererName(org)} does not report its height`);
  return metrics.height;
}

/** Crashes ORG's orderer, waits for ordering to resume without it, keeps it down a while, restarts it, waits for it. */
async function crashAndRestart(org: string, role: Outage['role'], watch: BlockWatch): Promise<Outage> {
  const heightAtKill = await heightOf(org);
  const killedAt = Date.now();
  await killOrderer(org);
  console.log(`      crashed ${ordererName(org)} (${role}) at orderer height ${String(heightAtKill)}`);
  const resumed = await watch.waitFor((w) => w.firstOrderedAfter(killedAt), RESUME_BOUND_MS);
  const resumedMs = resumed === undefined ? undefined : resumed.arrivedAt - killedAt;
  console.log(`      ordering ${resumedMs === undefined ? 'did not resume' : `resumed after ${seconds(resumedMs)}`} without ${ordererName(org)}`);
  await sleep(Math.max(0, killedAt + Math.max(MIN_DOWN_MS, (resumedMs ?? 0) + 3000) - Date.now()));
  const others = ordererOrgs().filter((o) => o !== org);
  const blocksMissed = Math.min(...(await Promise.all(others.map(heightOf)))) - heightAtKill;
  const restartedAt = Date.now();
  await startOrderer(org);
  await waitCaughtUp(org);
  const caughtUpMs = Date.now() - restartedAt;
  const leaderAfter = (await bftLeader()).org;
  console.log(`      ${ordererName(org)} restarted after ${seconds(restartedAt - killedAt)}, caught up ${String(blocksMissed)} blocks in ${seconds(caughtUpMs)}; leader now ${leaderAfter}`);
  return { org, role, ...(resumedMs === undefined ? {} : { resumedMs }), downMs: restartedAt - killedAt, blocksMissed, caughtUpMs, leaderAfter };
}

function printTable(outages: readonly Outage[]): void {
  const rows = [
    ['orderer crashed', 'role', 'ordering resumed', 'down for', 'blocks missed', 'caught up (after restart)', 'leader after'],
    ...outages.map((o) => [ordererName(o.org), o.role, seconds(o.resumedMs), seconds(o.downMs), String(o.blocksMissed), seconds(o.caughtUpMs), ordererName(o.leaderAfter)]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: readonly string[]): string => `      ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')}`.trimEnd();
  console.log('');
  for (const [i, r] of rows.entries()) {
    console.log(line(r));
    if (i === 0) console.log(line(widths.map((w) => '-'.repeat(w))));
  }
  console.log('      (ordering resumed: from the crash to the first block on peer0.observer holding a ballot proposed after it)');
}

describe('bft: an orderer crashes under a steady load of ballots', function () {
  const actors = usePollActors();

  it(`when the leader, then a follower, crash and restart under ${String(RATE)} ballots/s, then ordering resumes, the node catches up, and every receipted ballot is on the ledger VALID exactly once`, async function () {
    this.timeout(600_000);
    const pollId = await openColourPoll(actors.cityAdmin, 'bft-outage', { revotePolicy: 'last-counts' });
    const from = await chainHeight(actors.observer);
    const watch = await watchBlocks(actors.observer, from);
    const load = startSteadyLoad(actors.relay, pollId, { perSecond: RATE, label: 'outage' });
    const outages: Outage[] = [];
    let settled: Settled[];
    try {
      await moreReceipts(load, 2 * RATE);
      const leader = await bftLeader();
      outages.push(await crashAndRestart(leader.org, 'leader', watch));
      const { org: leaderNow } = await bftLeader();
      const follower = ordererOrgs().find((o) => o !== leaderNow && !outages.some((x) => x.org === o));
      if (follower === undefined) throw new Error('no follower left to crash');
      outages.push(await crashAndRestart(follower, 'follower', watch));
      await moreReceipts(load, 2 * RATE); // the load flows on with every node back
    } finally {
      await startStoppedOrderers();
      settled = await load.stop();
      watch.close();
      printTable(outages);
    }
    console.log(`      load: ${settledSummary(settled)}`);

    expect(outages.map((o) => o.resumedMs !== undefined && o.resumedMs < RESUME_BOUND_MS), 'ordering resumed in time').to.deep.equal([true, true]);
    const writes = await ballotWrites(actors.observer, pollId, from, (await orderingIdle()) - 1);
    console.log(`      ledger: ${String(writes.valid.size)} voters with a VALID ballot in ${String(writes.blocks)} blocks; invalidated attempts: ${
      [...writes.invalid].map(([code, n]) => `${code} ×${String(n)}`).join(', ') || 'none'}`);
    expect(exactlyOnceProblems(settled, writes)).to.deep.equal([]);
    // Blocks cut while a node was down are sealed by the three others: still a quorum.
    expect(signatureProblems(await readBlocks(actors.observer, from, from + writes.blocks), ordererSigningKeys())).to.deep.equal([]);

    // The chaincode's own account agrees: each receipt is the ballot record, and the tally counts every voter once.
    const records = await runPool(8, settled.map((s) => () => evaluate(actors.observer, 'GetBallot', pollId, s.request.token)));
    const unlike = settled.filter((s, i) => records[i]?.txId !== s.receipt?.txId || records[i]?.ballotHash !== s.receipt?.ballotHash);
    expect(unlike.map((s) => s.request.citizenId)).to.deep.equal([]);
    await submit(actors.cityAdmin, 'ClosePoll', pollId);
    await tallyAll(actors.cityAdmin, pollId, 500);
    // The tally committed on the city's peer; the observer's peer may be a block behind (it was catching up).
    let results = await evaluate(actors.observer, 'GetResults', pollId);
    for (let i = 0; i < 60 && results.status !== 'tallied'; i++) {
      await sleep(500);
      results = await evaluate(actors.observer, 'GetResults', pollId);
    }
    expect(results).to.include({ status: 'tallied', ballotCount: settled.length });
    expect(results.counts).to.deep.equal(expectedCounts(settled.map((s) => s.request.answers)));
  });
});
