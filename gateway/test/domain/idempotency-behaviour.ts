import sinon from 'sinon';
import { ApiError } from '../../src/errors';
import { type Attempt, IdempotencyStore } from '../../src/domain/idempotency';
import type { IdempotencyRecords } from '../../src/domain/state';
import { expect } from '../chai';

/**
 * How an IdempotencyStore behaves, whatever keeps its records: run on memory (idempotency.test.ts) and on a real
 * PostgreSQL server (../state/postgres.test.ts). `makeRecords` gives empty records on the given clock.
 */
export function idempotencyBehaviour(makeRecords: (now: () => number) => Promise<IdempotencyRecords<string>>): void {
  let now = 0;
  let records: IdempotencyRecords<string>;
  const store = (ttlMs = 1000) => new IdempotencyStore<string>(records, { ttlMs, leaseMs: 60_000, now: () => now });

  beforeEach(async () => {
    now = 0;
    records = await makeRecords(() => now);
  });

  it('when the same key comes twice in sequence, then the work runs once and the second call is a replay', async () => {
    const s = store();
    const work = sinon.stub().resolves('receipt');
    expect(await s.run('k', 'f', work)).to.deep.equal({ value: 'receipt', replayed: false });
    expect(await s.run('k', 'f', work)).to.deep.equal({ value: 'receipt', replayed: true });
    expect(work.callCount).to.equal(1);
  });

  it('when duplicates arrive while the first is in flight, then they await the same promise', async () => {
    const s = store();
    let finish: (value: string) => void = () => undefined;
    const work = sinon.stub().returns(new Promise<string>((resolve) => (finish = resolve)));
    const calls = [s.run('k', 'f', work), s.run('k', 'f', work), s.run('k', 'f', work)];
    finish('receipt');
    const outcomes = await Promise.all(calls);
    expect(work.callCount).to.equal(1);
    expect(outcomes.map((o) => o.value)).to.deep.equal(['receipt', 'receipt', 'receipt']);
    expect(outcomes.map((o) => o.replayed)).to.deep.equal([false, true, true]);
  });

  it('when the key is reused for a different request, then it is refused with IDEMPOTENCY_KEY_REUSED', async () => {
    const s = store();
    await s.run('k', 'f1', () => Promise.resolve('a'));
    const error = await s.run('k', 'f2', () => Promise.resolve('b')).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(ApiError).and.include({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('when the work fails, then waiters get the same error and a later retry runs again', async () => {
    const s = store();
    const work = sinon.stub();
    work.onFirstCall().rejects(new Error('boom'));
    work.onSecondCall().resolves('ok');
    const results = await Promise.allSettled([s.run('k', 'f', work), s.run('k', 'f', work)]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    expect(await s.run('k', 'f', work)).to.deep.equal({ value: 'ok', replayed: false });
  });

  describe('when a failure may have taken effect (outcome unknown)', () => {
    const unknown = { mayHaveTakenEffect: () => true };

    it('when the same key comes with a different fingerprint, then it is IDEMPOTENCY_KEY_REUSED and the work does not run', async () => {
      const s = store();
      await expect(s.run('k', 'f1', () => Promise.reject(new Error('pending')), unknown)).to.be.rejectedWith('pending');
      const work = sinon.stub().resolves('b');
      const error = await s.run('k', 'f2', work, unknown).catch((err: unknown) => err);
      expect(error).to.be.instanceOf(ApiError).and.include({ code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(work.callCount).to.equal(0);
    });

    it('when the same fingerprint retries, then the work runs again and its value is remembered', async () => {
      const s = store();
      await expect(s.run('k', 'f', () => Promise.reject(new Error('pending')), unknown)).to.be.rejected;
      const work = sinon.stub().resolves('receipt');
      expect(await s.run('k', 'f', work, unknown)).to.deep.equal({ value: 'receipt', replayed: false });
      expect(await s.run('k', 'f', work, unknown)).to.deep.equal({ value: 'receipt', replayed: true });
      expect(work.callCount).to.equal(1);
    });

    it('when the retry fails for certain, then the earlier unknown outcome still binds the key', async () => {
      const s = store();
      await expect(s.run('k', 'f', () => Promise.reject(new Error('pending')), unknown)).to.be.rejected;
      const certain = { mayHaveTakenEffect: () => false };
      await expect(s.run('k', 'f', () => Promise.reject(new Error('refused')), certain)).to.be.rejected;
      await expect(s.run('k', 'f2', () => Promise.resolve('b'), certain)).to.be.rejectedWith(ApiError);
    });

    it('when a same-fingerprint retry is in flight, then concurrent duplicates share it', async () => {
      const s = store();
      await expect(s.run('k', 'f', () => Promise.reject(new Error('pending')), unknown)).to.be.rejected;
      let finish: (value: string) => void = () => undefined;
      const work = sinon.stub().returns(new Promise<string>((resolve) => (finish = resolve)));
      const calls = [s.run('k', 'f', work, unknown), s.run('k', 'f', work, unknown)];
      finish('receipt');
      expect((await Promise.all(calls)).map((o) => o.replayed)).to.deep.equal([false, true]);
      expect(work.callCount).to.equal(1);
    });

    it('when the remembered fingerprint is older than the TTL, then the key is free again', async () => {
      const s = store(1000);
      await expect(s.run('k', 'f1', () => Promise.reject(new Error('pending')), unknown)).to.be.rejected;
      now = 1000;
      expect(await s.run('k', 'f2', () => Promise.resolve('b'), unknown)).to.deep.equal({ value: 'b', replayed: false });
    });

  });

  it('when the failure is certain (no mayHaveTakenEffect), then the key may be used for a different request', async () => {
    const s = store();
    await expect(s.run('k', 'f1', () => Promise.reject(new Error('refused')))).to.be.rejected;
    expect(await s.run('k', 'f2', () => Promise.resolve('b'))).to.deep.equal({ value: 'b', replayed: false });
  });

  it('when the work throws synchronously, then it is still reported as a rejection', async () => {
    const s = store();
    const work = () => {
      throw new Error('sync');
    };
    await expect(s.run('k', 'f', work)).to.be.rejectedWith('sync');
  });

  describe('the time a key was first used', () => {
    const firstAts = (work: sinon.SinonStub) => work.args.map(([attempt]) => (attempt as Attempt).firstAt);

    it('when a key is new, then the work gets now, and every later call of the key gets that same time', async () => {
      const s = store();
      const work = sinon.stub();
      work.onFirstCall().rejects(new Error('refused'));
      work.onSecondCall().rejects(new Error('pending'));
      work.onThirdCall().resolves('v');
      now = 5;
      await expect(s.run('k', 'f', work)).to.be.rejected;
      now = 6;
      await expect(s.run('k', 'f', work, { mayHaveTakenEffect: () => true })).to.be.rejected;
      now = 7;
      await s.run('k', 'f', work, { firstAt: 1 });
      expect(firstAts(work)).to.deep.equal([5, 5, 5]);
    });

    it('when the caller names the first time of a new key, then that is remembered instead of now', async () => {
      const s = store();
      const work = sinon.stub().rejects(new Error('refused'));
      now = 50;
      await expect(s.run('k', 'f', work, { firstAt: 20 })).to.be.rejected;
      await expect(s.run('k', 'f', work)).to.be.rejected;
      expect(firstAts(work)).to.deep.equal([20, 20]);
    });

    it('when the key is older than the TTL, then its time is forgotten with it', async () => {
      const s = store(1000);
      const work = sinon.stub().rejects(new Error('refused'));
      await expect(s.run('k', 'f', work)).to.be.rejected;
      now = 1000;
      await expect(s.run('k', 'f', work)).to.be.rejected;
      expect(firstAts(work)).to.deep.equal([0, 1000]);
    });
  });

  it('when an entry is older than the TTL, then the work runs again', async () => {
    const s = store(1000);
    const work = sinon.stub().resolves('v');
    await s.run('k', 'f', work);
    now = 1000;
    expect((await s.run('k', 'f', work)).replayed).to.equal(false);
    expect(work.callCount).to.equal(2);
  });
}
