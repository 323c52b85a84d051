/**
 * The REST path on the full network: the platform-like client (through the gateway and its PostgreSQL state) while
 * the BFT leader is killed and restarted; every receipted ballot is counted once and the auditor (which checks the
 * BFT block signatures) passes. 20-orderer-outage does the same below the gateway, for the leader and a follower.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DOWN_MS, faultRunner, type FaultRunner } from '../test/support/fault-scenario';
import { bftLeader, killOrderer, startOrderer, startStoppedOrderers, waitCaughtUp } from '../test/support/orderers';
import { gatewayScript } from '../test/support/rest';

describe('bft: faults under load through the REST gateway', function () {
  let run: FaultRunner;

  before(async function () {
    await gatewayScript('start');
    run = faultRunner();
  });

  after(async function () {
    run.printAll();
    await startStoppedOrderers();
    await gatewayScript('stop');
  });

  it('when the BFT leader is killed (SIGKILL) and restarted under REST load, then every receipted ballot is counted once and the audit passes', async function () {
    await run.scenario('bft leader killed', async () => {
      const { org } = await bftLeader();
      await killOrderer(org);
      await sleep(DOWN_MS);
      await startOrderer(org);
      await waitCaughtUp(org);
    });
  });
});
