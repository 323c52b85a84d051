import sinon from 'sinon';
import { z } from 'zod';
import { IdempotencyStore } from '../../src/domain/idempotency';
import { memoryState } from '../../src/state/memory';
import { expect } from '../chai';
import { idempotencyBehaviour } from './idempotency-behaviour';

describe('IdempotencyStore', () => {
  describe('on records kept in memory', () => {
    idempotencyBehaviour((now) => Promise.resolve(memoryState({ maxEntries: 10, now }).idempotency(z.string())));
  });

  describe('when the memory records are bounded', () => {
    const store = (maxEntries: number) =>
      new IdempotencyStore<string>(memoryState({ maxEntries }).idempotency(z.string()), { ttlMs: 60_000, leaseMs: 60_000 });
    const unknown = { mayHaveTakenEffect: () => true };

    it('when more keys than the bound are remembered, then the oldest fingerprint is forgotten', async () => {
      const s = store(1);
      await expect(s.run('a', 'f1', () => Promise.reject(new Error('pending')), unknown)).to.be.rejected;
      await s.run('b', 'f', () => Promise.resolve('v'));
      expect((await s.run('a', 'f2', () => Promise.resolve('w'))).replayed).to.equal(false);
    });

    it('when more keys than the bound are completed, then the least recently used is forgotten', async () => {
      const s = store(2);
      const work = sinon.stub().resolves('v');
      await s.run('a', 'f', work);
      await s.run('b', 'f', work);
      await s.run('a', 'f', work); // touch a: b is now the oldest
      await s.run('c', 'f', work);
      expect((await s.run('a', 'f', work)).replayed).to.equal(true);
      expect((await s.run('b', 'f', work)).replayed).to.equal(false);
    });
  });
});
