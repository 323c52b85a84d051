import type { Ballot, BallotOutcome, CastBallotResult, ErrorPayload } from '@poll-ledger/protocol';
import { expect } from 'chai';
import fc from 'fast-check';
import { ballotHash } from '../../src/domain/ballot';
import { Ids, TestNetwork } from '../support/network';
import { answersJson, openPoll, requestId, voter } from '../support/polls';
import { payloadOf } from '../support/refusals';

/**
 * CastBallots of a list of distinct voters must do what CastBallot of each in turn does, at the same tx time: the
 * same outcome per ballot (receipts apart from the new txId, hash and position; refusals with the field renamed to
 * its place in ballotsJson) and the same records in state. And it must write the same bytes every time.
 */

interface Item {
  answers: unknown;
  /** 0: no requestId; else requestId(n). */
  request: number;
  requestedAt: string;
}
interface Scenario {
  revotePolicy: 'none' | 'last-counts';
  setup: { voter: number; item: Item }[];
  batch: { voter: number; item: Item }[];
}

const VALID_ANSWERS: unknown[] = [
  { q1: ['red'], q2: ['usb'] },
  { q1: ['blue'], q2: ['wifi', 'hdmi'] },
  { q2: ['wifi'], q1: ['green'] },
];
const INVALID_ANSWERS: unknown[] = [{ q1: ['pink'], q2: ['usb'] }, { q1: ['red'] }, { q1: ['red'], q2: ['usb', 'usb'] }, ['red']];
/** Around the setup's tx times (from 2026-03-01T12:00:00Z, one second apart) and before the batch's. */
const TIMES = ['', '2026-03-01T11:00:00Z', '2026-03-01T12:00:03Z', '2026-05-01T02:00:00+02:00'];
const BATCH_TIME = new Date('2026-06-01T00:00:00.000Z');

const itemArb: fc.Arbitrary<Item> = fc.record({
  answers: fc.oneof(
    { arbitrary: fc.constantFrom(...VALID_ANSWERS), weight: 4 },
    { arbitrary: fc.constantFrom(...INVALID_ANSWERS), weight: 1 },
  ),
  request: fc.integer({ min: 0, max: 4 }),
  requestedAt: fc.constantFrom(...TIMES),
});
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  revotePolicy: fc.constantFrom('none' as const, 'last-counts' as const),
  setup: fc.array(fc.record({ voter: fc.integer({ min: 1, max: 6 }), item: itemArb }), { maxLength: 10 }),
  batch: fc.uniqueArray(fc.record({ voter: fc.integer({ min: 1, max: 8 }), item: itemArb }), {
    minLength: 1,
    maxLength: 8,
    selector: (b) => b.voter,
  }),
});

const requestOf = (item: Item): string => (item.request === 0 ? '' : requestId(item.request));

/** The same poll and the same earlier ballots (refused ones included) on a fresh network. */
async function prepared(scenario: Scenario, stateBatches = false): Promise<TestNetwork> {
  const net = new TestNetwork({ stateBatches });
  await openPoll(net, { revotePolicy: scenario.revotePolicy });
  for (const { voter: n, item } of scenario.setup) {
    const args = [voter(n), answersJson(item.answers as Record<string, unknown>), requestOf(item), item.requestedAt] as const;
    await net.submit(Ids.cityRelay, 'CastBallot', 'p1', ...args).catch(() => undefined);
  }
  net.now = BATCH_TIME;
  return net;
}

async function castAsBatch(scenario: Scenario, stateBatches = false): Promise<{ net: TestNetwork; outcomes: BallotOutcome[]; txId: string }> {
  const net = await prepared(scenario, stateBatches);
  const items = scenario.batch.map(({ voter: n, item }) => ({
    voterToken: voter(n),
    answers: item.answers,
    requestId: requestOf(item),
    requestedAt: item.requestedAt,
  }));
  const { outcomes, txId } = await net.submit(Ids.cityRelay, 'CastBallots', 'p1', JSON.stringify(items));
  return { net, outcomes, txId };
}

