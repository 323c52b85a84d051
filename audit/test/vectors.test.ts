import { type Ballot, ballotKey, loadVectors } from '@poll-ledger/protocol';
import { expect } from 'chai';
import { answerFindings, canonicalAnswers } from '../src/answers';
import { canonicalJson, compareCodeUnits } from '../src/canonical';
import { ballotHashOf, ballotHashText, chainNext, chainStart, recomputePoll } from '../src/recompute';
import { matchReceipt } from '../src/receipt';
import type { StoredValue } from '../src/replay-state';
import { isNoSuchBallot } from '../src/fabric';
import { ballotTimeProblems } from '../src/time-order';

/**
 * The auditor's own implementation of the protocol's rules, on the protocol's language-neutral vectors
 * (protocol/vectors). The chaincode proves its implementation on the same files: this is how the two agree without
 * sharing code.
 */

/** A ballot as the replay would hold it: the record's text, written by its own transaction at its castAt. */
function storedBallot(ballot: Ballot, tx: number): [string, StoredValue] {
  return [ballot.ballotId, { value: JSON.stringify(ballot), at: { block: 1, tx, txId: ballot.txId, timestamp: ballot.castAt } }];
}

describe('protocol vectors', function () {
  describe('canonical-json', function () {
    for (const v of loadVectors('canonical-json')) {
      it(`${v.name}: canonicalJson gives the vector's text`, function () {
        expect(canonicalJson(v.value)).to.equal(v.canonical);
      });
    }
  });

  describe('ballot-hash', function () {
    for (const v of loadVectors('ballot-hash')) {
      it(`${v.name}: the hashed text and ballotHashOf give the vector's`, function () {
        expect(ballotHashText(v.content)).to.equal(v.canonical);
        expect(ballotHashOf(v.content)).to.equal(v.ballotHash);
      });
    }
  });

  describe('ballots-root', function () {
    for (const v of loadVectors('ballots-root')) {
      it(`${v.name}: recomputePoll gives the result's count, counts and root, with every chain head on the way`, function () {
        const recomputed = recomputePoll(v.poll, new Map(v.ballots.map((b, i) => storedBallot(b, i))));
        expect(recomputed.problems).to.deep.equal([]);
        expect(recomputed.ballotCount).to.equal(v.results.ballotCount);
        expect(recomputed.counts).to.deep.equal(v.results.counts);
        expect(recomputed.ballotsRoot).to.equal(v.results.ballotsRoot);
        expect(recomputed.ballotsRoot).to.equal(v.chain.at(-1));

        const inKeyOrder = [...v.ballots].sort((a, b) => compareCodeUnits(ballotKey(a.pollId, a.ballotId), ballotKey(b.pollId, b.ballotId)));
        const heads = [chainStart(v.poll.id)];
        for (const ballot of inKeyOrder) {
          heads.push(chainNext(heads.at(-1) ?? '', ballotHashOf(ballot)));
        }
        expect(heads).to.deep.equal(v.chain);
      });
    }
  });

  describe('answers', function () {
    for (const v of loadVectors('answers')) {
      const outcome = v.outcome;
      if ('canonical' in outcome) {
        it(`${v.name}: no findings, and canonicalAnswers gives the vector's canonical form`, function () {
          expect(answerFindings(v.poll, v.answers)).to.deep.equal([]);
          const canonical = canonicalAnswers(v.answers as Record<string, string[]>);
          expect(canonical).to.deep.equal(outcome.canonical);
          expect(canonicalJson(canonical)).to.equal(canonicalJson(outcome.canonical));
          expect(Object.keys(canonical)).to.deep.equal(Object.keys(outcome.canonical));
        });
      } else {
        const error = outcome.error;
        it(`${v.name}: the findings include the chaincode's refusal (${error.code})`, function () {
          const findings = answerFindings(v.poll, v.answers);
          expect(findings).to.not.be.empty;
          if (error.code === 'INVALID_ANSWER') {
            const problems = findings.flatMap((f) => (f.code === 'INVALID_ANSWER' ? [f.details] : []));
            expect(problems).to.deep.include(error.details);
          } else {
            expect(findings.map((f) => f.code)).to.include(error.code);
          }
        });
      }
    }
  });

  describe('receipts', function () {
    for (const v of loadVectors('receipts')) {
      it(`${v.name}: matchReceipt says ${v.matches}`, function () {
        expect(matchReceipt(v.receipt, v.ballot)).to.equal(v.matches);
        // The stored version is what the auditor recomputes; its own hash must be the record's.
        expect(ballotHashOf(v.ballot)).to.equal(v.ballot.ballotHash);
      });
    }
  });

  describe('cast-results', function () {
    for (const v of loadVectors('cast-results')) {
      it(`${v.name}: canonicalJson of the result is the text the chaincode returns`, function () {
        expect(canonicalJson(v.result)).to.equal(v.canonical);
      });
    }
  });
});

describe('protocol vectors: revote-order.json and error-payloads.json', function () {
  const at = { block: 1, tx: 0, txId: 'a'.repeat(64) };
  const stored = (times: object) => ({ value: JSON.stringify(times), at });

  for (const vector of loadVectors('revote-order')) {
    it(`${vector.name}: the auditor flags the replacement iff the chaincode would refuse it (${vector.outcome})`, function () {
      const problems = ballotTimeProblems(undefined, undefined, stored(vector.stored), stored(vector.incoming));
      expect(problems.some((p) => p.includes('re-vote order')), JSON.stringify(problems)).to.equal(vector.outcome === 'SUPERSEDED');
    });
  }

  for (const vector of loadVectors('error-payloads')) {
    it(`${vector.name}: GetBallot's failure means "no such ballot" only for a NOT_FOUND payload`, function () {
      const err = { message: 'evaluate failed', details: [{ message: `chaincode response 500, ${vector.message}` }] };
      expect(isNoSuchBallot(err)).to.equal(vector.payload?.code === 'NOT_FOUND');
    });
  }

  it('when GetBallot is refused NOT_FOUND, then the receipt check reads it as no current ballot', function () {
    const message = JSON.stringify({ code: 'NOT_FOUND', message: 'no ballot' });
    expect(isNoSuchBallot({ message: `evaluate: chaincode response 500, ${message}` })).to.equal(true);
  });
});
