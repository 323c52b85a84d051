import type { Ballot, Poll } from '@poll-ledger/protocol';
import { ballotKey, pollStatusKey } from '@poll-ledger/protocol';
import { expect } from 'chai';
import { decodeBallotCall } from '../src/ballot-call';
import { decodeBlock } from '../src/block-decoder';
import { type PollReport, comparePoll } from '../src/compare';
import { LedgerReplay } from '../src/ledger-replay';
import { checkReceipt, parseReceipt, renderReceiptReport } from '../src/receipt';
import { type BatchTx, castBatchTx, withWrites } from './support/batch';
import { CHANNEL, Codes, LedgerBuilder, NAMESPACE, type TxSpec } from './support/ledger-builder';
import { castTx, pollRecord, pollTx, tallyTx, voter } from './support/scenario';

const POLL = 'mx';
const open = (p: Poll): Poll => ({ ...p, status: 'open' });
const closed = (p: Poll): Poll => ({ ...p, status: 'closed' });

interface MixedLedger {
  readonly blocks: Uint8Array[];
  readonly batch: BatchTx;
  readonly batchBlock: number;
}

/**
 * Poll mx (last-counts): alice by CastBallot; then one CastBallots of bob, carol, alice's re-vote and zed (refused);
 * erin's CastBallots conflicts (MVCC); the poll is closed and tallied over what the ledger holds.
 *   counted: alice {blue; usb}, bob {green}, carol {blue; wifi} → red 0, green 1, blue 2; wifi 1, usb 1, ac 0
 */
function mixedLedger(edit: (batch: BatchTx) => BatchTx = (b) => b, extra: readonly TxSpec[] = []): MixedLedger {
  const b = new LedgerBuilder();
  const poll = pollRecord(POLL, 'last-counts');
  b.addBlock([pollTx(poll, 'CreatePoll', [{ key: pollStatusKey('draft', POLL), value: {} }])]);
  b.addBlock([pollTx(open(poll), 'OpenPoll')]);
  const alice = castTx(POLL, 'alice', { q1: ['red'], q2: [] }, { minute: 1 });
  b.addBlock([alice]);
  const batch = edit(castBatchTx(POLL, [
    { name: 'bob', answers: { q1: ['green'], q2: [] }, requestedAt: '2026-06-01T12:01:30.000Z' },
    { name: 'carol', answers: { q1: ['blue'], q2: ['wifi'] } },
    { name: 'alice', answers: { q1: ['blue'], q2: ['usb'] }, replaced: true },
    { name: 'zed', answers: { q1: ['purple'], q2: [] }, refused: 'INVALID_ARGUMENT' },
  ], { minute: 2 }));
  const batchBlock = b.addBlock([batch, ...extra]);
  b.addBlock([castBatchTx(POLL, [{ name: 'erin', answers: { q1: ['red'], q2: [] } }], { minute: 3, code: Codes.MVCC_READ_CONFLICT })]);
  b.addBlock([pollTx(closed(poll), 'ClosePoll')]);
  const counted = new Map<string, Ballot>([[alice.ballot.ballotId, alice.ballot]]);
  for (const ballot of batch.ballots.filter((x) => x.pollId === POLL)) counted.set(ballot.ballotId, ballot);
  b.addBlock([tallyTx(closed(poll), [...counted.values()])]);
  return { blocks: b.blocks, batch, batchBlock };
}

function audit(blocks: readonly Uint8Array[]): PollReport {
  const replay = new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE });
  blocks.forEach((bytes) => replay.apply(decodeBlock(bytes)));
  const track = replay.toJSON().polls.find((p) => p.pollId === POLL);
  if (track === undefined) throw new Error('no poll mx');
  return comparePoll(track);
}

const recount = (report: PollReport) => ({ counted: report.ballots.counted, counts: report.recomputed?.counts, root: report.recomputed?.ballotsRoot });

