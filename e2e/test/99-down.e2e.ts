/** Runs last (files are sorted): `down` must leave no process of the network running. */
import { expect } from 'chai';
import * as fs from 'node:fs';
import { isAlive, networkScript, runDir, trackedPids } from './support/network';

describe('network: down', function () {
  it('when the network is taken down, then none of its processes is left running and its state is gone', async function () {
    const pids = trackedPids();
    expect([...pids.keys()]).to.include.members(['ca.city', 'orderer0.city', 'peer0.city', 'peer0.dept', 'peer0.observer', 'ccserver.city']);
    expect([...pids.values()].every(isAlive)).to.equal(true);

    await networkScript('down');

    const survivors = [...pids.entries()].filter(([, pid]) => isAlive(pid)).map(([name]) => name);
    expect(survivors).to.deep.equal([]);
    expect(fs.existsSync(runDir)).to.equal(false);
  });
});
