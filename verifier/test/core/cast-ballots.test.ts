import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ballotKey } from '@poll-ledger/protocol';
import { main } from '../../src/cli/main';
import { readBallotCall } from '../../src/core/ballot-call';
import type { VerificationReport } from '../../src/core/report';
import { verifyBundle } from '../../src/core/verify';
import { receiptVerdict } from '../../src/web/verdict';
import type { Receipt } from '../../src/wire';
import { type BatchTx, type Forgery, castBallots, reanswered } from '../support/batch';
import { bundleOf } from '../support/bundle';
import { signaturePolicy } from '../support/fabric';
import { LedgerBuilder } from '../support/ledger';
import { orgs } from '../support/pki';
import { POLICY, castBallot, pollRecord, pollTx, tallyTx, voter } from '../support/polls';
import { commitWrites } from '../support/tx';

const messages = (r: VerificationReport, name: string): string => r.steps.find((s) => s.name === name)!.failures.map((f) => f.message).join('\n');
const failed = (r: VerificationReport): string[] => r.steps.filter((s) => !s.ok).map((s) => s.name);

interface Mixed {
  readonly blocks: Uint8Array[];
  readonly genesisHash: string;
  readonly batch: BatchTx;
  readonly alone: Receipt;
}

/**
 * Poll p1 (last-counts): alice votes red by CastBallot; one CastBallots casts bob red, carol blue, alice's re-vote
 * blue and refuses zed; the poll is closed and tallied over what was written → red 1, blue 2.
 */
function mixedLedger(forgery: Forgery = {}, more: (b: LedgerBuilder) => void = () => undefined): Mixed {
  const b = new LedgerBuilder();
  b.addBlock([{ namespace: '_lifecycle', fn: 'CommitChaincodeDefinition', creator: orgs.city.admin, writes: commitWrites('polls', 1, signaturePolicy(POLICY)) }]);
  b.addBlock([pollTx(b, pollRecord('p1', 'draft'), 'CreatePoll')]);
  b.addBlock([pollTx(b, pollRecord('p1', 'open'), 'OpenPoll')]);
  const alice = castBallot(b, 'p1', 'alice', 'red', 1);
  b.addBlock([alice]);
  const batch = castBallots(b, 'p1', [
    { name: 'bob', choice: 'red' },
    { name: 'carol', choice: 'blue' },
    { name: 'alice', choice: 'blue' },
    { name: 'zed', choice: 'green', refused: 'INVALID_ANSWER' },
  ], 2, forgery);
  b.addBlock([batch]);
  more(b);
  const closed = pollRecord('p1', 'closed');
  b.addBlock([pollTx(b, closed, 'ClosePoll')]);
  const counted = new Map([alice.ballot, ...batch.ballots].map((ballot) => [ballot.ballotId, ballot]));
  b.addBlock([tallyTx(b, closed, [...counted.values()])]);
  return { blocks: b.blocks, genesisHash: b.genesisHash, batch, alone: { pollId: 'p1', ballotId: alice.ballot.ballotId, txId: alice.txId, ballotHash: alice.ballot.ballotHash } };
}

const verify = (l: Pick<Mixed, 'blocks' | 'genesisHash'>, receipt?: Receipt) =>
  verifyBundle(bundleOf(l.blocks, 'p1'), { genesisHash: l.genesisHash, ...(receipt === undefined ? {} : { receipt }) });