describe('CastBallots', function () {
  describe('decodeBallotCall', function () {
    it('reads each ballot at its position, and refuses on its own a malformed field or a voter asked for twice', function () {
      const ballots = [
        { voterToken: voter('a'), answers: { q1: ['red'] }, requestId: '', requestedAt: '' },
        { voterToken: 'NOT-A-TOKEN', answers: {}, requestId: '', requestedAt: '' },
        { voterToken: voter('a'), answers: { q1: ['blue'] }, requestId: '', requestedAt: '' },
      ];
      const call = decodeBallotCall('CastBallots', ['p', JSON.stringify(ballots)]);
      if (!call.ok) throw new Error(call.problem);
      expect(call.requests.map((r) => [r.position, r.refused === undefined])).to.deep.equal([[0, true], [1, false], [2, false]]);
      expect(call.requests[2]?.refused).to.equal('the voterToken of position 0 again');
    });

    it('when the arguments do not fit the protocol, then the whole call is refused', function () {
      expect(decodeBallotCall('CastBallots', ['p', '[]'])).to.include({ ok: false });
      expect(decodeBallotCall('CastBallots', ['p', '{"voterToken":1}'])).to.include({ ok: false });
      expect(decodeBallotCall('CastBallots', ['p'])).to.deep.include({ problem: 'CastBallots takes 2 arguments after its name, the transaction has 1' });
      expect(decodeBallotCall('CastBallot', ['~', voter('a'), '{}', '', ''])).to.include({ ok: false });
    });
  });

  describe('the audit of a poll cast partly by CastBallot, partly by CastBallots', function () {
    it('recounts the ballots written, not the refused or invalid ones, to the result the chaincode wrote', function () {
      const report = audit(mixedLedger().blocks);
      expect(report.problems).to.deep.equal([]);
      expect(report.verdict).to.equal('MATCH');
      expect(report.ballots).to.deep.equal({ counted: 3, writes: 4, replaced: 1 });
      expect(report.recomputed?.counts).to.deep.equal({ q1: { red: 0, green: 1, blue: 2 }, q2: { wifi: 1, usb: 1, ac: 0 } });
    });

    it('gives the same counts as the same ballots each cast alone (each root matches its own tally)', function () {
      const b = new LedgerBuilder();
      const poll = pollRecord(POLL, 'last-counts');
      b.addBlock([pollTx(open(poll), 'OpenPoll')]);
      const alone = [
        castTx(POLL, 'alice', { q1: ['blue'], q2: ['usb'] }),
        castTx(POLL, 'bob', { q1: ['green'], q2: [] }),
        castTx(POLL, 'carol', { q1: ['blue'], q2: ['wifi'] }),
      ];
      b.addBlock(alone);
      b.addBlock([tallyTx(closed(poll), alone.map((t) => t.ballot))]);
      const single = audit(b.blocks);
      const batched = audit(mixedLedger().blocks);
      // Ballot hashes cover the transaction id and time, so only the counts agree; each root matches its own tally.
      expect(single.verdict).to.equal('MATCH');
      expect(recount(batched).counts).to.deep.equal(recount(single).counts);
      expect(recount(batched).counted).to.equal(recount(single).counted);
    });
  });

  describe('tampering that only the transaction itself shows (records consistent, endorsed, tally over them)', function () {
    const problemsOf = (report: PollReport): string => report.problems.join('\n');

    it("when a ballot's answers in the write differ from its argument's, then the poll MISMATCHes on that ballot", function () {
      const { blocks } = mixedLedger((batch) => withWrites(batch, (ws) => ws.map((w) => (w.value.ballotId === voter('bob') ? { ...w, value: { ...w.value, answers: { q1: ['red'], q2: [] } } } : w))));
      const report = audit(blocks);
      expect(report.verdict).to.equal('MISMATCH');
      expect(problemsOf(report)).to.match(/CastBallots the ballot of voter [0-9a-f]{16}… \(position 0\) records answers \{"q1":\["red"\],"q2":\[\]\}, the transaction says \{"q1":\["green"\],"q2":\[\]\}, at block \d+ tx 0/);
      expect(problemsOf(report)).to.match(/CastBallots gave the ballot of voter .* \(position 0\) the receipt .*, but wrote/);
    });

    it('when it writes the ballot of a voter not among its arguments, then the poll MISMATCHes naming the key', function () {
      const mallory = voter('mallory');
      const { blocks } = mixedLedger((batch) => withWrites(batch, (ws) => {
        const first = ws[0]!;
        return [...ws, { key: ballotKey(POLL, mallory), value: { ...first.value, ballotId: mallory, answers: { q1: ['red'], q2: [] }, position: 4 } }];
      }));
      const report = audit(blocks);
      expect(report.verdict).to.equal('MISMATCH');
      expect(problemsOf(report)).to.include(`CastBallots wrote ${ballotKey(POLL, mallory)}, which is not a ballot among its arguments`);
    });

    it('when it drops a ballot its result gave a receipt, then the poll MISMATCHes on the dropped ballot', function () {
      const { blocks } = mixedLedger((batch) => withWrites(batch, (ws) => ws.filter((w) => w.value.ballotId !== voter('carol'))));
      const report = audit(blocks);
      expect(report.verdict).to.equal('MISMATCH');
      expect(problemsOf(report)).to.match(/CastBallots did not write the ballot of voter .* \(position 1\), though its result gives it a receipt: a dropped ballot/);
    });

    it('when it writes a ballot its result refused, then the poll MISMATCHes', function () {
      const { blocks } = mixedLedger((batch) => withWrites(batch, (ws) => [...ws, { key: ballotKey(POLL, voter('zed')), value: { ...ws[0]!.value, ballotId: voter('zed'), answers: { q1: ['red'], q2: [] }, position: 3 } }]));
      expect(problemsOf(audit(blocks))).to.match(/CastBallots wrote the ballot of voter .* \(position 3\), though its result refuses it/);
    });

    it('when a CastBallot writes another voter\'s key, then it is flagged the same way', function () {
      const stray = castTx(POLL, 'ghost', { q1: ['red'], q2: [] });
      const forged = { ...stray, writes: [{ key: ballotKey(POLL, voter('nobody')), value: { ...stray.ballot, ballotId: voter('nobody') } }] };
      const { blocks } = mixedLedger((b) => b, [forged]);
      expect(problemsOf(audit(blocks))).to.include(`CastBallot wrote ${ballotKey(POLL, voter('nobody'))}, which is not a ballot among its arguments`);
    });

    it("when a ballot is recorded as requested after its transaction's time, then it is flagged per ballot", function () {
      const { blocks } = mixedLedger((batch) => withWrites(batch, (ws) => ws.map((w, i) => (i === 1 ? { ...w, value: { ...w.value, requestedAt: '2026-06-01T12:09:00.000Z' } } : w))));
      const problems = problemsOf(audit(blocks));
      expect(problems).to.match(/ballot [0-9a-f]{64} was requested at 2026-06-01T12:09:00.000Z, after its transaction's timestamp 2026-06-01T12:02:07.123Z: post-dated/);
      expect(problems).to.match(/\(position 1\) records requestedAt "2026-06-01T12:09:00.000Z", the transaction says null/);
    });
  });

  describe("the event, from which the chain's followers count (records and result untouched)", function () {
    const problemsOf = (report: PollReport): string => report.problems.join('\n');
    /** The batch's event as the chaincode sets it (alice's re-vote replaces her first answers), edited per ballot. */
    const withEvent = (edit: (entries: Record<string, unknown>[]) => Record<string, unknown>[]) => (batch: BatchTx): BatchTx => {
      const entries = batch.ballots.map((ballot) => ({
        ballotId: ballot.ballotId,
        ballotHash: ballot.ballotHash,
        position: ballot.position,
        answers: ballot.answers,
        ...(ballot.ballotId === voter('alice') ? { replaced: { q1: ['red'], q2: [] } } : {}),
      }));
      return { ...batch, event: { name: 'BallotsCast', payload: { pollId: POLL, txId: batch.txId, ballots: edit(entries) } } };
    };

    it('when it is the one the chaincode sets, then the poll MATCHes', function () {
      const report = audit(mixedLedger(withEvent((entries) => entries)).blocks);
      expect(report.verdict).to.equal('MATCH');
      expect(report.problems).to.deep.equal([]);
    });

    it('when a transaction that wrote ballots sets no event, then the poll MISMATCHes', function () {
      const report = audit(mixedLedger((batch) => ({ ...batch, event: null })).blocks);
      expect(report.verdict).to.equal('MISMATCH');
      expect(problemsOf(report)).to.include('CastBallots wrote 3 ballot(s) but set no BallotsCast event: followers of the events would not count them');
    });

    it("when the event gives a ballot other answers than its record, then the poll MISMATCHes on that ballot", function () {
      const edit = withEvent((entries) => entries.map((e) => (e.ballotId === voter('bob') ? { ...e, answers: { q1: ['red'], q2: [] } } : e)));
      const problems = problemsOf(audit(mixedLedger(edit).blocks));
      expect(problems).to.match(/CastBallots set the event BallotsCast ballot 0 \{.*"answers":\{"q1":\["red"\],"q2":\[\]\}.*, but what it wrote calls for \{.*"answers":\{"q1":\["green"\],"q2":\[\]\}/);
    });

    it('when a re-vote is listed without the answers it replaced, then the poll MISMATCHes (the count would keep both)', function () {
      const edit = withEvent((entries) => entries.map((e) => (e.ballotId === voter('alice') ? { ...e, replaced: undefined } : e)));
      const problems = problemsOf(audit(mixedLedger(edit).blocks));
      expect(problems).to.match(/CastBallots set the event BallotsCast ballot 2 .*, but what it wrote calls for .*"replaced":\{"q1":\["red"\],"q2":\[\]\}/);
    });

    it('when the event lists a ballot the transaction did not write, then the poll MISMATCHes', function () {
      const edit = withEvent((entries) => [...entries, { ...entries[0], ballotId: voter('zed'), position: 3 }]);
      expect(problemsOf(audit(mixedLedger(edit).blocks))).to.include('CastBallots set a BallotsCast event of 4 ballot(s), but wrote 3');
    });

    it('when a transaction that wrote no ballot sets a ballot event, then the poll MISMATCHes', function () {
      const refused = castBatchTx(POLL, [{ name: 'zed', answers: { q1: ['purple'], q2: [] }, refused: 'INVALID_ARGUMENT' }], { minute: 2 });
      const ghost = { ...refused, event: { name: 'BallotsCast', payload: { pollId: POLL, txId: refused.txId, ballots: [] } } };
      expect(problemsOf(audit(mixedLedger((b) => b, [ghost]).blocks))).to.include('CastBallots set the event BallotsCast although it wrote no ballot');
    });
  });

  describe('a receipt of a batched ballot', function () {
    const { blocks, batch, batchBlock } = mixedLedger();
    const carol = batch.ballots[1]!;
    const block = decodeBlock(blocks[batchBlock]!);
    const context = { namespace: NAMESPACE, anchors: { source: 'test config', verified: true, config: decodeBlock(blocks[0]!).config! } };
    const receipt = { pollId: POLL, ballotId: carol.ballotId, txId: carol.txId, blockNumber: batchBlock, ballotHash: carol.ballotHash, position: 1 };

    it('reads the position from the receipt JSON (a number, or a decimal string) and refuses one out of range', function () {
      expect(parseReceipt(JSON.stringify({ ...receipt, position: '1' }))).to.deep.equal(receipt);
      expect(() => parseReceipt(JSON.stringify({ ...receipt, position: 100 }))).to.throw(/not a ballot position/);
    });

    it('is OK, and says the ballot is in block N, transaction T, position P', function () {
      const report = checkReceipt(receipt, block, { ...context, currentBallot: JSON.stringify(carol) });
      expect(report.verdict).to.equal('OK');
      expect(report.checks.find((c) => c.field === 'position in the transaction')).to.include({ onLedger: '1', verdict: 'MATCH' });
      expect(report.checks.find((c) => c.field === 'ballot vs the transaction arguments')).to.include({ verdict: 'MATCH' });
      expect(renderReceiptReport(report)).to.include(`recorded ballot (block ${batchBlock}, transaction 0, position 1, VALID)`);
    });

    it('fails when the receipt names another position', function () {
      const report = checkReceipt({ ...receipt, position: 2 }, block, context);
      expect(report.verdict).to.equal('FAILED');
      expect(report.checks.filter((c) => c.verdict === 'MISMATCH').map((c) => c.field)).to.deep.equal(['position in the transaction']);
    });

    it('fails when the ballot written is not the one its arguments asked for', function () {
      const tampered = mixedLedger((b) => withWrites(b, (ws) => ws.map((w) => (w.value.ballotId === carol.ballotId ? { ...w, value: { ...w.value, answers: { q1: ['red'], q2: [] } } } : w))));
      const forged = tampered.batch.ballots[1]!;
      const report = checkReceipt({ ...receipt, txId: forged.txId, ballotHash: forged.ballotHash }, decodeBlock(tampered.blocks[tampered.batchBlock]!), context);
      expect(report.checks.find((c) => c.field === 'ballot vs the transaction arguments')).to.include({ verdict: 'MISMATCH' });
    });
  });
});
