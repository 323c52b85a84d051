import type { Store } from 'express-rate-limit';
import type { z } from 'zod';
import type { IdempotencyRecords, PendingStore, StreamLeases } from '../domain/state';

/** What replicas behind one address share: in memory (state/memory.ts) or on PostgreSQL (state/postgres.ts). */
export interface GatewayState {
  /** "memory" or "postgres", said at start-up. */
  readonly kind: 'memory' | 'postgres';
  /** The records of Idempotency-Keys, whose values are read back through `schema`. */
  idempotency<T>(schema: z.ZodType<T>): IdempotencyRecords<T>;
  readonly pending: PendingStore;
  /** The open event streams of each API key, counted across replicas. */
  readonly streams: StreamLeases;
  /** The rate limiter's counters; undefined means express-rate-limit's own memory store. */
  readonly rateLimit?: Store;
  close(): Promise<void>;
}
