import { createHash, createHmac } from 'node:crypto';
import { BallotService, requestIdFor, voterToken, type CastOutcome } from '../../src/domain/ballots';
import { IdempotencyStore } from '../../src/domain/idempotency';
import { ChaincodeError, CommitPendingError, LedgerBadResponseError, LedgerUnavailableError } from '../../src/errors';
import { expect } from '../chai';
import { bytes, fakeLedger, type FakeLedger } from '../fakes';
import { BALLOT, BALLOT_HASH, SECRET, TX_ID, castResult as castFields } from '../fixtures';

const CITIZEN = 'citizen-4711-alice';
const caller = { keyId: 'platform', role: 'ballot-relay' } as const;

function castResult(ballotId: string, duplicate = false, txId = TX_ID, superseded?: true) {
  return bytes(castFields(ballotId, { duplicate, txId, superseded }));
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
    it('when computed, then it is HMAC-SHA256(secret, "poll-ledger:request-id" NUL keyId NUL key) in hex', () => {
      const expected = createHmac('sha256', SECRET).update('poll-ledger:request-id\u0000platform\u0000key-1').digest('hex');
      expect(requestIdFor(SECRET, 'platform', 'key-1')).to.equal(expected).and.match(/^[0-9a-f]{64}$/);
    });

    it('when computed, then it is not the unkeyed hash, so a dictionary of keys cannot reverse it without the secret', () => {
      expect(requestIdFor(SECRET, 'platform', 'key-1')).to.not.equal(createHash('sha256').update('platform:key-1').digest('hex'));
      expect(requestIdFor(SECRET, 'platform', 'key-1')).to.not.equal(requestIdFor(`${SECRET}x`, 'platform', 'key-1'));
    });

    it('when keyId and key are shifted across the separator, then the ids still differ', () => {
      expect(requestIdFor(SECRET, 'a:b', 'c')).to.not.equal(requestIdFor(SECRET, 'a', 'b:c'));
      expect(requestIdFor(SECRET, 'ab', 'c')).to.not.equal(requestIdFor(SECRET, 'a', 'bc'));
    });

    it('when the same inputs give a voter token, then it differs from the requestId (domain separation)', () => {
      expect(requestIdFor(SECRET, 'p1', CITIZEN)).to.not.equal(voterToken(SECRET, 'p1', CITIZEN));
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
        receipt: { pollId: 'p1', ballotId: token, txId: TX_ID, blockNumber: 7, ballotHash: BALLOT_HASH },
        replayed: false,
      });
      const [request] = ledger.submit.firstCall.args;
      expect(request).to.deep.equal({
        role: 'ballot-relay',
        name: 'CastBallot',
        args: ['p1', token, '{"q1":["red"]}', requestIdFor(SECRET, 'platform', 'key-1')],
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
      ledger.commitStatus.resolves({ txId: originalTx, validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: 3 });
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

    it('when the chaincode answers duplicate with superseded, then the earlier receipt is returned as a replay', async () => {
      const originalTx = 'd'.repeat(64);
      ledger.submit.callsFake((_request, options) => {
        const result = castResult(token, true, originalTx, true);
        expect(options?.skipCommitIf?.(result)).to.equal(true);
        return Promise.resolve({ result, txId: 'e'.repeat(64) });
      });
      ledger.commitStatus.resolves({ txId: originalTx, validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: 3 });
      const outcome = await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['red'] } }, 'key-1');
      expect(outcome).to.deep.equal({
        receipt: { pollId: 'p1', ballotId: token, txId: originalTx, blockNumber: 3, ballotHash: BALLOT_HASH },
        replayed: true,
      });
    });

    it('when a cast ended pending, then the same key with different answers is IDEMPOTENCY_KEY_REUSED and never reaches the ledger', async () => {
      ledger.submit.rejects(new CommitPendingError(TX_ID));
      await expect(service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['red'] } }, 'k')).to.be.rejectedWith(CommitPendingError);
      const error = await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['blue'] } }, 'k').catch((err: unknown) => err);
      expect(error).to.include({ code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(ledger.submit.callCount).to.equal(1);
    });

    it('when a cast ended pending, then a retry with the same answers runs again and gets the chaincode duplicate receipt', async () => {
      ledger.submit.onFirstCall().rejects(new CommitPendingError(TX_ID));
      ledger.submit.onSecondCall().resolves({ result: castResult(token, true), txId: 'e'.repeat(64) });
      ledger.commitStatus.resolves({ txId: TX_ID, validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: 5 });
      await expect(service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['red'] } }, 'k')).to.be.rejectedWith(CommitPendingError);
      const again = await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['red'] } }, 'k');
      expect(again.replayed).to.equal(true);
      expect(again.receipt).to.include({ txId: TX_ID, blockNumber: 5 });
      expect(ledger.submit.callCount).to.equal(2);
    });

    it('when a cast failed with an unknown ledger error, then the key is still bound to its answers', async () => {
      ledger.submit.rejects(new LedgerUnavailableError('the ledger is not reachable'));
      await expect(service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['red'] } }, 'k')).to.be.rejected;
      const error = await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['blue'] } }, 'k').catch((err: unknown) => err);
      expect(error).to.include({ code: 'IDEMPOTENCY_KEY_REUSED' });
    });

    it('when the chaincode refused the cast, then the key may be reused with corrected answers', async () => {
      ledger.submit.onFirstCall().rejects(new ChaincodeError('INVALID_ANSWER', 'unknown option'));
      ledger.submit.onSecondCall().resolves({ result: castResult(token), txId: TX_ID, blockNumber: 1 });
      await expect(service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['nope'] } }, 'k')).to.be.rejectedWith(ChaincodeError);
      const outcome = await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['red'] } }, 'k');
      expect(outcome.replayed).to.equal(false);
    });

    it('when the endorsed result breaks the protocol, then skipCommitIf refuses it (nothing is ordered) with LEDGER_BAD_RESPONSE', async () => {
      ledger.submit.callsFake((_request, options) => {
        const malformed = bytes({ ...castFields(token), duplicate: 'yes' });
        expect(() => options?.skipCommitIf?.(malformed)).to.throw(LedgerBadResponseError);
        return Promise.resolve({ result: malformed, txId: TX_ID, blockNumber: 1 });
      });
      const error = await service.cast(caller, 'p1', { citizenId: CITIZEN, answers: { q1: ['red'] } }, 'k').catch((err: unknown) => err);
      expect(error).to.be.instanceOf(LedgerBadResponseError).and.include({ code: 'LEDGER_BAD_RESPONSE', httpStatus: 502 });
      expect((error as LedgerBadResponseError).details).to.deep.include({ transaction: 'CastBallot' });
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
      ledger.evaluate.resolves(bytes(BALLOT));
      const service = new BallotService(ledger, new IdempotencyStore({ maxEntries: 1, ttlMs: 1 }), { voterTokenSecret: SECRET, statusWaitMs: 1 });
      expect(await service.get('auditor', 'p1', 'x')).to.deep.equal(BALLOT);
      expect(ledger.evaluate.firstCall.args[0]).to.deep.equal({ role: 'auditor', name: 'GetBallot', args: ['p1', 'x'] });
    });
  });
});
