import { createHash, createHmac } from 'node:crypto';
import { BallotService, CastOutcomeSchema, requestIdFor, voterToken, type CastOutcome } from '../../src/domain/ballots';
import { memoryState } from '../../src/state/memory';
import { IdempotencyStore } from '../../src/domain/idempotency';
import { VOTED_AT_MAX_SKEW_MS } from '../../src/domain/schemas';
import { ChaincodeError, CommitPendingError, LedgerBadResponseError, LedgerUnavailableError, TransactionInvalidError } from '../../src/errors';
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

    // One clock for the gateway and its idempotency store, moved by the tests.
    let now: number;
    const NOW = Date.parse('2026-05-01T08:00:00.000Z');
    const iso = (ms: number) => new Date(ms).toISOString();

    beforeEach(() => {
      now = NOW;
      ledger = fakeLedger();
      const store = new IdempotencyStore<CastOutcome>(memoryState({ maxEntries: 10, now: () => now }).idempotency(CastOutcomeSchema), { ttlMs: 60_000, leaseMs: 60_000, now: () => now });
      service = new BallotService(ledger, store, { voterTokenSecret: SECRET, statusWaitMs: 10, now: () => now });
    });

    it('when a ballot is cast, then CastBallot gets pollId, token, answers, requestId and requestedAt but never the citizen id', async () => {
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
        args: ['p1', token, '{"q1":["red"]}', requestIdFor(SECRET, 'platform', 'key-1'), iso(NOW)],
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

    describe('requestedAt, which orders a voter\'s ballots in the chaincode', () => {
      const requestedAtOf = (call: number) => ledger.submit.getCall(call).args[0].args[4];
      const red = { citizenId: CITIZEN, answers: { q1: ['red'] } };

      it('when a key is retried after an unknown outcome, then the retry carries the time the key was first seen', async () => {
        ledger.submit.onFirstCall().rejects(new CommitPendingError(TX_ID));
        ledger.submit.onSecondCall().rejects(new ChaincodeError('SUPERSEDED', 'a later ballot of this voter is already recorded'));
        await expect(service.cast(caller, 'p1', red, 'k1')).to.be.rejectedWith(CommitPendingError);
        now = NOW + 30_000;
        const error = await service.cast(caller, 'p1', red, 'k1').catch((err: unknown) => err);
        expect(error).to.be.instanceOf(ChaincodeError).and.include({ code: 'SUPERSEDED', httpStatus: 409 });
        expect([requestedAtOf(0), requestedAtOf(1)]).to.deep.equal([iso(NOW), iso(NOW)]);
      });

      it('when a key is retried after a refusal or a read conflict, then it keeps its first time too', async () => {
        ledger.submit.onFirstCall().rejects(new ChaincodeError('INVALID_ANSWER', 'unknown option'));
        ledger.submit.onSecondCall().rejects(new TransactionInvalidError(TX_ID, 'MVCC_READ_CONFLICT', true));
        ledger.submit.onThirdCall().resolves({ result: castResult(token), txId: TX_ID, blockNumber: 1 });
        for (const step of [1, 2, 3]) {
          now = NOW + step * 1000;
          await service.cast(caller, 'p1', red, 'k1').catch(() => undefined);
        }
        expect([0, 1, 2].map(requestedAtOf)).to.deep.equal([iso(NOW + 1000), iso(NOW + 1000), iso(NOW + 1000)]);
      });

      it('when the clock stepped back since the key was first seen, then the retry is dated now, never after its proposal', async () => {
        ledger.submit.onFirstCall().rejects(new CommitPendingError(TX_ID));
        ledger.submit.onSecondCall().resolves({ result: castResult(token), txId: TX_ID, blockNumber: 1 });
        await expect(service.cast(caller, 'p1', red, 'k1')).to.be.rejected;
        now = NOW - 5000;
        await service.cast(caller, 'p1', red, 'k1');
        expect([requestedAtOf(0), requestedAtOf(1)]).to.deep.equal([iso(NOW), iso(NOW - 5000)]);
      });

      it('when two keys are first seen at different times, then each carries its own', async () => {
        ledger.submit.resolves({ result: castResult(token), txId: TX_ID, blockNumber: 1 });
        await service.cast(caller, 'p1', red, 'k1');
        now = NOW + 5;
        await service.cast(caller, 'p1', red, 'k2');
        expect([requestedAtOf(0), requestedAtOf(1)]).to.deep.equal([iso(NOW), iso(NOW + 5)]);
      });

      it('when the platform sends votedAt, then it wins over the time the key was first seen, on the first call and on retries', async () => {
        ledger.submit.rejects(new CommitPendingError(TX_ID));
        const votedAt = '2026-05-01T09:59:30+02:00';
        await expect(service.cast(caller, 'p1', { ...red, votedAt }, 'k1')).to.be.rejected;
        now = NOW + 30_000;
        await expect(service.cast(caller, 'p1', red, 'k1')).to.be.rejected;
        await expect(service.cast(caller, 'p1', { ...red, votedAt: '2026-05-01T07:59:00Z' }, 'k1')).to.be.rejected;
        expect([0, 1, 2].map(requestedAtOf)).to.deep.equal([
          '2026-05-01T07:59:30.000Z', // votedAt, normalised
          '2026-05-01T07:59:30.000Z', // the key's remembered time is the first votedAt
          '2026-05-01T07:59:00.000Z', // a votedAt on a retry wins
        ]);
      });

      it('when votedAt is ahead of the gateway clock within the skew, then it counts as now; beyond it, 400 on votedAt', async () => {
        ledger.submit.resolves({ result: castResult(token), txId: TX_ID, blockNumber: 1 });
        await service.cast(caller, 'p1', { ...red, votedAt: iso(NOW + VOTED_AT_MAX_SKEW_MS) }, 'k1');
        expect(requestedAtOf(0)).to.equal(iso(NOW));
        const error = await service.cast(caller, 'p1', { ...red, votedAt: iso(NOW + VOTED_AT_MAX_SKEW_MS + 1) }, 'k2').catch((err: unknown) => err);
        expect(error).to.include({ code: 'INVALID_ARGUMENT', httpStatus: 400 });
        expect((error as ChaincodeError).details).to.deep.equal({ issues: [{ in: 'body', path: 'votedAt', code: 'custom', message: 'must not be in the future' }] });
        expect(ledger.submit.callCount).to.equal(1);
      });
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
      const service = new BallotService(ledger, new IdempotencyStore(memoryState({ maxEntries: 1 }).idempotency(CastOutcomeSchema), { ttlMs: 1, leaseMs: 1 }), { voterTokenSecret: SECRET, statusWaitMs: 1 });
      expect(await service.get('auditor', 'p1', 'x')).to.deep.equal(BALLOT);
      expect(ledger.evaluate.firstCall.args[0]).to.deep.equal({ role: 'auditor', name: 'GetBallot', args: ['p1', 'x'] });
    });
  });
});
