import { expect } from 'chai';
import { type Identity, Ids, TestNetwork } from '../support/network';
import { answersJson, ballotsJson, pollJson, voter } from '../support/polls';
import { refusalOf } from '../support/refusals';

/** Each write transaction, tried by every kind of caller against a City poll and a Dept poll. */
type Owner = 'CityMSP' | 'DeptMSP';
interface Case {
  readonly tx: string;
  /** Prepares the world (as the owner's poll-admin) and runs the transaction as `who`. */
  readonly run: (net: TestNetwork, who: Identity, pollId: string) => Promise<unknown>;
  readonly allowed: (who: Identity, owner: Owner) => boolean;
}

const admin = (owner: Owner): Identity => (owner === 'CityMSP' ? Ids.cityAdmin : Ids.deptAdmin);
const ownerOf = (pollId: string): Owner => (pollId === 'city' ? 'CityMSP' : 'DeptMSP');
const manages = (who: Identity, owner: Owner) =>
  who.role === 'poll-admin' && (who.mspId === 'CityMSP' || who.mspId === owner);
/** City and every member that is not an observer: a new department (StrangerMSP here) needs no chaincode change. */
const mayCreate = (who: Identity) => who.role === 'poll-admin' && who.mspId !== 'ObserverMSP';

async function create(net: TestNetwork, pollId: string, status: 'draft' | 'open' | 'closed') {
  const owner = admin(ownerOf(pollId));
  await net.submit(owner, 'CreatePoll', pollJson({ id: pollId }));
  if (status !== 'draft') await net.submit(owner, 'OpenPoll', pollId);
  if (status === 'closed') await net.submit(owner, 'ClosePoll', pollId);
}

const cases: Case[] = [
  {
    tx: 'CreatePoll',
    run: (net, who, pollId) => net.submit(who, 'CreatePoll', pollJson({ id: pollId })),
    allowed: mayCreate,
  },
  {
    tx: 'UpdatePoll',
    run: async (net, who, pollId) => {
      await create(net, pollId, 'draft');
      return net.submit(who, 'UpdatePoll', pollJson({ id: pollId, title: 'Edited' }));
    },
    allowed: manages,
  },
  ...(['OpenPoll', 'CancelPoll'] as const).map((tx) => ({
    tx,
    run: async (net: TestNetwork, who: Identity, pollId: string) => {
      await create(net, pollId, 'draft');
      return net.submit(who, tx, pollId);
    },
    allowed: manages,
  })),
  {
    tx: 'ClosePoll',
    run: async (net, who, pollId) => {
      await create(net, pollId, 'open');
      return net.submit(who, 'ClosePoll', pollId);
    },
    allowed: manages,
  },
  {
    // From closesAt on, closing needs no manager: the observer can close a due poll (close-on-time.test.ts).
    tx: 'ClosePoll at closesAt',
    run: async (net, who, pollId) => {
      await create(net, pollId, 'open');
      net.now = new Date('2026-12-31T00:00:00.000Z');
      return net.submit(who, 'ClosePoll', pollId);
    },
    allowed: () => true,
  },
  {
    tx: 'TallyPoll',
    run: async (net, who, pollId) => {
      await create(net, pollId, 'closed');
      return net.submit(who, 'TallyPoll', pollId, '10');
    },
    allowed: manages,
  },
  {
    tx: 'CastBallot',
    run: async (net, who, pollId) => {
      await create(net, pollId, 'open');
      return net.submit(who, 'CastBallot', pollId, voter(1), answersJson(), '', '');
    },
    allowed: (who) => who.role === 'ballot-relay' && who.mspId === 'CityMSP',
  },
  {
    tx: 'CastBallots',
    run: async (net, who, pollId) => {
      await create(net, pollId, 'open');
      return net.submit(who, 'CastBallots', pollId, ballotsJson([{ voterToken: voter(1) }]));
    },
    allowed: (who) => who.role === 'ballot-relay' && who.mspId === 'CityMSP',
  },
];

describe('PollContract access', () => {
  for (const { tx, run, allowed } of cases) {
    describe(tx, () => {
      for (const [name, who] of Object.entries(Ids)) {
        for (const pollId of ['city', 'dept']) {
          const owner = ownerOf(pollId);
          const verdict = allowed(who, owner);
          it(`when ${name} acts on a ${owner} poll, then it is ${verdict ? 'allowed' : 'FORBIDDEN'}`, async () => {
            const net = new TestNetwork();
            const outcome = run(net, who, pollId);
            if (verdict) {
              await expect(outcome).to.be.fulfilled;
            } else {
              expect(await refusalOf(outcome)).to.include({ code: 'FORBIDDEN' });
              expect(net.lastTx?.writes).to.deep.equal([]);
            }
          });
        }
      }
    });
  }

  it('when an identity of any MSP or role queries, then it is answered', async () => {
    const net = new TestNetwork();
    await create(net, 'city', 'open');
    for (const who of Object.values(Ids)) {
      expect(await net.evaluate(who, 'GetPoll', 'city')).to.include({ id: 'city' });
    }
  });
});
