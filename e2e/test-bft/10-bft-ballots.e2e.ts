/**
 * The full network (four SmartBFT orderers, one per founding org): ballots flow and commit VALID under the
 * endorsement policy AND(OR('ObserverMSP.peer','WatchdogMSP.peer'),OR('CityMSP.peer','DeptMSP.peer')), read back from
 * an observer's own peer; and every block carries the signatures of a BFT quorum of orderers (3 of 4), so at least
 * one of them is an observer's node. A light check of what the auditor verifies in full.
 */
import { expect } from 'chai';
import { orgKindOf } from '@poll-ledger/protocol';
import { connectAs, type Connection, openColourPoll, runPool, statusName, usePollActors } from '../test/support/fabric';
import { blockNumber, blockSigners, chainHeight, committedTransaction, ordererSigningKeys, readBlocks, signatureProblems } from '../test/support/ledger';
import { readNetwork } from '../test/support/network';
import { answersFor, castBallotArgs, voterToken } from '../test/support/polls';

describe('bft: ballots on the full network', function () {
  const actors = usePollActors();

  it('when ballots are cast through the city relay, then each commits VALID, endorsed by an observer org and a city-administration org', async function () {
    expect(readNetwork().mode).to.equal('full');
    const pollId = await openColourPoll(actors.cityAdmin, 'bft');
    const committed = await runPool(4, Array.from({ length: 12 }, (_, i) => async () => {
      const args = castBallotArgs(pollId, voterToken(pollId, `bft-citizen-${String(i)}`), answersFor(i));
      const tx = await actors.relay.contract.submitAsync('CastBallot', { arguments: args });
      const status = await tx.getStatus();
      return { txId: tx.getTransactionId(), validation: statusName(status.code) };
    }));
    expect(committed.map((c) => c.validation)).to.deep.equal(committed.map(() => 'VALID'));

    const sets = new Map<string, number>();
    for (const { txId } of committed) {
      const tx = await committedTransaction(actors.observer, txId);
      expect(tx.validation, txId).to.equal('VALID');
      const kinds = tx.endorserMspIds.map(orgKindOf);
      expect(kinds, `${txId} endorsed by ${tx.endorserMspIds.join(', ')}`).to.include('observer');
      expect(kinds.some((k) => k === 'city' || k === 'department'), `${txId} endorsed by ${tx.endorserMspIds.join(', ')}`).to.equal(true);
      const set = [...tx.endorserMspIds].sort().join(' + ');
      sets.set(set, (sets.get(set) ?? 0) + 1);
    }
    console.log(`      endorsement sets: ${[...sets].map(([set, n]) => `${set} ×${String(n)}`).join('; ')}`);
  });

  it('when the blocks are read from each observer peer, then every block after genesis is signed by a BFT quorum of distinct orderers, an observer node among them', async function () {
    const keys = ordererSigningKeys();
    expect([...keys.keys()]).to.deep.equal(['city', 'dept', 'observer', 'watchdog']);
    for (const org of ['observer', 'watchdog']) {
      const conn: Connection = connectAs(org, 'auditor');
      try {
        const height = await chainHeight(conn);
        const blocks = await readBlocks(conn, 1, height);
        expect(blocks.map(blockNumber)).to.deep.equal(Array.from({ length: height - 1 }, (_, i) => i + 1));
        expect(signatureProblems(blocks, keys)).to.deep.equal([]);
        const signers = blocks.map((block) => blockSigners(block, keys).orgs);
        expect(signers.filter((orgs) => !orgs.some((o) => o === 'observer' || o === 'watchdog')), 'blocks no observer node signed').to.deep.equal([]);
        const spread = new Map<string, number>();
        for (const orgs of signers) spread.set(orgs.join('+'), (spread.get(orgs.join('+')) ?? 0) + 1);
        console.log(`      peer0.${org}: blocks 1-${String(height - 1)} signed by ${[...spread].map(([who, n]) => `${who} ×${String(n)}`).join(', ')}`);
      } finally {
        conn.close();
      }
    }
  });
});
