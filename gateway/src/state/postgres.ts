import type { IncrementResponse, Options as RateLimitOptions, Store } from 'express-rate-limit';
import { Pool, type PoolConfig } from 'pg';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import type { IdempotencyRecords, PendingRecord, PendingStore, Remembered, Resolution, StreamLeases } from '../domain/state';
import { RoleSchema } from '../roles';
import { migrate } from './migrate';
import { TurnBatch } from './turn-batch';
import type { GatewayState } from './state';

/**
 * The gateway's shared state on PostgreSQL, so that several replicas behind one address behave as one gateway
 * and a restarted one carries on. Every row is read back through a schema: nothing from the database is cast.
 */

const bytes = z.instanceof(Buffer).transform((buffer) => new Uint8Array(buffer));
const base64 = z.base64().transform((text) => new Uint8Array(Buffer.from(text, 'base64')));

const RequestSchema = z.object({ role: RoleSchema, name: z.string(), args: z.array(z.string()) });

/** A Resolution as stored: result bytes in base64. */
const StoredResolutionSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('committed'), txId: z.string(), blockNumber: z.int().min(0), result: base64 }),
  z.object({ outcome: z.literal('failed'), code: z.string(), message: z.string() }),
  z.object({ outcome: z.literal('replaced'), by: z.string() }),
]);

function storedResolution(resolution: Resolution): unknown {
  return resolution.outcome === 'committed' ? { ...resolution, result: Buffer.from(resolution.result).toString('base64') } : resolution;
}

const PendingRowSchema = z
  .object({
    tx_id: z.string(),
    request: RequestSchema,
    envelope: bytes,
    result: bytes,
    created_at_ms: z.coerce.number().int(),
    proposed_at_ms: z.coerce.number().int(),
    attempts: z.int().min(0),
    resolution: StoredResolutionSchema.nullable(),
  })
  .transform(
    (row): PendingRecord => ({
      txId: row.tx_id,
      request: row.request,
      envelope: row.envelope,
      result: row.result,
      createdAt: row.created_at_ms,
      proposedAt: row.proposed_at_ms,
      attempts: row.attempts,
      ...(row.resolution ? { resolution: row.resolution } : {}),
    }),
  );

function rememberedSchema<T>(value: z.ZodType<T>): z.ZodType<Remembered<T>> {
  const times = { firstAt: z.number(), expiresAt: z.number() };
  return z.discriminatedUnion('state', [
    z.object({ ...times, state: z.literal('running'), fingerprint: z.string(), leaseUntil: z.number() }),
    z.object({ ...times, state: z.literal('done'), fingerprint: z.string(), value }),
    z.object({ ...times, state: z.literal('unknown'), fingerprint: z.string(), txId: z.string().optional() }),
    z.object({ ...times, state: z.literal('seen') }),
  ]);
}

/**
 * Idempotency records written in one turn of the event loop go to the server as one statement (turn-batch.ts): the
 * ballots of one CastBallots complete together. A key written twice in a turn keeps its last record, as one statement
 * after the other would.
 */
class RecordWrites {
  readonly #batch: TurnBatch<{ readonly key: string; readonly json: string; readonly expiresAt: number }, undefined>;

  constructor(pool: Pool) {
    this.#batch = new TurnBatch(async (writes) => {
      const last = new Map(writes.map((w) => [w.key, w]));
      const rows = [...last.values()];
      await pool.query(
        `INSERT INTO idempotency_records (key, record, expires_at_ms)
         SELECT * FROM unnest($1::text[], $2::jsonb[], $3::bigint[])
         ON CONFLICT (key) DO UPDATE SET record = EXCLUDED.record, expires_at_ms = EXCLUDED.expires_at_ms`,
        [rows.map((r) => r.key), rows.map((r) => r.json), rows.map((r) => r.expiresAt)],
      );
      return writes.map(() => undefined);
    });
  }

  write(key: string, entry: { readonly expiresAt: number }): Promise<void> {
    return this.#batch.add({ key, json: JSON.stringify(entry), expiresAt: entry.expiresAt });
  }
}

interface Claim<T> {
  readonly key: string;
  readonly entry: Remembered<T>;
}

class PgIdempotencyRecords<T> implements IdempotencyRecords<T> {
  readonly #pool: Pool;
  readonly #writes: RecordWrites;
  readonly #schema: z.ZodType<Remembered<T>>;
  readonly #now: () => number;
  /** true: the claim inserted its record or took over an expired one. */
  readonly #claims = new TurnBatch<Claim<T>, boolean>((claims) => this.#claimAll(claims));

  constructor(pool: Pool, writes: RecordWrites, value: z.ZodType<T>, now: () => number) {
    this.#pool = pool;
    this.#writes = writes;
    this.#schema = rememberedSchema(value);
    this.#now = now;
  }

