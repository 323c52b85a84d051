import { peer } from '@hyperledger/fabric-protos';
import { createRequire } from 'node:module';
import { ChaincodeStub } from 'fabric-shim';
import type { Iterators, StateQueryResponse, Timestamp } from 'fabric-shim';
import sinon from 'sinon';
import { MessageType } from '../../src/contract/state-batches';

/** The Long class the shim itself uses for getTxTimestamp().seconds. */
const Long = createRequire(require.resolve('fabric-shim'))('long') as {
  fromNumber(value: number, unsigned: boolean): Timestamp['seconds'];
};

/** One entry of a transaction's write set, in putState/deleteState call order. `value` is null for a delete. */
export interface Write {
  readonly key: string;
  readonly value: string | null;
}

export interface ChaincodeEventRecord {
  readonly name: string;
  readonly payload: string;
}

/** What a transaction did: its write set in call order and its event, if it set one. */
export interface TxRecord {
  readonly txId: string;
  readonly timestamp: Date;
  readonly writes: Write[];
  event: ChaincodeEventRecord | undefined;
  /** The state exchanges with the peer, in order: 'GetState', 'PutState', 'GetStateMultiple', 'WriteBatchState'. */
  readonly exchanges: string[];
}

type HistoryEntry = Iterators.KeyModification;

/** Byte order of the UTF-8 encoding, as the peer's LevelDB sorts keys. */
const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * An in-memory world state that behaves like a peer for one chaincode: a transaction reads committed state only,
 * its writes land when it commits, history is newest first, and pagination hands back the next key as bookmark.
 */
export class FakeLedger {
  /** Like the peer's ledger.state.totalQueryLimit: no single range read returns more records. */
  readonly #totalQueryLimit: number;
  /** Like a Fabric 3.1 peer: the stub's handler answers GET_STATE_MULTIPLE and WRITE_BATCH_STATE. */
  readonly #stateBatches: boolean;
  readonly #state = new Map<string, Buffer>();
  readonly #history = new Map<string, HistoryEntry[]>();
  /** Every committed transaction, oldest first. */
  readonly committed: TxRecord[] = [];
  #openIterators = 0;

  constructor(options: { totalQueryLimit?: number; stateBatches?: boolean } = {}) {
    this.#totalQueryLimit = options.totalQueryLimit ?? 100_000;
    this.#stateBatches = options.stateBatches ?? false;
  }

  get openIterators(): number {
    return this.#openIterators;
  }

  value(key: string): string | undefined {
    return this.#state.get(key)?.toString('utf8');
  }

