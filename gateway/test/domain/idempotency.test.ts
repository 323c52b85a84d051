import sinon from 'sinon';
import { ApiError } from '../../src/errors';
import { IdempotencyStore } from '../../src/domain/idempotency';
import { expect } from '../chai';

describe('IdempotencyStore', () => {
  let now = 0;
  const store = (maxEntries = 10, ttlMs = 1000) => new IdempotencyStore<string>({ maxEntries, ttlMs, now: () => now });

  beforeEach(() => {
    now = 0;
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

  it('when the work throws synchronously, then it is still reported as a rejection', async () => {
    const s = store();
    const work = () => {
      throw new Error('sync');
    };
    await expect(s.run('k', 'f', work)).to.be.rejectedWith('sync');
  });

  it('when an entry is older than the TTL, then the work runs again', async () => {
    const s = store(10, 1000);
    const work = sinon.stub().resolves('v');
    await s.run('k', 'f', work);
    now = 1000;
    expect((await s.run('k', 'f', work)).replayed).to.equal(false);
    expect(work.callCount).to.equal(2);
  });

  it('when more keys than the bound are completed, then the least recently used is forgotten', async () => {
    const s = store(2);
    const work = sinon.stub().resolves('v');
    await s.run('a', 'f', work);
    await s.run('b', 'f', work);
    await s.run('a', 'f', work); // touch a: b is now the oldest
    await s.run('c', 'f', work);
    expect(s.size).to.equal(2);
    expect((await s.run('a', 'f', work)).replayed).to.equal(true);
    expect((await s.run('b', 'f', work)).replayed).to.equal(false);
  });
});
