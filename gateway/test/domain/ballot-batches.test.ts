import type { BallotRequest } from '@poll-ledger/protocol';
import { BallotBatches, type BatchInstruments, type BatchLimits, type FlushReason, type SendBallots } from '../../src/domain/ballot-batches';
import type { CastOutcome } from '../../src/domain/cast';
import { ApiError } from '../../src/errors';
import { expect } from '../chai';
import { hexOf } from '../fakes';
import { BALLOT_HASH, TX_ID } from '../fixtures';

interface SentBatch {
  readonly pollId: string;
  readonly voters: readonly string[];
  /** Answers every ballot with its receipt. */
  settle(): void;
  fail(err: unknown): void;
}

const VOTERS = new Map<string, string>();

/** A ballot of the voter named `voter` (its token is hexOf(voter)); `tag` tells two ballots of one voter apart. */
function ballot(voter: string, tag = ''): BallotRequest {
  VOTERS.set(hexOf(voter), voter);
  return { voterToken: hexOf(voter), answers: { q1: [`red${tag}`] }, requestId: hexOf(`request ${voter}${tag}`), requestedAt: '2026-05-01T08:00:00.000Z' };
}

function outcomeOf(request: BallotRequest): CastOutcome {
  return { receipt: { pollId: 'p1', ballotId: request.voterToken, txId: TX_ID, blockNumber: 7, ballotHash: BALLOT_HASH }, replayed: false };
}

/** A sender that keeps every batch open until the test settles it. */
function scriptedSender(): { readonly send: SendBallots; readonly sent: SentBatch[] } {
  const sent: SentBatch[] = [];
  const send: SendBallots = (_role, pollId, ballots) =>
    new Promise((resolve, reject) => {
      sent.push({
        pollId,
        voters: ballots.map((request) => VOTERS.get(request.voterToken) ?? '?'),
        settle: () => { resolve(ballots.map((request) => ({ status: 'fulfilled', value: outcomeOf(request) }))); },
        fail: reject,
      });
    });
  return { send, sent };
}

function recorder() {
  const record = { batches: [] as { ballots: number; bytes: number; reason: FlushReason }[], held: 0, depth: [0, 0], waits: 0, reproposed: 0 };
  const instruments: BatchInstruments = {
    sent: (ballots, bytes, reason) => record.batches.push({ ballots, bytes, reason }),
    waited: () => { record.waits++; },
    heldBack: () => { record.held++; },
    depth: (queued, inFlight) => { record.depth = [queued, inFlight]; },
    reproposed: (ballots) => { record.reproposed += ballots; },
  };
  return { record, instruments };
}

