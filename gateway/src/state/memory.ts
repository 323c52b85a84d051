import { randomUUID } from 'node:crypto';
import type { IdempotencyRecords, PendingRecord, PendingStore, Remembered, Resolution, StreamLeases } from '../domain/state';
import type { GatewayState } from './state';

/**
 * The gateway's shared state kept in this process only: for development and for a single gateway. Nothing
 * survives a restart and replicas do not share it (the gateway says so at start-up); state/postgres.ts is the one
 * for replicas.
 */

export interface MemoryOptions {
  /** Idempotency records kept (least recently used go first). */
  readonly maxEntries: number;
  readonly now?: () => number;
}

class MemoryIdempotencyRecords<T> implements IdempotencyRecords<T> {
  // Map iteration order is insertion order, so the first key is the least recently used.
  readonly #entries = new Map<string, Remembered<T>>();
  readonly #options: MemoryOptions;
  readonly #now: () => number;

  constructor(options: MemoryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get(key: string): Promise<Remembered<T> | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return Promise.resolve(undefined);
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#now()) return Promise.resolve(undefined);
    this.#entries.set(key, entry);
    return Promise.resolve(entry);
  }

  async claim(key: string, entry: Remembered<T>): Promise<Remembered<T> | undefined> {
    const existing = await this.get(key);
    if (existing) return existing;
    await this.put(key, entry);
    return undefined;
  }

  put(key: string, entry: Remembered<T>): Promise<void> {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#options.maxEntries) break;
      this.#entries.delete(oldest);
    }
    return Promise.resolve();
  }
}

interface Slot {
  record: PendingRecord;
  dueAt: number;
}

class MemoryPendingStore implements PendingStore {
  readonly #slots = new Map<string, Slot>();

  add(record: PendingRecord, dueAt: number): Promise<void> {
    this.#slots.set(record.txId, { record, dueAt });
    return Promise.resolve();
  }

  get(txId: string): Promise<PendingRecord | undefined> {
    return Promise.resolve(this.#slots.get(txId)?.record);
  }

  resolve(txId: string, resolution: Resolution): Promise<void> {
    const slot = this.#slots.get(txId);
    if (slot) slot.record = { ...slot.record, resolution };
    return Promise.resolve();
  }

  claimDue(now: number, limit: number, leaseMs: number): Promise<PendingRecord[]> {
    const due = [...this.#slots.values()].filter((slot) => !slot.record.resolution && slot.dueAt <= now).slice(0, limit);
    for (const slot of due) slot.dueAt = now + leaseMs;
    return Promise.resolve(due.map((slot) => slot.record));
  }

  retryLater(txId: string, attempts: number, dueAt: number): Promise<void> {
    const slot = this.#slots.get(txId);
    if (slot) {
      slot.record = { ...slot.record, attempts };
      slot.dueAt = dueAt;
    }
    return Promise.resolve();
  }

  countUnresolved(): Promise<number> {
    return Promise.resolve([...this.#slots.values()].filter((slot) => !slot.record.resolution).length);
  }
}

/** Stream slots of this process: id → its key and lease end. */
export class MemoryStreamLeases implements StreamLeases {
  readonly #slots = new Map<string, { readonly key: string; expiresAt: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  take(key: string, max: number, leaseMs: number): Promise<string | undefined> {
    const now = this.#now();
    let held = 0;
    for (const [id, slot] of this.#slots) {
      if (slot.expiresAt <= now) this.#slots.delete(id);
      else if (slot.key === key) held++;
    }
    if (held >= max) return Promise.resolve(undefined);
    const id = randomUUID();
    this.#slots.set(id, { key, expiresAt: now + leaseMs });
    return Promise.resolve(id);
  }

  renew(id: string, leaseMs: number): Promise<void> {
    const slot = this.#slots.get(id);
    if (slot) slot.expiresAt = this.#now() + leaseMs;
    return Promise.resolve();
  }

  release(id: string): Promise<void> {
    this.#slots.delete(id);
    return Promise.resolve();
  }
}

export function memoryState(options: MemoryOptions): GatewayState {
  const pending = new MemoryPendingStore();
  return {
    kind: 'memory',
    // One map of records per gateway: values are kept as given, so the schema has nothing to check here.
    idempotency: <T>() => new MemoryIdempotencyRecords<T>(options),
    pending,
    streams: new MemoryStreamLeases(options.now),
    close: () => Promise.resolve(),
  };
}
