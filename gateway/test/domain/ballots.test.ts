import { createHash, createHmac } from 'node:crypto';
import { BallotService, requestIdFor, voterToken, type CastOutcome } from '../../src/domain/ballots';
import { IdempotencyStore } from '../../src/domain/idempotency';
import { CommitPendingError } from '../../src/errors';
import { expect } from '../chai';
import { bytes, fakeLedger, type FakeLedger } from '../fakes';
import { SECRET, TX_ID } from '../fixtures';

const CITIZEN = 'citizen-4711-alice';
const caller = { keyId: 'platform', role: 'ballot-relay' } as const;

function castResult(ballotId: string, duplicate = false, txId = TX_ID) {
  return bytes({ pollId: 'p1', ballotId, ballotHash: 'h'.repeat(64), txId, replaced: false, duplicate });
}

describe('ballots', () => {
  describe('voterToken', () => {
    it('when computed, then it is HMAC-SHA256(secret, pollId NUL citizenId) in hex', () => {
      const expected = createHmac('sha256', SECRET).update(`p1\u0000${CITIZEN}`).digest('hex');
      expect(voterToken(SECRET, 'p1', CITIZEN)).to.equal(expected).and.match(/^[0-9a-f]{64}$/);
    });

    it('when the poll differs, then the token differs, so ballots cannot be linked across polls', () => {
      expect(voterToken(SECRET, 'p1', CITIZEN)).to.not.equal(voterToken(SECRET, 'p2', CITIZEN));
    });

    it('when pollId and citizenId are shifted across the separator, then tokens still differ', () => {
      expect(voterToken(SECRET, 'p1a', 'b')).to.not.equal(voterToken(SECRET, 'p1', 'ab'));
    });

    it('when computed, then it never contains the citizen id', () => {
      expect(voterToken(SECRET, 'p1', 'abc')).to.not.include('abc');
    });
  });

  describe('requestIdFor', () => {
    it('when computed, then it is sha256hex(callerKeyId + ":" + idempotencyKey)', () => {
      expect(requestIdFor('platform', 'key-1')).to.equal(createHash('sha256').update('platform:key-1').digest('hex'));
    });
  });

  describe('BallotService.cast', () => {
    let ledger: FakeLedger;
    let service: BallotService;
    const token = voterToken(SECRET, 'p1', CITIZEN);

    beforeEach(() => {
      ledger = fakeLedger();
      const store = new IdempotencyStore<CastOutcome>({ maxEntries: 10, ttlMs: 60_000 });
      service = new BallotService(ledger, store, { voterTokenSecret: SECRET, statusWaitMs: 10 });
    });

    it('when a ballot is cast, then CastBallot gets pollId, token, answers and requestId but never the citizen id', async () => {
      ledger.submit.resolves({ result: castResult(token), txId: TX_ID, blockNumber: 7 });
      const outcome = await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['red'] } }, 'key-1');
      expect(outcome).to.deep.equal({
        receipt: { pollId: 'p1', ballotId: token, txId: TX_ID, blockNumber: 7, ballotHash: 'h'.repeat(64) },
        replayed: false,
      });
      const [request] = ledger.submit.firstCall.args;
      expect(request).to.deep.equal({
        role: 'ballot-relay',
        name: 'CastBallot',
        args: ['p1', token, '{"q1":["red"]}', requestIdFor('platform', 'key-1')],
      });
      expect(JSON.stringify(ledger.submit.firstCall.args)).to.not.include(CITIZEN);
    });

    it('when the ledger result says duplicate, then the commit is skipped and the original block is looked up', async () => {
      const originalTx = 'd'.repeat(64);
      ledger.submit.callsFake((_request, options) => {
        const result = castResult(token, true, originalTx);
        expect(options?.skipCommitIf?.(result)).to.equal(true);
        return Promise.resolve({ result, txId: 'e'.repeat(64) });
      });
      ledger.commitStatus.resolves({ txId: originalTx, validationCode: 0, valid: true, blockNumber: 3 });
      const outcome = await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['red'] } }, 'key-1');
      expect(outcome.replayed).to.equal(true);
      expect(outcome.receipt).to.include({ txId: originalTx, blockNumber: 3 });
      expect(ledger.commitStatus.firstCall.args).to.deep.equal(['ballot-relay', originalTx, 10]);
    });

    it('when a new ballot is endorsed, then skipCommitIf lets it through', async () => {
      ledger.submit.callsFake((_request, options) => {
        expect(options?.skipCommitIf?.(castResult(token))).to.equal(false);
        return Promise.resolve({ result: castResult(token), txId: TX_ID, blockNumber: 1 });
      });
      await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['red'] } }, 'key-1');
    });

    it("when a duplicate's original commit status is not known, then it is CommitPendingError", async () => {
      ledger.submit.resolves({ result: castResult(token, true), txId: TX_ID });
      ledger.commitStatus.resolves(undefined);
      await expect(service.cast(caller, 'p1', { citizenId: CITIZEN, answers: {} }, 'k')).to.be.rejectedWith(CommitPendingError);
    });

    it('when the same key repeats with the options in another order, then it is the same request', async () => {
      ledger.submit.resolves({ result: castResult(token), txId: TX_ID, blockNumber: 1 });
      await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q2: ['b', 'a'], q1: ['x'] } }, 'k');
      const again = await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['x'], q2: ['a', 'b'] } }, 'k');
      expect(again.replayed).to.equal(true);
      expect(ledger.submit.callCount).to.equal(1);
    });

    it('when two callers use the same Idempotency-Key, then they do not share receipts', async () => {
      ledger.submit.resolves({ result: castResult(token), txId: TX_ID, blockNumber: 1 });
      await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: {} }, 'k');
      await service.cast({ keyId: 'other', role: 'ballot-relay' }, 'p1', { citizenId: CITIZEN, answers: {} }, 'k');
      expect(ledger.submit.callCount).to.equal(2);
    });
  });

  describe('BallotService.get', () => {
    it('when asked for a ballot, then GetBallot is evaluated with the caller role', async () => {
      const ledger = fakeLedger();
      ledger.evaluate.resolves(bytes({ pollId: 'p1' }));
      const service = new BallotService(ledger, new IdempotencyStore({ maxEntries: 1, ttlMs: 1 }), { voterTokenSecret: SECRET, statusWaitMs: 1 });
      expect(await service.get('auditor', 'p1', 'x')).to.deep.equal({ pollId: 'p1' });
      expect(ledger.evaluate.firstCall.args[0]).to.deep.equal({ role: 'auditor', name: 'GetBallot', args: ['p1', 'x'] });
    });
  });
});
