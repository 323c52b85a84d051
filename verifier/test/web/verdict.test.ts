import { expect } from 'chai';
import type { StepResult, VerificationReport } from '../../src/core/report';
import { stepsView, verdictView } from '../../src/web/steps-view';
import { listOfNames, receiptVerdict, resultVerdict, sameCounts } from '../../src/web/verdict';

const receipt = { pollId: 'p-1', ballotId: 'a'.repeat(64), txId: 'b'.repeat(64), ballotHash: 'c'.repeat(64) };
const step = (name: StepResult['name'], ok = true, failures: StepResult['failures'] = []): StepResult => ({
  name, ok, checked: 3, summary: `${name} summary`, failures, notes: [],
});
const counts = { q1: { red: 2, blue: 1 } };

function report(overrides: Partial<VerificationReport> = {}): VerificationReport {
  return {
    ok: true,
    genesisHash: 'f'.repeat(64),
    channel: 'polls',
    height: 9,
    steps: [step('chain'), step('config'), step('orderer-signatures'), step('transactions'), step('poll'), step('receipt')],
    poll: { pollId: 'p-1', ballotCount: 3, counts, ballotsRoot: 'd'.repeat(64), onChain: { ballotCount: 3, counts, ballotsRoot: 'd'.repeat(64) }, matches: true },
    receipt: { pollId: 'p-1', ballotId: receipt.ballotId, txId: receipt.txId, blockNumber: 5, txIndex: 0, endorsedBy: ['ObserverMSP', 'CityMSP'], valid: true, asCast: true, counted: true },
    flagMismatches: [],
    stats: { blocks: 9, transactions: 12, signaturesChecked: 40, millis: 12.6 },
    ...overrides,
  };
}

describe('verdict', () => {
  describe('receiptVerdict', () => {
    it('says where the ballot is, who endorsed it, and that it is as cast and counted', () => {
      const verdict = receiptVerdict(report(), receipt);
      expect(verdict.verified).to.equal(true);
      expect(verdict.sentence).to.equal(
        `Verified: your ballot is in block 5, transaction 0 (${receipt.txId}), endorsed by ObserverMSP and CityMSP, exactly as cast, and counted in the result.`,
      );
    });

    it('says the position of a ballot cast with others in one transaction', () => {
      const batched = report({ receipt: { ...report().receipt!, txIndex: 2, position: 17 } });
      expect(receiptVerdict(batched, { ...receipt, position: 17 }).sentence).to.equal(
        `Verified: your ballot is in block 5, transaction 2 (${receipt.txId}), position 17, endorsed by ObserverMSP and CityMSP, exactly as cast, and counted in the result.`,
      );
    });

    it('does not claim "exactly as cast" for a receipt without a ballot hash', () => {
      const bare = { pollId: receipt.pollId, ballotId: receipt.ballotId, txId: receipt.txId };
      const verdict = receiptVerdict(report(), bare);
      expect(verdict.verified).to.equal(true);
      expect(verdict.sentence).not.to.contain('exactly as cast');
    });

    it('names the first failing step before anything about the receipt', () => {
      const steps = [step('chain', false, [{ step: 'chain', message: 'genesis hash differs from the pinned one', blockNumber: 0 }]), step('receipt')];
      const verdict = receiptVerdict(report({ ok: false, steps }), receipt);
      expect(verdict.verified).to.equal(false);
      expect(verdict.sentence).to.equal('NOT verified: Hash chain from the pinned genesis block failed: genesis hash differs from the pinned one (block 0).');
    });

    it('is not verified when the transaction is absent, invalid, altered or not counted', () => {
      const base = report().receipt!;
      const cases: [Partial<typeof base>, string][] = [
        [{ blockNumber: undefined }, 'not in the poll'],
        [{ valid: false }, 'not valid'],
        [{ asCast: false }, 'ballot hash differs'],
        [{ counted: false }, 'not the one counted'],
      ];
      for (const [change, words] of cases) {
        const verdict = receiptVerdict(report({ receipt: { ...base, ...change } }), receipt);
        expect(verdict.verified, words).to.equal(false);
        expect(verdict.sentence).to.match(/^NOT verified: /).and.contain(words);
      }
      expect(receiptVerdict(report({ receipt: undefined }), receipt).verified).to.equal(false);
    });

    it('is not verified when the report fails anywhere, even with a good receipt', () => {
      expect(receiptVerdict(report({ ok: false }), receipt).verified).to.equal(false);
    });
  });

  describe('resultVerdict', () => {
    it('verifies a recount equal to the on-chain result and to what the page showed', () => {
      const verdict = resultVerdict(report(), { ballotCount: 3, counts, ballotsRoot: 'd'.repeat(64) });
      expect(verdict.verified).to.equal(true);
      expect(verdict.sentence).to.match(/^Verified: the result recomputed in your browser from 3 ballots matches/);
    });

    it('is not verified when the chain result differs from the recount', () => {
      const poll = { ...report().poll!, matches: false, onChain: { ballotCount: 4, counts, ballotsRoot: 'e'.repeat(64) } };
      expect(resultVerdict(report({ poll })).sentence).to.contain('differs from the recount');
    });

    it('is not verified when the service showed other numbers than the recount', () => {
      const verdict = resultVerdict(report(), { ballotCount: 3, counts: { q1: { red: 1, blue: 2 } }, ballotsRoot: 'd'.repeat(64) });
      expect(verdict.verified).to.equal(false);
      expect(verdict.sentence).to.contain('numbers the service showed');
    });

    it('is not verified without an on-chain result to compare with', () => {
      const poll = { ...report().poll!, onChain: undefined, matches: false };
      expect(resultVerdict(report({ poll })).verified).to.equal(false);
    });
  });

  describe('helpers', () => {
    it('lists names as a sentence', () => {
      expect([listOfNames([]), listOfNames(['A']), listOfNames(['A', 'B']), listOfNames(['A', 'B', 'C'])]).to.deep.equal(['nobody', 'A', 'A and B', 'A, B and C']);
    });

    it('compares counts option by option', () => {
      expect(sameCounts(counts, { q1: { blue: 1, red: 2 } })).to.equal(true);
      expect(sameCounts(counts, { q1: { red: 2 } })).to.equal(false);
      expect(sameCounts(counts, { q1: { red: 2, blue: 1 }, q2: {} })).to.equal(false);
    });
  });
});

describe('steps view', () => {
  it('renders each step with its mark, title, summary and escaped failures', () => {
    const failing = step('transactions', false, [{ step: 'transactions', message: 'endorsement by <EvilMSP>', blockNumber: 4, txId: 'b'.repeat(64) }]);
    const markup = stepsView(report({ steps: [step('chain'), failing] })).toString();
    expect(markup).to.contain('class="step ok" data-step="chain"');
    expect(markup).to.contain('<strong class="title">Hash chain from the pinned genesis block</strong>');
    expect(markup).to.contain('class="step fail" data-step="transactions"');
    expect(markup).to.contain('endorsement by &lt;EvilMSP&gt; <span class="where">(block 4, tx bbbb');
    expect(markup).to.contain('Checked 9 blocks, 12 transactions and\n40 signatures in 13 ms');
  });

  it('counts the failures it does not list', () => {
    const failures = Array.from({ length: 25 }, (_, i) => ({ step: 'chain' as const, message: `bad ${i}` }));
    expect(stepsView(report({ steps: [step('chain', false, failures)] })).toString()).to.contain('… and 5 more');
  });

  it('renders the verdict as a status line', () => {
    expect(verdictView({ verified: false, sentence: 'NOT verified: x' }).toString()).to.contain('class="verdict fail" role="status"');
  });
});
