/**
 * CastBallots on the real network: a call that mixes good and refused ballots commits VALID, each ballot has its
 * own outcome, the written ones are stored with their position and seen in one BallotsCast event, a retried call
 * writes nothing new, and the tally counts each ballot once.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { type Answers, type BallotsCastPayload, type CastBallotResult, BALLOTS_CAST, decodeChaincodeEvent } from '@poll-ledger/protocol';
import {
  type Connection,
  decodeResult,
  evaluate,
  openColourPoll,
  refusalOf,
  statusName,
  submit,
  tallyAll,
  usePollActors,
} from './support/fabric';
import { readNetwork } from './support/network';
import { answersFor, ballotItem, castBallotArgs, castBallotsArgs, expectedCounts, voterToken } from './support/polls';

const requestIdOf = (label: string): string => createHash('sha256').update(`e2e-request:${label}`).digest('hex');

/** Submits CastBallots and waits for its commit: the checked result, the validation code and the block. */
async function castBallots(relay: Connection, args: string[]) {
  const tx = await relay.contract.submitAsync('CastBallots', { arguments: args });
  const result = decodeResult('CastBallots', tx.getResult());
  const status = await tx.getStatus();
  return { result, status: statusName(status.code), blockNumber: status.blockNumber, txId: tx.getTransactionId() };
}

/** The BallotsCast event of transaction TX_ID, read from its block on CONN's peer (or the test fails in time). */
async function ballotsCastEventOf(conn: Connection, blockNumber: bigint, txId: string): Promise<BallotsCastPayload> {
  const { channel, chaincode } = readNetwork();
  const events = await conn.gateway.getNetwork(channel).getChaincodeEvents(chaincode, { startBlock: blockNumber });
  const timer = setTimeout(() => { events.close(); }, 30_000);
  try {
    for await (const event of events) {
      if (event.transactionId !== txId) continue;
      const decoded = decodeChaincodeEvent(event.eventName, event.payload);
      if (decoded?.eventName !== BALLOTS_CAST) throw new Error(`tx ${txId} emitted ${event.eventName}, not ${BALLOTS_CAST}`);
      return decoded.payload;
    }
  } finally {
    clearTimeout(timer);
    events.close();
  }
  throw new Error(`no chaincode event of tx ${txId} from block ${blockNumber.toString()} within 30 s`);
}

const receiptAt = (outcomes: readonly unknown[], index: number): CastBallotResult => {
  const outcome = outcomes[index];
  if (typeof outcome !== 'object' || outcome === null || !('receipt' in outcome)) {
    throw new Error(`outcome ${String(index)} is not a receipt: ${JSON.stringify(outcome)}`);
  }
  return outcome.receipt as CastBallotResult;
};

describe('chaincode: CastBallots on the real network', function () {
  const actors = usePollActors();

  it('when a call mixes good and refused ballots, then it commits VALID, writes only the good ones with their positions, emits one BallotsCast, and the tally counts each once', async function () {
    const pollId = await openColourPoll(actors.cityAdmin, 'cbs', { revotePolicy: 'none' });
    const token = (label: string) => voterToken(pollId, label);
    const request = (label: string) => requestIdOf(`${pollId}-${label}`);
    const voted = await submit(actors.relay, 'CastBallot', ...castBallotArgs(pollId, token('voted'), answersFor(0)));
    const retried = await submit(actors.relay, 'CastBallot', ...castBallotArgs(pollId, token('retried'), answersFor(1), request('retried')));

    const first = ballotItem(token('a'), answersFor(2), request('a'));
    const last = ballotItem(token('c'), answersFor(7), request('c'));
    const items = [
      first,
      ballotItem(token('b'), { q1: ['pink'], q2: [] }),
      ballotItem('NOT-A-TOKEN', answersFor(3)),
      ballotItem(token('a'), answersFor(4)),
      ballotItem(token('voted'), answersFor(5)),
      ballotItem(token('retried'), answersFor(6), request('retried')),
      last,
    ];
    const { result, status, blockNumber, txId } = await castBallots(actors.relay, castBallotsArgs(pollId, items));

    expect(status).to.equal('VALID');
    expect(result).to.include({ pollId, txId });
    const codes = result.outcomes.map((o) => ('error' in o ? o.error.code : 'receipt'));
    expect(codes).to.deep.equal(['receipt', 'INVALID_ANSWER', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'ALREADY_VOTED', 'receipt', 'receipt']);
    expect(result.outcomes[2]).to.have.nested.property('error.details.field', 'ballotsJson[2].voterToken');
    expect(result.outcomes[3]).to.have.nested.property('error.details.field', 'ballotsJson[3].voterToken');
    expect(result.outcomes[5]).to.deep.equal({ receipt: { ...retried, duplicate: true } });
    const written = [0, 6].map((position) => ({ position, receipt: receiptAt(result.outcomes, position) }));
    for (const { position, receipt } of written) {
      expect(receipt).to.include({ pollId, txId, position, replaced: false, duplicate: false });
    }

    const stored = new Map<number, Answers>();
    for (const { position, receipt } of written) {
      const ballot = await evaluate(actors.observer, 'GetBallot', pollId, receipt.ballotId);
      expect(ballot).to.include({ txId, position, ballotHash: receipt.ballotHash });
      stored.set(position, ballot.answers);
      const history = await evaluate(actors.observer, 'GetBallotHistory', pollId, receipt.ballotId);
      expect(history.map((h) => h.txId)).to.deep.equal([txId]);
      expect(history[0]?.value).to.include({ position });
    }
    const votedHistory = await evaluate(actors.observer, 'GetBallotHistory', pollId, token('voted'));
    expect(votedHistory.map((h) => h.txId)).to.deep.equal([voted.txId]);
    expect(await refusalOf(evaluate(actors.observer, 'GetBallotHistory', pollId, token('b')))).to.equal('NOT_FOUND');

    const event = await ballotsCastEventOf(actors.observer, blockNumber, txId);
    expect(event).to.deep.equal({
      pollId,
      txId,
      // Each ballot's change to the count: its answers as stored (new voters: nothing replaced).
      ballots: written.map(({ position, receipt }) => ({ ballotId: receipt.ballotId, ballotHash: receipt.ballotHash, position, answers: stored.get(position) })),
    });

    // The same call again: the written ballots are retries now (their first receipts), the rest is refused again.
    const again = await castBallots(actors.relay, castBallotsArgs(pollId, [first, last]));
    expect(again.status).to.equal('VALID');
    expect(again.result.outcomes).to.deep.equal(written.map(({ receipt }) => ({ receipt: { ...receipt, duplicate: true } })));

    await submit(actors.cityAdmin, 'ClosePoll', pollId);
    await tallyAll(actors.cityAdmin, pollId, 10);
    const results = await evaluate(actors.observer, 'GetResults', pollId);
    expect(results).to.include({ pollId, status: 'tallied', final: true, ballotCount: 4 });
    expect(results.counts).to.deep.equal(expectedCounts([0, 1, 2, 7].map(answersFor)));
  });
});