async function castOneByOne(scenario: Scenario): Promise<{ net: TestNetwork; outcomes: BallotOutcome[]; txIds: string[] }> {
  const net = await prepared(scenario);
  const outcomes: BallotOutcome[] = [];
  const txIds: string[] = [];
  for (const [index, { voter: n, item }] of scenario.batch.entries()) {
    net.now = BATCH_TIME;
    const args = [voter(n), JSON.stringify(item.answers), requestOf(item), item.requestedAt] as const;
    try {
      outcomes.push({ receipt: await net.submit(Ids.cityRelay, 'CastBallot', 'p1', ...args) });
    } catch (error) {
      outcomes.push({ error: asBatchRefusal(payloadOf(error), index) });
    }
    txIds.push(net.lastTx?.txId ?? '');
  }
  return { net, outcomes, txIds };
}

/** CastBallot's refusal as CastBallots names it: the argument becomes the item's field, in details and message. */
function asBatchRefusal(payload: ErrorPayload, index: number): ErrorPayload {
  if (payload.code !== 'INVALID_ARGUMENT' || payload.details === undefined) {
    return payload;
  }
  const { field } = payload.details;
  const renamed = `ballotsJson[${index}].${field === 'answersJson' ? 'answers' : field}`;
  return { ...payload, message: payload.message.replace(field, renamed), details: { field: renamed } };
}

/** A receipt or record with the fields of a version written now (txId, hash, position) blanked. */
function blankNew<T extends CastBallotResult | Ballot>(value: T, newTxIds: ReadonlySet<string>): T {
  const blanked = newTxIds.has(value.txId) ? { ...value, txId: 'new', ballotHash: 'new' } : { ...value };
  delete blanked.position;
  return blanked;
}

const stored = (net: TestNetwork, n: number): Ballot | undefined => {
  const text = net.ledger.value(`ballot~p1~${voter(n)}`);
  return text === undefined ? undefined : (JSON.parse(text) as Ballot);
};

describe('PollContract CastBallots properties', () => {
  it('when distinct voters cast in one call, then it equals CastBallot of each in turn', async function () {
    this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const batch = await castAsBatch(scenario);
        const single = await castOneByOne(scenario);
        const batchTx = new Set([batch.txId]);
        const singleTxs = new Set(single.txIds);

        for (const [position, outcome] of batch.outcomes.entries()) {
          const expected = single.outcomes[position];
          if ('error' in outcome || expected === undefined || 'error' in expected) {
            expect(outcome).to.deep.equal(expected);
            continue;
          }
          const { receipt } = outcome;
          expect(blankNew(receipt, batchTx)).to.deep.equal(blankNew(expected.receipt, singleTxs));
          if (receipt.txId === batch.txId) {
            expect(receipt.position).to.equal(position);
          }
        }

        for (let n = 1; n <= 8; n += 1) {
          const [mine, theirs] = [stored(batch.net, n), stored(single.net, n)];
          expect(mine && blankNew(mine, batchTx)).to.deep.equal(theirs && blankNew(theirs, singleTxs));
          if (mine !== undefined) {
            expect(mine.ballotHash).to.equal(ballotHash(mine));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('when the same call runs on the same state twice, then it writes the same bytes and answers the same text', async function () {
    this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const first = await castAsBatch(scenario);
        const second = await castAsBatch(scenario);
        expect(second.net.lastTx?.writes).to.deep.equal(first.net.lastTx?.writes);
        expect(second.net.lastTx?.event).to.deep.equal(first.net.lastTx?.event);
        expect(second.net.lastReply).to.equal(first.net.lastReply);
      }),
      { numRuns: 30 },
    );
  });

  it('when the peer takes batched state reads and writes, then the call writes the same bytes and answers the same text', async function () {
    this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const single = await castAsBatch(scenario);
        const batched = await castAsBatch(scenario, true);
        expect(batched.net.lastTx?.writes).to.deep.equal(single.net.lastTx?.writes);
        expect(batched.net.lastTx?.event).to.deep.equal(single.net.lastTx?.event);
        expect(batched.net.lastReply).to.equal(single.net.lastReply);
        expect(batched.net.lastTx?.exchanges.filter((e) => e === 'GetState' || e === 'PutState')).to.deep.equal(['GetState']);
      }),
      { numRuns: 30 },
    );
  });
});
