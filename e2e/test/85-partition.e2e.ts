/**
 * Partitions between the organizations' hosts (POLL_LEDGER_HOSTS=netns only; skipped in the default layout, where
 * every org shares 127.0.0.1). Cutting an org off drops its packets both ways, as a pulled cable does: no connection
 * is reset, so the other side finds out by its own timeouts. The times it took are printed, not asserted. Each test
 * ends with every org healed and every peer caught up, so the files after it find the network whole.
 */
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { networkOrg } from '@poll-ledger/protocol';
import { connectAs, type Connection, evaluate } from './support/fabric';
import { cutOff, heal, healAll, hostsLayout, tcpConnects, waitCaughtUp } from './support/hosts';
import { readNetwork } from './support/network';
import { colourPoll, uniquePollId } from './support/polls';

/** Creates a poll as CONN, retrying with a new poll id until one commits or the time is up; its id and the tries. */
async function createPollUntilCommitted(conn: Connection, label: string, timeoutMs: number): Promise<{ id: string; tries: number; ms: number }> {
  const started = Date.now();
  let last: unknown;
  for (let tries = 1; Date.now() - started < timeoutMs; tries += 1) {
    const id = uniquePollId(label);
    try {
      await conn.contract.submitTransaction('CreatePoll', JSON.stringify(colourPoll(id)));
      return { id, tries, ms: Date.now() - started };
    } catch (err) {
      last = err;
      await sleep(1000);
    }
  }
  throw new Error(`no poll committed in ${String(timeoutMs / 1000)} s: ${last instanceof Error ? last.message : String(last)}`);
}

/** Reads poll ID as CONN (its own org's peer) until that peer has it; the time it took. */
async function readUntilPresent(conn: Connection, id: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await evaluate(conn, 'GetPoll', id);
      return Date.now() - started;
    } catch (err) {
      if (Date.now() - started > timeoutMs) throw err;
      await sleep(1000);
    }
  }
}

describe('partition: an organization cut off from the others (netns layout)', function () {
  let cityAdmin: Connection | undefined;
  let observer: Connection | undefined;
  const admin = (): Connection => { if (!cityAdmin) throw new Error('not connected'); return cityAdmin; };

  before(function () {
    if (hostsLayout() !== 'netns') this.skip();
    cityAdmin = connectAs('city', 'poll-admin');
    observer = connectAs('observer', 'auditor');
  });
  after(async function () {
    cityAdmin?.close();
    observer?.close();
    if (hostsLayout() === 'netns') {
      await healAll();
      await waitCaughtUp();
    }
  });

  it('when an org is cut off, then no TCP connection to its nodes opens from this machine; once healed, they open again', async function () {
    const { peerEndpoint, caUrl } = networkOrg(readNetwork(), 'watchdog');
    const ca = new URL(caUrl).host;
    expect(await tcpConnects(peerEndpoint)).to.equal(true);
    expect(await tcpConnects(ca)).to.equal(true);

    await cutOff('watchdog');
    expect(await tcpConnects(peerEndpoint)).to.equal(false);
    expect(await tcpConnects(ca)).to.equal(false);

    await heal('watchdog');
    expect(await tcpConnects(peerEndpoint, 10_000)).to.equal(true);
    expect(await tcpConnects(ca, 10_000)).to.equal(true);
  });

  it('when the observer is cut off, then transactions still commit (the watchdog endorses), and the observer\'s peer has them once healed', async function () {
    await cutOff('observer');
    const created = await createPollUntilCommitted(admin(), 'partition-observer', 150_000);
    await heal('observer');
    if (!observer) throw new Error('not connected');
    const caughtUp = await readUntilPresent(observer, created.id, 120_000);
    console.log(`      observer cut off: first commit after ${String(created.ms)} ms (${String(created.tries)} tries); after heal, its peer had it in ${String(caughtUp)} ms`);
  });

  it('when both observers are cut off, then nothing is endorsed; once the watchdog is back, transactions commit again', async function () {
    await cutOff('observer');
    await cutOff('watchdog');
    const id = uniquePollId('partition-no-observer');
    const started = Date.now();
    let refused: unknown;
    try {
      await admin().contract.submitTransaction('CreatePoll', JSON.stringify(colourPoll(id)));
    } catch (err) {
      refused = err;
    }
    const refusedMs = Date.now() - started;
    expect(refused, 'a transaction endorsed without any observer').to.be.instanceOf(Error);

    await heal('watchdog');
    const created = await createPollUntilCommitted(admin(), 'partition-watchdog-back', 150_000);
    await heal('observer');
    const caughtUp = await waitCaughtUp();
    console.log(`      both observers cut off: refused after ${String(refusedMs)} ms; watchdog healed: first commit after ${String(created.ms)} ms (${String(created.tries)} tries); observer healed: every peer caught up in ${String(caughtUp)} ms`);
  });
});
