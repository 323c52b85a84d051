import { expect } from 'chai';
import { decodeBlock } from '../src/block-decoder';
import { ReceiptInputError } from '../src/errors';
import { type Receipt, checkReceipt, parseReceipt, renderReceiptReport } from '../src/receipt';
import { NAMESPACE, reseal, impostorSigner, tamperWrite } from './support/ledger-builder';
import { orgs } from './support/pki';
import { scenario } from './support/scenario';

describe('receipt', function () {
  const s = scenario();
  const config = decodeBlock(s.blocks[0]!).config!;
  const context = { namespace: NAMESPACE, anchors: { source: 'test config', verified: true, config } };
  const receiptOf = (ballot: typeof s.revote.ballot, blockNumber: number): Receipt => ({
    pollId: ballot.pollId, ballotId: ballot.ballotId, txId: ballot.txId, blockNumber, ballotHash: ballot.ballotHash,
  });

  describe('parseReceipt', function () {
    it('when the JSON has the five fields, then a receipt (blockNumber may be a decimal string)', function () {
      const r = receiptOf(s.revote.ballot, 4);
      expect(parseReceipt(JSON.stringify({ ...r, blockNumber: '4', extra: true }))).to.deep.equal(r);
    });

    it('when fields are missing, then ReceiptInputError lists them', function () {
      expect(() => parseReceipt('{"pollId":"p"}')).to.throw(ReceiptInputError, /ballotId, txId, ballotHash, blockNumber/);
      expect(() => parseReceipt('nope')).to.throw(ReceiptInputError, /not JSON/);
    });
  });

  describe('checkReceipt', function () {
    it('when the block holds the VALID transaction that wrote this ballot with this hash, then OK and the ballot as recorded', function () {
      const report = checkReceipt(receiptOf(s.revote.ballot, s.revote.block), decodeBlock(s.blocks[s.revote.block]!), {
        ...context, currentBallot: JSON.stringify(s.revote.ballot),
      });
      expect(report.verdict).to.equal('OK');
      expect(report.validationCode).to.equal('VALID');
      expect(report.recorded).to.deep.include({ answers: { q1: ['blue'], q2: ['usb'] } });
      expect(report.checks.find((c) => c.field === 'current ballot of this voter')?.onLedger).to.equal('this ballot');
      expect(renderReceiptReport(report)).to.include('receipt check: OK');
    });

    it('when a later re-vote replaced the ballot, then the receipt still checks and the report says it was replaced', function () {
      const report = checkReceipt(receiptOf(s.firstVote.ballot, s.firstVote.block), decodeBlock(s.blocks[s.firstVote.block]!), {
        ...context, currentBallot: JSON.stringify(s.revote.ballot),
      });
      expect(report.verdict).to.equal('OK');
      expect(report.checks.find((c) => c.field === 'current ballot of this voter')?.onLedger).to.match(/^replaced by a re-vote/);
    });

    it('when the re-vote remembers the replaced request, then the report says so', function () {
      const first = s.firstVote.ballot;
      const current = { ...s.revote.ballot, earlierRequests: [{ requestId: 'a'.repeat(64), txId: first.txId, ballotHash: first.ballotHash }] };
      const report = checkReceipt(receiptOf(first, s.firstVote.block), decodeBlock(s.blocks[s.firstVote.block]!), {
        ...context, currentBallot: JSON.stringify(current),
      });
      expect(report.verdict).to.equal('OK');
      expect(report.checks.find((c) => c.field === 'current ballot of this voter')?.onLedger).to.match(/^replaced by a re-vote .*which remembers this one$/);
    });

    it('when the receipt hash differs from the recorded ballot, then FAILED', function () {
      const receipt = { ...receiptOf(s.revote.ballot, s.revote.block), ballotHash: '0'.repeat(64) };
      const report = checkReceipt(receipt, decodeBlock(s.blocks[s.revote.block]!), context);
      expect(report.verdict).to.equal('FAILED');
      expect(report.checks.filter((c) => c.verdict === 'MISMATCH').map((c) => c.field)).to.deep.equal([
        'ballotHash (recorded vs receipt)', 'ballotHash (recomputed from the record)',
      ]);
    });

    it('when the recorded ballot was altered in the block, then the data hash, the recomputed hash and the arguments fail', function () {
      const key = `ballot~lc~${s.revote.ballot.ballotId}`;
      const altered = tamperWrite(s.blocks[s.revote.block]!, key, (v) => v.replace('"usb"', '"ac"'));
      const report = checkReceipt(receiptOf(s.revote.ballot, s.revote.block), decodeBlock(altered), context);
      expect(report.checks.filter((c) => c.verdict === 'MISMATCH').map((c) => c.field)).to.deep.equal([
        'block data hash', 'ballotHash (recomputed from the record)', 'ballot vs the transaction arguments',
      ]);
      expect(report.checks.find((c) => c.field === 'ballot vs the transaction arguments')?.onLedger).to.match(/records answers .*"ac".*, the transaction says .*"usb"/);
    });

    it('when the block was re-signed by someone else, then the orderer signature fails', function () {
      const forged = reseal(s.blocks, s.revote.block, impostorSigner);
      const report = checkReceipt(receiptOf(s.revote.ballot, s.revote.block), decodeBlock(forged[s.revote.block]!), context);
      expect(report.checks.find((c) => c.field === 'orderer signature')?.verdict).to.equal('MISMATCH');
    });

    it("when the block was re-signed with the city's ballot-relay key, then the orderer signature fails", function () {
      const forged = reseal(s.blocks, s.revote.block, orgs.city.client);
      const report = checkReceipt(receiptOf(s.revote.ballot, s.revote.block), decodeBlock(forged[s.revote.block]!), context);
      expect(report.checks.find((c) => c.field === 'orderer signature')).to.include({ verdict: 'MISMATCH' });
      expect(report.verdict).to.equal('FAILED');
    });

    it('when the trust anchors could not be established, then FAILED on them, whatever the block says', function () {
      const anchors = { source: 'checkpoint cp.json', verified: true, problem: 'the checkpoint holds no config' };
      const report = checkReceipt(receiptOf(s.revote.ballot, s.revote.block), decodeBlock(s.blocks[s.revote.block]!), { ...context, anchors });
      expect(report.checks.filter((c) => c.verdict === 'MISMATCH').map((c) => c.field)).to.deep.equal(['trust anchors', 'orderer signature']);
    });

    it('when the trust anchors are the source\'s own (--trust-peer), then the report says the check is weaker', function () {
      const anchors = { source: "the source's own config block 0 (--trust-peer): NOT VERIFIED", verified: false, config };
      const report = checkReceipt(receiptOf(s.revote.ballot, s.revote.block), decodeBlock(s.blocks[s.revote.block]!), { ...context, anchors });
      expect(report).to.deep.include({ verdict: 'OK', trustAnchors: { source: anchors.source, verified: false } });
      expect(renderReceiptReport(report)).to.match(/receipt check: OK \(WEAKER CHECK: .*--trust-peer\)\n$/);
    });

    it('when the transaction is invalid, then FAILED on the validation code', function () {
      const blockNumber = s.firstVote.block;
      const invalid = decodeBlock(s.blocks[blockNumber]!).transactions.find((t) => t.validationCodeName === 'MVCC_READ_CONFLICT')!;
      const write = invalid.namespaces[0]!.writes[0]!;
      const ballot = JSON.parse(write.value.toString('utf8')) as typeof s.revote.ballot;
      const report = checkReceipt(receiptOf(ballot, blockNumber), decodeBlock(s.blocks[blockNumber]!), context);
      expect(report.checks.find((c) => c.field === 'validation code')).to.include({ onLedger: 'MVCC_READ_CONFLICT', verdict: 'MISMATCH' });
    });

    it('when the transaction is in another block than the receipt says, then FAILED on the block number', function () {
      const report = checkReceipt(receiptOf(s.revote.ballot, 2), decodeBlock(s.blocks[s.revote.block]!), context);
      expect(report.checks.find((c) => c.field === 'block number')).to.include({ verdict: 'MISMATCH' });
    });

    it('when no block holds the transaction, then FAILED: not found', function () {
      const report = checkReceipt({ ...receiptOf(s.revote.ballot, 4), txId: 'nope' }, undefined, context);
      expect(report).to.include({ verdict: 'FAILED', foundInBlock: null });
      expect(renderReceiptReport(report)).to.include('not found');
    });
  });
});