describe('CastBallots in the verifier', () => {
  describe('readBallotCall', () => {
    it('reads CastBallots ballots at their positions, each refused on its own by CastBallot\'s rules', () => {
      const ballots = [{ voterToken: voter('a'), answers: { q1: ['red'] }, requestId: '', requestedAt: '' }, { voterToken: 'x', answers: {}, requestId: '', requestedAt: '' }, { voterToken: voter('a'), answers: {}, requestId: '', requestedAt: '' }];
      const call = readBallotCall({ functionName: 'CastBallots', args: ['p1', JSON.stringify(ballots)] });
      if (typeof call !== 'object') throw new Error(String(call));
      expect(call.ballots.map((b) => [b.position, b.refusal !== undefined])).to.deep.equal([[0, false], [1, true], [2, true]]);
    });

    it('refuses arguments that do not fit the protocol, and is not about other functions', () => {
      expect(readBallotCall({ functionName: 'CastBallots', args: ['p1', '[]'] })).to.match(/^its ballotsJson /);
      expect(readBallotCall({ functionName: 'CastBallot', args: ['p1'] })).to.equal('CastBallot has 1 arguments, not 5');
      expect(readBallotCall({ functionName: 'TallyPoll', args: ['p1', '10'] })).to.equal(undefined);
    });
  });

  describe('a poll cast partly by CastBallot and partly by CastBallots', () => {
    const honest = mixedLedger();

    it('verifies: the recount of the ballots written (not the refused one) equals the tally on the chain', async () => {
      const report = await verify(honest);
      expect(failed(report)).to.deep.equal([]);
      expect(report.poll).to.deep.include({ ballotCount: 3, counts: { q1: { red: 1, blue: 2 } }, matches: true });
    });

    it('verifies the receipt of a batched ballot, and says its block, transaction and position', async () => {
      const carol = honest.batch.receipts[1]!;
      const report = await verify(honest, carol);
      expect(failed(report)).to.deep.equal([]);
      expect(report.receipt).to.deep.include({ position: 1, txIndex: 0, valid: true, asCast: true, counted: true });
      expect(report.steps.find((s) => s.name === 'receipt')?.summary).to.match(/^block \d+, transaction 0, position 1: VALID/);
      expect(receiptVerdict(report, carol).sentence).to.match(/^Verified: your ballot is in block \d+, transaction 0 \([0-9a-f]{64}\), position 1, endorsed by ObserverMSP and CityMSP, exactly as cast, and counted in the result\.$/);
    });

    it('says of a receipt without a position where the ballot is, and of the replaced CastBallot ballot that it is not counted', async () => {
      const first = honest.batch.receipts[0]!;
      const bare = { pollId: first.pollId, ballotId: first.ballotId, txId: first.txId };
      expect((await verify(honest, bare)).receipt).to.deep.include({ position: 0, counted: true });
      const replaced = await verify(honest, honest.alone);
      expect(replaced.receipt).to.deep.include({ asCast: true, counted: false });
      expect(replaced.receipt).not.to.have.property('position');
    });

    it('fails a receipt that names another position', async () => {
      const report = await verify(honest, { ...honest.batch.receipts[1]!, position: 2 });
      expect(messages(report, 'receipt')).to.equal('the receipt says position 2, but the ballot is at position 1');
    });

    it('runs from the CLI with the position in the receipt', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-batch-'));
      try {
        const file = path.join(dir, 'bundle.json');
        fs.writeFileSync(file, JSON.stringify(bundleOf(honest.blocks, 'p1')));
        const carol = honest.batch.receipts[1]!;
        let out = '';
        const code = await main(['--genesis-hash', honest.genesisHash, '--bundle', file, '--receipt', `${carol.pollId},${carol.ballotId},${carol.txId},${carol.ballotHash ?? ''},1`], { out: (t) => (out += t), err: () => undefined });
        expect(code).to.equal(0);
        expect(out).to.match(/transaction 0, position 1: VALID/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('a tampered CastBallots (endorsed as it is, tally over what it wrote)', () => {
    it("when a ballot's answers are altered in the write (its hash recomputed), then the poll step names it and its receipt fails", async () => {
      const l = mixedLedger({ writes: (ballots) => ballots.map((b) => (b.ballotId === voter('bob') ? reanswered(b, 'blue') : b)) });
      const bob = { ...mixedLedger().batch.receipts[0]!, txId: l.batch.txId };
      const report = await verify(l, { ...bob, ballotHash: l.batch.receipts[0]!.ballotHash });
      expect(messages(report, 'poll')).to.match(/CastBallots\): the ballot of voter [0-9a-f]{12}… at position 0 it writes: its answers is \{"q1":\["blue"\]\}, the transaction asked for \{"q1":\["red"\]\}/);
      expect(messages(report, 'poll')).to.match(/its receipt for the ballot of voter .* at position 0 is .*, but it writes/);
      expect(messages(report, 'receipt')).to.match(/the ballot written has hash/);
      expect(report.receipt?.asCast).to.equal(false);
    });

    it('when it writes the ballot of a voter it was not asked for, then the poll step names the key', async () => {
      const mallory = voter('mallory');
      const l = mixedLedger({ writes: (ballots) => [...ballots, reanswered({ ...ballots[0]!, ballotId: mallory, position: 3 }, 'red')] });
      const report = await verify(l);
      expect(failed(report)).to.deep.equal(['poll']);
      expect(messages(report, 'poll')).to.include(`writes ${ballotKey('p1', mallory)}: a key of no ballot it asked for`);
    });

    it('when it drops a ballot its result gave a receipt, then the poll step says so and that receipt fails', async () => {
      const l = mixedLedger({ writes: (ballots) => ballots.filter((b) => b.ballotId !== voter('carol')) });
      const carol = { ...l.batch.receipts[1]!, ballotHash: mixedLedger().batch.receipts[1]!.ballotHash };
      const report = await verify(l, carol);
      expect(messages(report, 'poll')).to.match(/its result gives the ballot of voter [0-9a-f]{12}… at position 1 a receipt, but it does not write it: a dropped ballot/);
      expect(messages(report, 'receipt')).to.include(`the transaction does not write ${ballotKey('p1', voter('carol'))}`);
    });

    it('when it writes a ballot its result refused, then the poll step says so', async () => {
      const l = mixedLedger({ writes: (ballots) => [...ballots, reanswered({ ...ballots[0]!, ballotId: voter('zed'), position: 3 }, 'red')] });
      expect(messages(await verify(l), 'poll')).to.match(/it writes the ballot of voter .* at position 3, which its result refuses/);
    });

    it('a CastBallot that writes another voter\'s ballot is caught the same way', async () => {
      const l = mixedLedger({}, (b) => {
        const key = ballotKey('p1', voter('nobody'));
        const honest = castBallot(b, 'p1', 'ghost', 'red', 3);
        b.addBlock([castBallot(b, 'p1', 'ghost', 'red', 3, { writes: [{ key, value: JSON.stringify({ ...honest.ballot, ballotId: voter('nobody') }) }] })]);
      });
      expect(messages(await verify(l), 'poll')).to.include(`(CastBallot): writes ${ballotKey('p1', voter('nobody'))}: a key of no ballot it asked for`);
    });
  });
});