  keys(prefix = ''): string[] {
    return [...this.#state.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
  }

  /** A sinon-stubbed ChaincodeStub for one transaction; call `commit` when the transaction succeeded. */
  begin(txId: string, timestamp: Date): { stub: sinon.SinonStubbedInstance<ChaincodeStub>; record: TxRecord } {
    const record: TxRecord = { txId, timestamp, writes: [], event: undefined, exchanges: [] };
    const stub = sinon.createStubInstance(ChaincodeStub);
    stub.getTxID.returns(txId);
    stub.getChannelID.returns('polls');
    const millis = timestamp.getTime();
    const seconds = Long.fromNumber(Math.floor(millis / 1000), true);
    stub.getTxTimestamp.returns({ seconds, nanos: (millis % 1000) * 1e6 });
    stub.getState.callsFake((key) => {
      record.exchanges.push('GetState');
      return Promise.resolve(this.#state.get(key) ?? Buffer.alloc(0));
    });
    stub.putState.callsFake((key, value) => {
      record.exchanges.push('PutState');
      record.writes.push({ key, value: Buffer.from(value).toString('utf8') });
      return Promise.resolve();
    });
    if (this.#stateBatches) {
      Object.assign(stub, { handler: { _askPeerAndListen: (message: unknown, method: string) => this.#answer(record, message, method) } });
    }
    stub.deleteState.callsFake((key) => {
      record.writes.push({ key, value: null });
      return Promise.resolve();
    });
    stub.setEvent.callsFake((name, payload) => {
      record.event = { name, payload: Buffer.from(payload).toString('utf8') };
    });
    stub.getStateByRange.callsFake((start, end) => {
      const kvs = this.#range(start, end).slice(0, this.#totalQueryLimit);
      return withAsyncIterator(Promise.resolve(this.#iterator(kvs)), kvs);
    });
    stub.getStateByRangeWithPagination.callsFake((start, end, pageSize, bookmark) => {
      const all = this.#range(bookmark === undefined || bookmark === '' ? start : bookmark, end);
      const size = Math.min(pageSize, this.#totalQueryLimit);
      const kvs = all.slice(0, size);
      const next = all[size]?.key ?? '';
      // Like fabric-shim: an empty page's metadata encodes to no bytes, so the shim leaves it out.
      const response = {
        iterator: this.#iterator(kvs),
        ...(kvs.length === 0 && next === '' ? {} : { metadata: { fetchedRecordsCount: kvs.length, bookmark: next } }),
      } as StateQueryResponse<Iterators.StateQueryIterator>;
      return withAsyncIterator(Promise.resolve(response), kvs);
    });
    stub.getHistoryForKey.callsFake((key) => {
      const versions = [...(this.#history.get(key) ?? [])].reverse();
      return withAsyncIterator(Promise.resolve(this.#iterator(versions)), versions);
    });
    return { stub, record };
  }

  /** Applies a successful transaction's writes, as the peer does at commit. */
  commit(record: TxRecord): void {
    const millis = record.timestamp.getTime();
    // History timestamps come from protobuf toObject(): plain numbers, whatever the typings say.
    const timestamp = { seconds: Math.floor(millis / 1000), nanos: (millis % 1000) * 1e6 } as unknown as Timestamp;
    for (const { key, value } of record.writes) {
      const bytes = value === null ? Buffer.alloc(0) : Buffer.from(value, 'utf8');
      if (value === null) {
        this.#state.delete(key);
      } else {
        this.#state.set(key, bytes);
      }
      const versions = this.#history.get(key) ?? [];
      versions.push({ txId: record.txId, isDelete: value === null, value: bytes, timestamp });
      this.#history.set(key, versions);
    }
    this.committed.push(record);
  }

  /** What the peer's handler does with a batched state message of `record`'s transaction (core/chaincode/handler.go). */
  #answer(record: TxRecord, message: unknown, method: string): Promise<Buffer> {
    const envelope = message as { getType(): number; getTxid(): string; getChannelId(): string; getPayload_asU8(): Uint8Array };
    if (envelope.getTxid() !== record.txId || envelope.getChannelId() !== 'polls') {
      return Promise.reject(new Error(`${method}: no transaction context for ${envelope.getTxid()}`));
    }
    record.exchanges.push(method);
    const payload = envelope.getPayload_asU8();
    switch (envelope.getType()) {
      case MessageType.GET_STATE_MULTIPLE: {
        const keys = peer.GetStateMultiple.deserializeBinary(payload).getKeysList();
        const answer = new peer.GetStateMultipleResult();
        answer.setValuesList(keys.map((key) => this.#state.get(key) ?? Buffer.alloc(0)));
        return Promise.resolve(Buffer.from(answer.serializeBinary()));
      }
      case MessageType.WRITE_BATCH_STATE:
        for (const rec of peer.WriteBatchState.deserializeBinary(payload).getRecList()) {
          if (rec.getType() !== peer.WriteRecord.Type.PUT_STATE || rec.getCollection() !== '') {
            return Promise.reject(new Error(`${method}: record type ${rec.getType()} is not a public put`));
          }
          record.writes.push({ key: rec.getKey(), value: Buffer.from(rec.getValue_asU8()).toString('utf8') });
        }
        return Promise.resolve(Buffer.alloc(0));
      default:
        return Promise.reject(new Error(`Fabric side handler cannot handle message (${envelope.getType()}) while in ready state`));
    }
  }

  #range(start: string, end: string): Iterators.KV[] {
    return this.keys()
      .filter((key) => compareKeys(key, start) >= 0 && (end === '' || compareKeys(key, end) < 0))
      .map((key) => ({ namespace: 'polls', key, value: this.#state.get(key) ?? Buffer.alloc(0) }));
  }

  #iterator<T>(items: readonly T[]): Iterators.CommonIterator<T> {
    let position = 0;
    this.#openIterators += 1;
    return {
      next: () => {
        const value = items[position];
        position += 1;
        // The shim answers { done: true } without a value at the end.
        const end = { done: true } as Iterators.NextResult<T>;
        return Promise.resolve(value === undefined ? end : { value, done: false });
      },
      close: () => {
        this.#openIterators -= 1;
        return Promise.resolve();
      },
    };
  }
}

function withAsyncIterator<R, T>(promise: Promise<R>, items: readonly T[]): Promise<R> & AsyncIterable<T> {
  return Object.assign(promise, {
    [Symbol.asyncIterator]: () => toAsyncIterator(items),
  });
}

async function* toAsyncIterator<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    yield await Promise.resolve(item);
  }
}
