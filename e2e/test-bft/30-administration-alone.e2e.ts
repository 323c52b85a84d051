/**
 * The city administration cannot order alone. With both observers' orderers (ObserverMSP, WatchdogMSP) down, the
 * city's and the department's orderers are 2 of 4, short of the BFT quorum of 3: no block is cut, on any peer, and
 * no ballot commits, however long the relay retries. Once one observer orderer is back, ordering resumes and the
 * retried ballots commit, each exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { connectAs, type Connection, openColourPoll, usePollActors } from '../test/support/fabric';
import { chainHeight, watchBlocks } from '../test/support/ledger';
import { isAlive, readNetwork, trackedPids } from '../test/support/network';
import { killOrderer, ordererMetrics, ordererName, orderingIdle, startOrderer, startStoppedOrderers, waitCaughtUp } from '../test/support/orderers';
import {
  ballotRequest,
  ballotWrites,
  castUntilSettled,
  exactlyOnceProblems,
  type Settled,
  settledSummary,
} from '../test/support/retrying-cast';

const OBSERVERS = ['observer', 'watchdog'] as const;
const ADMINISTRATION = ['city', 'dept'] as const;
/** How long the administration's orderers are watched alone. */
const ALONE_MS = 20_000;
const BALLOTS = 20;

describe('bft: the city administration cannot order alone', function () {
  const actors = usePollActors();
  let peers: Connection[] = [];

  before(function () {
    peers = Object.keys(readNetwork().orgs).map((org) => connectAs(org, 'auditor'));
  });
  after(function () {
    for (const conn of peers) conn.close();
  });

  const peerHeights = (): Promise<number[]> => Promise.all(peers.map(chainHeight));
  const ordererHeights = (): Promise<(number | undefined)[]> =>
    Promise.all(ADMINISTRATION.map(async (org) => (await ordererMetrics(org))?.height));

  it(`when both observer orderers are down, then City and Dept cut no block in ${String(ALONE_MS / 1000)} s and no ballot commits; when one is back, the retried ballots commit exactly once`, async function () {
    this.timeout(600_000);
    const pollId = await openColourPoll(actors.cityAdmin, 'bft-alone', { revotePolicy: 'last-counts' });
    const from = await chainHeight(actors.observer);
    const watch = await watchBlocks(actors.observer, from);
    let ballots: Promise<Settled>[] = [];
    try {
      for (const org of OBSERVERS) await killOrderer(org);
      const killedAt = Date.now();
      const peersBefore = await peerHeights();
      const orderersBefore = await ordererHeights();
      const settledAlone: Settled[] = [];
      ballots = Array.from({ length: BALLOTS }, (_, i) =>
        castUntilSettled(actors.relay, ballotRequest(pollId, i, 'alone'), { backoffMs: 2000, maxBackoffMs: 4000 }).then((s) => {
          settledAlone.push(s);
          return s;
        }));

      await sleep(ALONE_MS);
      const peersAfter = await peerHeights();
      const orderersAfter = await ordererHeights();
      console.log(`      ${String(ALONE_MS / 1000)} s with ${OBSERVERS.map(ordererName).join(' and ')} down: peer heights ${peersBefore.join(', ')} → ${peersAfter.join(', ')}; ` +
        `city and dept orderers ${orderersBefore.map(String).join(', ')} → ${orderersAfter.map(String).join(', ')}`);
      expect(peersAfter, 'every peer height').to.deep.equal(peersBefore);
      expect(orderersAfter, 'the city and dept orderer heights').to.deep.equal(orderersBefore);
      expect(watch.blocks.filter((b) => b.arrivedAt > killedAt).map((b) => b.number), 'blocks delivered').to.deep.equal([]);
      expect(settledAlone.map((s) => s.request.citizenId), 'ballots settled').to.deep.equal([]);

      const restartedAt = Date.now();
      await startOrderer(OBSERVERS[0]);
      const settled = await Promise.all(ballots);
      const resumed = await watch.waitFor((w) => w.firstAfter(restartedAt), 30_000);
      console.log(`      ${ordererName(OBSERVERS[0])} back: the first block after ${resumed === undefined ? '?' : `${((resumed.arrivedAt - restartedAt) / 1000).toFixed(1)} s`}, ` +
        `every ballot settled after ${((Math.max(...settled.map((s) => s.settledAt)) - restartedAt) / 1000).toFixed(1)} s`);
      console.log(`      relay: ${settledSummary(settled)}`);

      const writes = await ballotWrites(actors.observer, pollId, from, (await orderingIdle()) - 1);
      console.log(`      ledger: ${String(writes.valid.size)} voters with a VALID ballot; invalidated attempts: ${
        [...writes.invalid].map(([code, n]) => `${code} ×${String(n)}`).join(', ') || 'none'}`);
      expect(exactlyOnceProblems(settled, writes)).to.deep.equal([]);

      const lastStartedAt = Date.now();
      await startOrderer(OBSERVERS[1]);
      await waitCaughtUp(OBSERVERS[1]);
      console.log(`      ${ordererName(OBSERVERS[1])} back, caught up after ${((Date.now() - lastStartedAt) / 1000).toFixed(1)} s`);
    } finally {
      await startStoppedOrderers();
      watch.close();
      await Promise.allSettled(ballots);
    }

    const stopped = [...trackedPids()].filter(([, pid]) => !isAlive(pid)).map(([name]) => name);
    expect(stopped, 'processes not running').to.deep.equal([]);
    const last = await castUntilSettled(actors.relay, ballotRequest(pollId, BALLOTS, 'alone'), { giveUpAfterMs: 60_000 });
    expect(last.receipt?.duplicate, `a ballot with all four orderers: ${last.refusal ?? last.failures.map((f) => f.detail).join('; ')}`).to.equal(false);
  });
});