  async get(key: string): Promise<Remembered<T> | undefined> {
    const { rows } = await this.#pool.query('SELECT record FROM idempotency_records WHERE key = $1 AND expires_at_ms > $2', [key, this.#now()]);
    return rows[0] === undefined ? undefined : this.#read(rows[0]);
  }

  async claim(key: string, entry: Remembered<T>): Promise<Remembered<T> | undefined> {
    if (await this.#claims.add({ key, entry })) return undefined;
    return (await this.get(key)) ?? this.claim(key, entry);
  }

  /**
   * The turn's claims in one statement (every request claims its key first): each inserts its record, or takes over
   * an expired one; an unexpired one stays, and that claim then reads it. A key claimed twice in a turn is claimed by
   * the first, as one statement after the other would; the second then finds the first's record.
   */
  async #claimAll(claims: readonly Claim<T>[]): Promise<boolean[]> {
    const first = new Map<string, Claim<T>>();
    for (const claim of claims) if (!first.has(claim.key)) first.set(claim.key, claim);
    const rows = [...first.values()];
    const { rows: claimed } = await this.#pool.query(
      `INSERT INTO idempotency_records (key, record, expires_at_ms)
       SELECT * FROM unnest($1::text[], $2::jsonb[], $3::bigint[])
       ON CONFLICT (key) DO UPDATE SET record = EXCLUDED.record, expires_at_ms = EXCLUDED.expires_at_ms
       WHERE idempotency_records.expires_at_ms <= $4
       RETURNING key`,
      [rows.map((c) => c.key), rows.map((c) => JSON.stringify(c.entry)), rows.map((c) => c.entry.expiresAt), this.#now()],
    );
    const won = new Set(z.array(z.object({ key: z.string() })).parse(claimed).map((row) => row.key));
    return claims.map((claim) => first.get(claim.key) === claim && won.has(claim.key));
  }

  put(key: string, entry: Remembered<T>): Promise<void> {
    return this.#writes.write(key, entry);
  }

  #read(row: unknown): Remembered<T> {
    return this.#schema.parse(z.object({ record: z.unknown() }).parse(row).record);
  }
}

