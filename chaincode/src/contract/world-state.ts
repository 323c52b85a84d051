import type { Context } from 'fabric-contract-api';
import type { Iterators } from 'fabric-shim';
import { canonicalBytes, decodeJson } from '../domain/canonical';
import type { ChaincodeEvent } from '../domain/events';
import type { KeyRange } from '../domain/keys';
import { timestampToIso } from '../domain/time';
import type { StateBatches } from './state-batches';

type ChaincodeStub = Context['stub'];

/** A state entry with its value decoded from JSON. */
export interface StateEntry {
  readonly key: string;
  readonly value: unknown;
}

export interface StatePage {
  readonly entries: readonly StateEntry[];
  /** The next page's first key; '' when the range is exhausted. */
  readonly bookmark: string;
  readonly fetched: number;
}

/** One version of a key, as GetPollHistory and GetBallotHistory return it. `value` is null for a delete. */
export interface HistoryEntry {
  readonly txId: string;
  readonly timestamp: string;
  readonly isDelete: boolean;
  readonly value: unknown;
}

/**
 * The only place that touches the stub's state API. Values go in as canonical JSON bytes and come out decoded;
 * every iterator is closed, whether the walk ends or fails.
 */
export class WorldState {
  readonly #stub: ChaincodeStub;
  readonly #batches: StateBatches | undefined;

  /** With `batches`, getMany and putMany take one exchange with the peer; without, one a key. */
  constructor(stub: ChaincodeStub, batches?: StateBatches) {
    this.#stub = stub;
    this.#batches = batches;
  }

  /** The decoded value, or undefined when the key has none (the stub returns empty bytes then). */
  async get(key: string): Promise<unknown> {
    return decodeValue(await this.#stub.getState(key));
  }

  /** The values of `keys` in order, as `get` gives them: in one exchange with the peer when it takes batches. */
  async getMany(keys: readonly string[]): Promise<unknown[]> {
    if (this.#batches !== undefined) {
      return (await this.#batches.getMany(keys)).map(decodeValue);
    }
    const values: unknown[] = [];
    for (const key of keys) values.push(await this.get(key));
    return values;
  }

  async put(key: string, value: unknown): Promise<void> {
    await this.#stub.putState(key, canonicalBytes(value));
  }

  /** Writes every entry, as `put` does: in one exchange with the peer when it takes batches. */
  async putMany(entries: readonly { readonly key: string; readonly value: unknown }[]): Promise<void> {
    if (this.#batches !== undefined) {
      await this.#batches.putMany(entries.map(({ key, value }) => ({ key, value: canonicalBytes(value) })));
      return;
    }
    for (const { key, value } of entries) await this.put(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.#stub.deleteState(key);
  }

  setEvent(event: ChaincodeEvent): void {
    this.#stub.setEvent(event.name, canonicalBytes(event.payload));
  }

  /**
   * At most `limit` entries from the start of `range`, and whether the range ended within them.
   * A plain range read, because write transactions may not paginate; it peeks one key past the limit to know.
   */
  async readRange(range: KeyRange, limit: number): Promise<{ entries: StateEntry[]; exhausted: boolean }> {
    const iterator = await this.#stub.getStateByRange(range.start, range.end);
    const { items, exhausted } = await drain(iterator, limit);
    return { entries: items.map(toEntry), exhausted };
  }

  /** One page of a range. Paginated reads are allowed only in queries (evaluated, never submitted). */
  async readPage(range: KeyRange, pageSize: number, bookmark: string): Promise<StatePage> {
    const { iterator, metadata } = await this.#stub.getStateByRangeWithPagination(
      range.start,
      range.end,
      pageSize,
      bookmark,
    );
    const { items } = await drain(iterator, Number.POSITIVE_INFINITY);
    // fabric-shim omits the metadata of an empty page (its protobuf encoding is empty bytes).
    const meta = metadata as typeof metadata | undefined;
    return { entries: items.map(toEntry), bookmark: meta?.bookmark ?? '', fetched: meta?.fetchedRecordsCount ?? 0 };
  }

  async history(key: string): Promise<HistoryEntry[]> {
    const iterator = await this.#stub.getHistoryForKey(key);
    const { items } = await drain(iterator, Number.POSITIVE_INFINITY);
    return items.map((m) => ({
      txId: m.txId,
      timestamp: timestampToIso(m.timestamp),
      isDelete: m.isDelete,
      value: m.isDelete || m.value.length === 0 ? null : decodeJson(m.value),
    }));
  }
}

function decodeValue(bytes: Uint8Array): unknown {
  return bytes.length === 0 ? undefined : decodeJson(bytes);
}

function toEntry(kv: Iterators.KV): StateEntry {
  return { key: kv.key, value: decodeJson(kv.value) };
}

/** Reads up to `limit` items (and one more, to learn whether there are more), then closes the iterator. */
async function drain<T>(
  iterator: Iterators.CommonIterator<T>,
  limit: number,
): Promise<{ items: T[]; exhausted: boolean }> {
  const items: T[] = [];
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        return { items, exhausted: true };
      }
      if (items.length >= limit) {
        return { items, exhausted: false };
      }
      items.push(next.value);
    }
  } finally {
    await iterator.close();
  }
}