const LIMITS: BatchLimits = { maxBallots: 100, maxBytes: 512 * 1024, maxInFlight: 2, minIntervalMs: 0, waitMs: 0 };
const turn = () => new Promise((resolve) => setImmediate(resolve));
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BallotBatches: concurrent ballots of a poll in CastBallots transactions', () => {
  function batches(limits: Partial<BatchLimits> = {}) {
    const { send, sent } = scriptedSender();
    const { record, instruments } = recorder();
    return { coalescer: new BallotBatches(send, { ...LIMITS, ...limits }, instruments), sent, record };
  }

  it('when many ballots arrive in the same turn, then one transaction carries them all and each gets its own outcome', async () => {
    const { coalescer, sent, record } = batches();
    const names = Array.from({ length: 40 }, (_, i) => `v${String(i)}`);
    const answers = names.map((name) => coalescer.cast('ballot-relay', 'p1', ballot(name)));
    await turn();
    expect(sent.map((batch) => batch.voters)).to.deep.equal([names]);
    sent[0]?.settle();
    const outcomes = await Promise.all(answers);
    expect(outcomes.map((outcome) => outcome.receipt.ballotId)).to.deep.equal(names.map((name) => hexOf(name)));
    expect(record.batches).to.have.length(1).and.to.deep.include({ ballots: 40, bytes: record.batches[0]?.bytes ?? 0, reason: 'idle' });
    expect(record.depth).to.deep.equal([0, 0]);
  });

  it('when a lone ballot arrives, then it is sent in that same turn of the event loop, with no wait', async () => {
    const { coalescer, sent } = batches();
    const answer = coalescer.cast('ballot-relay', 'p1', ballot('alone'));
    await turn();
    expect(sent.map((batch) => batch.voters)).to.deep.equal([['alone']]);
    sent[0]?.settle();
    expect((await answer).receipt.ballotId).to.equal(hexOf('alone'));
  });

  it('when ballots come faster than minIntervalMs, then they gather for the next slot while the first went at once', async () => {
    const { coalescer, sent, record } = batches({ minIntervalMs: 40, maxInFlight: 16 });
    const first = coalescer.cast('ballot-relay', 'p1', ballot('a'));
    await turn();
    expect(sent.map((batch) => batch.voters), 'the first goes at once').to.deep.equal([['a']]);
    const rest = ['b', 'c', 'd'].map((name) => coalescer.cast('ballot-relay', 'p1', ballot(name)));
    await later(10);
    expect(sent, 'in flight is free, but the interval has not passed').to.have.length(1);
    await later(50);
    expect(sent.map((batch) => batch.voters)).to.deep.equal([['a'], ['b', 'c', 'd']]);
    expect(record.batches.map((batch) => batch.reason)).to.deep.equal(['idle', 'paced']);
    for (const batch of sent) batch.settle();
    expect(await Promise.all([first, ...rest])).to.have.length(4);
  });

  it('when a ballot comes after a quiet spell longer than minIntervalMs, then it goes at once', async () => {
    const { coalescer, sent } = batches({ minIntervalMs: 20, maxInFlight: 16 });
    const first = coalescer.cast('ballot-relay', 'p1', ballot('a'));
    await turn();
    sent[0]?.settle();
    await first;
    await later(30);
    const second = coalescer.cast('ballot-relay', 'p1', ballot('b'));
    await turn();
    expect(sent.map((batch) => batch.voters)).to.deep.equal([['a'], ['b']]);
    sent[1]?.settle();
    await second;
  });

  it('when maxInFlight transactions of the poll are in flight, then later ballots wait, and go together when one settles', async () => {
    const { coalescer, sent, record } = batches({ maxInFlight: 1 });
    const first = coalescer.cast('ballot-relay', 'p1', ballot('a'));
    await turn();
    const rest = ['b', 'c', 'd'].map(async (name) => {
      await later(2);
      return coalescer.cast('ballot-relay', 'p1', ballot(name));
    });
    await later(20);
    expect(sent.map((batch) => batch.voters), 'gathered while one is in flight').to.deep.equal([['a']]);
    expect(record.depth).to.deep.equal([3, 1]);
    sent[0]?.settle();
    await first;
    await turn();
    expect(sent.map((batch) => batch.voters)).to.deep.equal([['a'], ['b', 'c', 'd']]);
    expect(record.batches.map((batch) => batch.reason)).to.deep.equal(['idle', 'settled']);
    sent[1]?.settle();
    expect(await Promise.all(rest)).to.have.length(3);
  });

  it('when more ballots wait than maxBallots, then no transaction carries more, and the in-flight bound holds', async () => {
    const { coalescer, sent, record } = batches({ maxBallots: 3, maxInFlight: 2 });
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const answers = names.map((name) => coalescer.cast('ballot-relay', 'p1', ballot(name)));
    await turn();
    expect(sent.map((batch) => batch.voters)).to.deep.equal([['a', 'b', 'c'], ['d', 'e', 'f']]);
    sent[0]?.settle();
    await turn();
    expect(sent.map((batch) => batch.voters.length)).to.deep.equal([3, 3, 2]);
    expect(record.batches.map((batch) => batch.reason)).to.deep.equal(['full', 'full', 'settled']);
    sent[1]?.settle();
    sent[2]?.settle();
    expect(await Promise.all(answers)).to.have.length(8);
  });

  it('when the ballots would exceed maxBytes, then the transaction stops before them, and a larger single ballot goes alone', async () => {
    const size = Buffer.byteLength(JSON.stringify(ballot('a')));
    const { coalescer, sent, record } = batches({ maxBytes: 2 * size + 3, maxInFlight: 5 });
    const big: BallotRequest = { ...ballot('big'), answers: { q1: ['x'.repeat(4 * size)] } };
    const answers = [ballot('a'), ballot('b'), ballot('c'), big, ballot('d')].map((request) => coalescer.cast('ballot-relay', 'p1', request));
    await turn();
    expect(sent.map((batch) => batch.voters)).to.deep.equal([['a', 'b'], ['c'], ['big'], ['d']]);
    expect(record.batches[0]?.bytes).to.equal(2 * size + 3);
    for (const batch of sent) batch.settle();
    expect(await Promise.all(answers)).to.have.length(5);
  });

  it('when waitMs is set, then a ballot that could go at once waits that long for others', async () => {
    const { coalescer, sent } = batches({ waitMs: 40 });
    const first = coalescer.cast('ballot-relay', 'p1', ballot('a'));
    await later(10);
    const second = coalescer.cast('ballot-relay', 'p1', ballot('b'));
    expect(sent).to.have.length(0);
    await later(60);
    expect(sent.map((batch) => batch.voters)).to.deep.equal([['a', 'b']]);
    sent[0]?.settle();
    await Promise.all([first, second]);
  });

  it('when two ballots of one voter arrive, then the later is never in an open transaction with the earlier, while other voters go on', async () => {
    const { coalescer, sent, record } = batches({ maxInFlight: 4 });
    const earlier = coalescer.cast('ballot-relay', 'p1', ballot('v', '1'));
    const other = coalescer.cast('ballot-relay', 'p1', ballot('w'));
    const sameTurn = coalescer.cast('ballot-relay', 'p1', ballot('v', '2'));
    await turn();
    const afterSent = coalescer.cast('ballot-relay', 'p1', ballot('v', '3'));
    const third = coalescer.cast('ballot-relay', 'p1', ballot('x'));
    await turn();
    expect(sent.map((batch) => batch.voters), 'v waits; slots are free for the others').to.deep.equal([['v', 'w'], ['x']]);
    expect(record.held).to.equal(1);
    sent[1]?.settle();
    await turn();
    expect(sent).to.have.length(2);
    sent[0]?.settle();
    await Promise.all([earlier, other, third]);
    await turn();
    expect(sent.map((batch) => batch.voters).slice(2), 'one at a time: never two of v in one transaction').to.deep.equal([['v']]);
    sent[2]?.settle();
    await sameTurn;
    await turn();
    expect(sent.map((batch) => batch.voters).slice(3)).to.deep.equal([['v']]);
    sent[3]?.settle();
    await afterSent;
  });

  it('when the sender fails as a whole, then every ballot of its batch gets that error, and the poll goes on', async () => {
    const { coalescer, sent } = batches({ maxInFlight: 1 });
    const answers = ['a', 'b'].map((name) => coalescer.cast('ballot-relay', 'p1', ballot(name)));
    await turn();
    const failure = new ApiError('LEDGER_UNAVAILABLE', 'the ledger is not reachable');
    sent[0]?.fail(failure);
    for (const answer of answers) await expect(answer).to.be.rejectedWith(failure);
    const next = coalescer.cast('ballot-relay', 'p1', ballot('c'));
    await turn();
    sent[1]?.settle();
    expect((await next).receipt.ballotId).to.equal(hexOf('c'));
  });

  it('when ballots of two polls arrive together, then each poll has its own transactions', async () => {
    const { coalescer, sent } = batches();
    const answers = [coalescer.cast('ballot-relay', 'p1', ballot('a')), coalescer.cast('ballot-relay', 'p2', ballot('b')), coalescer.cast('ballot-relay', 'p1', ballot('c'))];
    await turn();
    expect(sent.map((batch) => [batch.pollId, batch.voters])).to.deep.equal([['p1', ['a', 'c']], ['p2', ['b']]]);
    for (const batch of sent) batch.settle();
    expect(await Promise.all(answers)).to.have.length(3);
  });
});
