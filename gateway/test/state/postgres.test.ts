import { Pool } from 'pg';
import sinon from 'sinon';
import { z } from 'zod';
import { voterToken } from '../../src/domain/ballots';
import { IdempotencyStore } from '../../src/domain/idempotency';
import type { PendingRecord } from '../../src/domain/state';
import { transactionStatus } from '../../src/domain/transactions';
import { CommitPendingError } from '../../src/errors';
import { migrate, readMigrations } from '../../src/state/migrate';
import { postgresState } from '../../src/state/postgres';
import type { GatewayState } from '../../src/state/state';
import { expect } from '../chai';
import { batchedGateway } from '../domain/batched-service';
import { idempotencyBehaviour } from '../domain/idempotency-behaviour';
import { fakeCastLedger } from '../fake-chaincode';
import { SECRET } from '../fixtures';
import { startPgServer, type PgServer } from './pg-server';

describe('the gateway state on a real PostgreSQL server', function () {
  this.timeout(60_000);
  let server: PgServer;
  let admin: Pool;
  const opened: GatewayState[] = [];

  /** A replica's view of the shared database. */
  async function replica(now: () => number = Date.now): Promise<GatewayState> {
    const state = await postgresState({ connectionString: server.url, poolMax: 4, now });
    opened.push(state);
    return state;
  }

  before(async () => {
    server = await startPgServer();
    admin = new Pool({ connectionString: server.url });
  });

  beforeEach(async () => {
    await replica();
    await admin.query('TRUNCATE idempotency_records, pending_transactions, rate_limit_hits, stream_slots');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((state) => state.close()));
  });

  after(async () => {
    await admin.end();
    server.stop();
  });

  describe('migrations', () => {
    it('when several replicas start at once, then each migration is applied exactly once', async () => {
      await admin.query('DROP TABLE IF EXISTS idempotency_records, pending_transactions, rate_limit_hits, stream_slots, schema_migrations');
      const pools = [0, 1, 2].map(() => new Pool({ connectionString: server.url }));
      const applied = await Promise.all(pools.map((pool) => migrate(pool)));
      await Promise.all(pools.map((pool) => pool.end()));
      expect(applied.flat()).to.deep.equal(readMigrations().map((m) => m.version));
      const { rows } = await admin.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((row: { version: string }) => row.version)).to.deep.equal(readMigrations().map((m) => m.version));
    });
  });

  describe('IdempotencyStore', () => {
    idempotencyBehaviour(async (now) => (await replica(now)).idempotency(z.string()));

    it('when the same key comes to two replicas, then the second replays the first one’s value', async () => {
      const options = { ttlMs: 60_000, leaseMs: 60_000 };
      const a = new IdempotencyStore((await replica()).idempotency(z.string()), options);
      const b = new IdempotencyStore((await replica()).idempotency(z.string()), options);
      expect(await a.run('k', 'f', () => Promise.resolve('receipt'))).to.deep.equal({ value: 'receipt', replayed: false });
      expect(await b.run('k', 'f', () => Promise.resolve('other'))).to.deep.equal({ value: 'receipt', replayed: true });
    });

    it('when a key is reused with other answers on another replica while the first is still running, then it is refused there', async () => {
      const options = { ttlMs: 60_000, leaseMs: 60_000 };
      const a = new IdempotencyStore((await replica()).idempotency(z.string()), options);
      const b = new IdempotencyStore((await replica()).idempotency(z.string()), options);
      let finish: (value: string) => void = () => undefined;
      const first = a.run('k', 'f1', () => new Promise<string>((resolve) => (finish = resolve)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(b.run('k', 'f2', () => Promise.resolve('b'))).to.be.rejectedWith(/already used for a different request/);
      finish('a');
      expect((await first).value).to.equal('a');
    });

    it('when many calls complete in one turn (the ballots of one transaction), then their records go in one statement', async () => {
      const records = (await replica()).idempotency(z.string());
      const store = new IdempotencyStore(records, { ttlMs: 60_000, leaseMs: 60_000 });
      let finish: (value: string) => void = () => undefined;
      const committed = new Promise<string>((resolve) => (finish = resolve));
      const keys = Array.from({ length: 30 }, (_, i) => `k${String(i)}`);
      const runs = keys.map((key) => store.run(key, 'f', () => committed));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const query = sinon.spy(Pool.prototype, 'query');
      try {
        finish('receipt');
        await Promise.all(runs);
        const statements = query.getCalls().map((call) => call.args[0]);
        expect(statements.filter((sql) => sql.includes('INSERT INTO idempotency_records'))).to.have.length(1);
      } finally {
        query.restore();
      }
      for (const key of keys) expect(await records.get(key)).to.include({ state: 'done', value: 'receipt' });
    });

    it('when requests claim their keys in one turn, then one statement claims them all, and a key claimed twice is the first claim\'s', async () => {
      const records = (await replica()).idempotency(z.string());
      const until = Date.now() + 60_000;
      const running = (fingerprint: string) => ({ state: 'running' as const, fingerprint, leaseUntil: until, firstAt: 0, expiresAt: until });
      await records.put('taken', { state: 'done', fingerprint: 'f0', value: 'receipt', firstAt: 0, expiresAt: until });
      const query = sinon.spy(Pool.prototype, 'query');
      let claims: unknown[];
      try {
        claims = await Promise.all([records.claim('a', running('fa')), records.claim('b', running('fb')), records.claim('a', running('fa2')), records.claim('taken', running('fx'))]);
        expect(query.getCalls().filter((call) => call.args[0].includes('INSERT INTO idempotency_records'))).to.have.length(1);
      } finally {
        query.restore();
      }
      expect(claims[0]).to.equal(undefined);
      expect(claims[1]).to.equal(undefined);
      expect(claims[2]).to.include({ state: 'running', fingerprint: 'fa' });
      expect(claims[3]).to.include({ state: 'done', value: 'receipt' });
    });

    it('when one key is written twice in a turn, then its last record is kept', async () => {
      const records = (await replica()).idempotency(z.string());
      const entry = { fingerprint: 'f', firstAt: 0, expiresAt: Date.now() + 60_000 };
      await Promise.all([records.put('k', { ...entry, state: 'done', value: 'first' }), records.put('k', { ...entry, state: 'done', value: 'last' })]);
      expect(await records.get('k')).to.include({ value: 'last' });
    });

    it('when a stored record does not follow its schema, then reading it fails instead of trusting it', async () => {
      const records = (await replica()).idempotency(z.string());
      await admin.query(`INSERT INTO idempotency_records VALUES ('k', '{"state":"done","fingerprint":"f","value":42,"firstAt":0,"expiresAt":1e15}', 1e15)`);
      await expect(records.get('k')).to.be.rejected;
    });
  });

  describe('pending transactions', () => {
    const record = (txId: string): PendingRecord => ({
      txId,
      request: { role: 'ballot-relay', name: 'CastBallot', args: ['p1', 'b', '{}', 'r', '2026-01-01T00:00:00.000Z'] },
      envelope: new Uint8Array([1, 2, 3]),
      result: new Uint8Array(Buffer.from('{"ok":true}')),
      createdAt: 5,
      proposedAt: 4,
      attempts: 0,
    });

    it('when a replica adopts a transaction, then another reads it back byte for byte and sees its resolution', async () => {
      const a = await replica();
      const b = await replica();
      await a.pending.add(record('t1'), 0);
      expect(await b.pending.get('t1')).to.deep.equal(record('t1'));
      await a.pending.resolve('t1', { outcome: 'committed', txId: 't2', blockNumber: 7, result: new Uint8Array([9]) });
      expect((await b.pending.get('t1'))?.resolution).to.deep.equal({ outcome: 'committed', txId: 't2', blockNumber: 7, result: new Uint8Array([9]) });
      expect(await b.pending.countUnresolved()).to.equal(0);
    });

    it('when two replicas sweep at once, then each due record is leased to one of them only', async () => {
      const a = await replica();
      const b = await replica();
      for (let i = 0; i < 10; i++) await a.pending.add(record(`t${String(i)}`), 0);
      const [left, right] = await Promise.all([a.pending.claimDue(1, 6, 60_000), b.pending.claimDue(1, 6, 60_000)]);
      const ids = [...left, ...right].map((r) => r.txId);
      expect(ids).to.have.length(10);
      expect(new Set(ids).size).to.equal(10);
      expect(await a.pending.claimDue(2, 10, 60_000), 'leased, so not due again').to.have.length(0);
    });
  });

  describe('ballots cast together (CastBallots)', () => {
    it('when a batch answered 202 on one replica is renewed by another, then there each ballot’s status URL and retry give its own receipt', async () => {
      const fake = fakeCastLedger();
      fake.plan.push('lost', 'lost');
      const gateway = async () => batchedGateway(fake.ledger, await replica(), { retryBaseMs: 1, maxResubmits: 0 });
      const [a, b] = [await gateway(), await gateway()];
      const caller = { keyId: 'relay-key', role: 'ballot-relay' } as const;
      const cast = (on: typeof a, citizen: string) => on.service.cast(caller, 'p1', { citizenId: citizen, answers: { q1: ['red'] } }, `key-${citizen}`);
      const citizens = ['anna', 'carl'];
      const answered: unknown[] = await Promise.all(citizens.map((citizen) => cast(a, citizen).catch((err: unknown) => err)));
      fake.plan.length = 0;
      await new Promise((resolve) => setTimeout(resolve, 5));
      await b.pending.sweep();
      for (const [index, citizen] of citizens.entries()) {
        const pending = answered[index];
        if (!(pending instanceof CommitPendingError)) throw new Error('expected a 202');
        const status = await transactionStatus(fake.ledger, b.pending, 'ballot-relay', pending.txId, 10, pending.position);
        expect(status.receipt).to.deep.include({ ballotId: voterToken(SECRET, 'p1', citizen) });
        expect(await cast(b, citizen)).to.deep.equal({ receipt: status.receipt, replayed: true });
      }
      expect([...fake.writes.values()], 'each ballot written once').to.deep.equal([1, 1]);
    });
  });

  describe('event stream slots', () => {
    it('when two replicas take slots of one key, then at most the cap is held across them, and a released or expired one is free', async () => {
      let now = 1_000_000;
      const [a, b] = [await replica(() => now), await replica(() => now)];
      const taken = await Promise.all([a, b, a, b, a].map((state) => state.streams.take('relay', 3, 30_000)));
      expect(taken.filter((id) => id !== undefined)).to.have.length(3);
      expect(await b.streams.take('other-key', 3, 30_000)).to.be.a('string');
      const [first, second] = taken.filter((id): id is string => id !== undefined);
      await a.streams.release(first ?? '');
      expect(await b.streams.take('relay', 3, 30_000), 'the released slot').to.be.a('string');
      expect(await a.streams.take('relay', 3, 30_000)).to.equal(undefined);
      // A replica that died renews nothing: its slots come back when their leases run out; renewed ones stay.
      now += 20_000;
      await b.streams.renew(second ?? '', 30_000);
      now += 15_000;
      const after = await Promise.all([a.streams.take('relay', 3, 30_000), a.streams.take('relay', 3, 30_000), a.streams.take('relay', 3, 30_000)]);
      expect(after.filter((id) => id !== undefined)).to.have.length(2);
    });
  });

  describe('rate limits', () => {
    it('when two replicas count requests of one key, then they share one counter', async () => {
      const [a, b] = [await replica(), await replica()];
      const options = { windowMs: 60_000 } as Parameters<NonNullable<NonNullable<GatewayState['rateLimit']>['init']>>[0];
      await a.rateLimit?.init?.(options);
      await b.rateLimit?.init?.(options);
      const hits = [];
      for (let i = 0; i < 3; i++) {
        hits.push((await a.rateLimit?.increment('relay'))?.totalHits, (await b.rateLimit?.increment('relay'))?.totalHits);
      }
      expect(hits).to.deep.equal([1, 2, 3, 4, 5, 6]);
    });

    it('when requests of two keys are counted in one turn, then one statement counts them, and each request gets its own count', async () => {
      const store = (await replica()).rateLimit;
      if (store === undefined) throw new Error('the PostgreSQL state has no rate-limit store');
      const options = { windowMs: 60_000 } as Parameters<NonNullable<NonNullable<GatewayState['rateLimit']>['init']>>[0];
      await store.init?.(options);
      await store.increment('relay');
      const query = sinon.spy(Pool.prototype, 'query');
      let hits: number[];
      try {
        const keys = ['relay', 'admin', 'relay', 'relay', 'admin'];
        hits = (await Promise.all(keys.map((key) => Promise.resolve(store.increment(key))))).map((r) => r.totalHits);
        expect(query.getCalls().filter((call) => call.args[0].includes('rate_limit_hits'))).to.have.length(1);
      } finally {
        query.restore();
      }
      expect(hits).to.deep.equal([2, 1, 3, 4, 2]);
      expect((await store.increment('relay')).totalHits).to.equal(5);
    });
  });
});