class PgPendingStore implements PendingStore {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async add(record: PendingRecord, dueAt: number): Promise<void> {
    await this.#pool.query(
      `INSERT INTO pending_transactions (tx_id, request, envelope, result, created_at_ms, proposed_at_ms, attempts, due_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tx_id) DO NOTHING`,
      [record.txId, JSON.stringify(record.request), Buffer.from(record.envelope), Buffer.from(record.result), record.createdAt, record.proposedAt, record.attempts, dueAt],
    );
  }

  async get(txId: string): Promise<PendingRecord | undefined> {
    const { rows } = await this.#pool.query('SELECT * FROM pending_transactions WHERE tx_id = $1', [txId]);
    return rows[0] === undefined ? undefined : PendingRowSchema.parse(rows[0]);
  }

  async resolve(txId: string, resolution: Resolution): Promise<void> {
    await this.#pool.query('UPDATE pending_transactions SET resolution = $2 WHERE tx_id = $1', [txId, JSON.stringify(storedResolution(resolution))]);
  }

  async claimDue(now: number, limit: number, leaseMs: number): Promise<PendingRecord[]> {
    // SKIP LOCKED: replicas sweeping at once take different records.
    const { rows } = await this.#pool.query(
      `UPDATE pending_transactions SET due_at_ms = $1 + $3 WHERE tx_id IN (
         SELECT tx_id FROM pending_transactions WHERE resolution IS NULL AND due_at_ms <= $1
         ORDER BY due_at_ms LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [now, limit, leaseMs],
    );
    return rows.map((row) => PendingRowSchema.parse(row));
  }

  async retryLater(txId: string, attempts: number, dueAt: number): Promise<void> {
    await this.#pool.query('UPDATE pending_transactions SET attempts = $2, due_at_ms = $3 WHERE tx_id = $1', [txId, attempts, dueAt]);
  }

  async countUnresolved(): Promise<number> {
    const { rows } = await this.#pool.query('SELECT count(*) AS n FROM pending_transactions WHERE resolution IS NULL');
    return z.object({ n: z.coerce.number().int() }).parse(rows[0]).n;
  }
}

const HitsRowSchema = z.object({ hits: z.int().min(0), reset_at: z.date() });

/** express-rate-limit's fixed window, counted in one row per key on the server's clock: shared by replicas. */
class PgRateLimitStore implements Store {
  readonly #pool: Pool;
  #windowMs = 60_000;
  readonly localKeys = false;
  readonly prefix = 'gateway:';
  /** Requests counted in one turn go to the server as one statement, n hits a key (turn-batch.ts). */
  readonly #increments = new TurnBatch<string, IncrementResponse>((keys) => this.#incrementAll(keys));

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  init(options: RateLimitOptions): void {
    this.#windowMs = options.windowMs;
  }

  increment(key: string): Promise<IncrementResponse> {
    return this.#increments.add(this.prefix + key);
  }

  /** One statement for the turn's requests: a key asked n times gains n hits, and its requests get the counts in turn. */
  async #incrementAll(keys: readonly string[]): Promise<IncrementResponse[]> {
    const asked = new Map<string, number>();
    for (const key of keys) asked.set(key, (asked.get(key) ?? 0) + 1);
    const { rows } = await this.#pool.query(
      `INSERT INTO rate_limit_hits (key, hits, reset_at)
       SELECT k, n, now() + $3 * interval '1 millisecond' FROM unnest($1::text[], $2::integer[]) AS t(k, n)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN rate_limit_hits.reset_at <= now() THEN EXCLUDED.hits ELSE rate_limit_hits.hits + EXCLUDED.hits END,
         reset_at = CASE WHEN rate_limit_hits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limit_hits.reset_at END
       RETURNING key, hits, reset_at`,
      [[...asked.keys()], [...asked.values()], this.#windowMs],
    );
    const counted = new Map(z.array(HitsRowSchema.extend({ key: z.string() })).parse(rows).map((row) => [row.key, row]));
    const seen = new Map<string, number>();
    return keys.map((key) => {
      const row = counted.get(key);
      if (row === undefined) throw new Error(`the rate-limit counter of ${key} was not returned`);
      const before = seen.get(key) ?? 0;
      seen.set(key, before + 1);
      // The key's hits after the whole turn, less the requests of this turn that come after this one.
      return { totalHits: row.hits - ((asked.get(key) ?? 1) - 1 - before), resetTime: row.reset_at };
    });
  }

  async decrement(key: string): Promise<void> {
    await this.#pool.query('UPDATE rate_limit_hits SET hits = greatest(hits - 1, 0) WHERE key = $1', [this.prefix + key]);
  }

  async resetKey(key: string): Promise<void> {
    await this.#pool.query('DELETE FROM rate_limit_hits WHERE key = $1', [this.prefix + key]);
  }
}

/** Stream slots in one table; taking one is serialised per key by a transaction-scoped advisory lock. */
class PgStreamLeases implements StreamLeases {
  readonly #pool: Pool;
  readonly #now: () => number;

  constructor(pool: Pool, now: () => number) {
    this.#pool = pool;
    this.#now = now;
  }

  async take(key: string, max: number, leaseMs: number): Promise<string | undefined> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`stream-slots:${key}`]);
      const now = this.#now();
      await client.query('DELETE FROM stream_slots WHERE key = $1 AND expires_at_ms <= $2', [key, now]);
      const { rows } = await client.query('SELECT count(*) AS n FROM stream_slots WHERE key = $1', [key]);
      const held = z.object({ n: z.coerce.number().int() }).parse(rows[0]).n;
      const id = held < max ? randomUUID() : undefined;
      if (id !== undefined) await client.query('INSERT INTO stream_slots (id, key, expires_at_ms) VALUES ($1, $2, $3)', [id, key, now + leaseMs]);
      await client.query('COMMIT');
      return id;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async renew(id: string, leaseMs: number): Promise<void> {
    await this.#pool.query('UPDATE stream_slots SET expires_at_ms = $2 WHERE id = $1', [id, this.#now() + leaseMs]);
  }

  async release(id: string): Promise<void> {
    await this.#pool.query('DELETE FROM stream_slots WHERE id = $1', [id]);
  }
}

export interface PostgresOptions {
  readonly connectionString: string;
  readonly poolMax: number;
  /** How often expired idempotency records are deleted. */
  readonly pruneEveryMs?: number;
  readonly now?: () => number;
}

/** Connects, applies the migrations, and returns the state; fails if the database cannot be reached. */
export async function postgresState(options: PostgresOptions): Promise<GatewayState & { readonly migrated: readonly string[] }> {
  const config: PoolConfig = { connectionString: options.connectionString, max: options.poolMax, connectionTimeoutMillis: 5_000 };
  const pool = new Pool(config);
  // An idle client's error (the server restarting) must not crash the gateway; the next query reconnects.
  pool.on('error', () => undefined);
  const now = options.now ?? Date.now;
  let migrated: string[];
  try {
    migrated = await migrate(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const prune = setInterval(() => {
    pool.query('DELETE FROM idempotency_records WHERE expires_at_ms <= $1', [now()]).catch(() => undefined);
  }, options.pruneEveryMs ?? 60_000);
  prune.unref();
  const writes = new RecordWrites(pool);
  return {
    kind: 'postgres',
    migrated,
    idempotency: <T>(schema: z.ZodType<T>) => new PgIdempotencyRecords<T>(pool, writes, schema, now),
    pending: new PgPendingStore(pool),
    rateLimit: new PgRateLimitStore(pool),
    streams: new PgStreamLeases(pool, now),
    close: async () => {
      clearInterval(prune);
      await pool.end();
    },
  };
}
