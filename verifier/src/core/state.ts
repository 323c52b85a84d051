/**
 * The world state the verifier derives itself from the transactions it found valid: per namespace, each key's value
 * and version (block, tx) as the last valid write left it. MVCC validation reads it as Fabric's committer does, and
 * range queries are re-executed on it (raw reads compared, or the Merkle summary Fabric records for long ranges
 * recomputed: core/ledger/kvledger/txmgmt/rwsetutil/query_results_helper.go).
 * Keys written by a transaction whose validity could not be decided (it depends on a withheld block) are tainted.
 */
import { ledger } from './protos';
import { bytesEqual, compareKeys, concat } from './bytes';
import type { CryptoProvider } from './crypto';
import type { KvRead, KvWrite, RangeRead, Version } from './decode';

export interface StateEntry {
  readonly value: Uint8Array;
  readonly version: Version;
  readonly tainted: boolean;
}

class Namespace {
  readonly entries = new Map<string, StateEntry>();
  #sorted: string[] | undefined;

  set(key: string, entry: StateEntry | undefined): void {
    const had = this.entries.has(key);
    if (entry === undefined) this.entries.delete(key);
    else this.entries.set(key, entry);
    if (had !== (entry !== undefined)) this.#sorted = undefined;
  }

  sortedKeys(): readonly string[] {
    this.#sorted ??= [...this.entries.keys()].sort(compareKeys);
    return this.#sorted;
  }
}

export class WorldState {
  readonly #namespaces = new Map<string, Namespace>();

  #ns(name: string): Namespace {
    let ns = this.#namespaces.get(name);
    if (ns === undefined) {
      ns = new Namespace();
      this.#namespaces.set(name, ns);
    }
    return ns;
  }

  get(namespace: string, key: string): StateEntry | undefined {
    return this.#namespaces.get(namespace)?.entries.get(key);
  }

  /** Keys of `namespace` in Fabric's order, with their entries. */
  entries(namespace: string): [string, StateEntry][] {
    const ns = this.#namespaces.get(namespace);
    return ns === undefined ? [] : ns.sortedKeys().map((k) => [k, ns.entries.get(k) as StateEntry]);
  }

  apply(namespace: string, writes: readonly KvWrite[], version: Version, tainted: boolean): void {
    const ns = this.#ns(namespace);
    for (const w of writes) ns.set(w.key, w.isDelete ? undefined : { value: w.value, version, tainted });
  }

  /** The read's recorded version is the key's committed one (both absent when the key does not exist). */
  readMatches(namespace: string, read: KvRead): boolean {
    return sameVersion(this.get(namespace, read.key)?.version, read.version);
  }

  /** Re-executes the range query; true when it returns exactly what the transaction recorded. */
  rangeMatches(namespace: string, range: RangeRead, crypto: CryptoProvider): boolean {
    const results = this.rangeResults(namespace, range);
    if (range.merkle !== undefined) {
      return merkleMatches(results, range.merkle, crypto);
    }
    const recorded = range.rawReads ?? [];
    return recorded.length === results.length && recorded.every((r, i) => {
      const result = results[i];
      return result !== undefined && r.key === result.key && sameVersion(r.version, result.version);
    });
  }

  /** The keys a range query sees: [start, end) when the iterator ran out, [start, end] when the chaincode stopped. */
  rangeResults(namespace: string, range: RangeRead): KvRead[] {
    const ns = this.#namespaces.get(namespace);
    // A range the chaincode opened but never read from records no end key: it saw nothing.
    if (ns === undefined || (!range.exhausted && range.endKey === '')) return [];
    const keys = ns.sortedKeys();
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(keys[mid] ?? '', range.startKey) < 0) lo = mid + 1;
      else hi = mid;
    }
    const out: KvRead[] = [];
    for (let i = lo; i < keys.length; i += 1) {
      const key = keys[i] ?? '';
      if (range.endKey !== '') {
        const c = compareKeys(key, range.endKey);
        if (c > 0 || (c === 0 && range.exhausted)) break;
      }
      const entry = ns.entries.get(key);
      if (entry !== undefined) out.push({ key, version: entry.version });
    }
    return out;
  }

  /** Some key the range query sees is tainted. */
  rangeTainted(namespace: string, range: RangeRead): boolean {
    return this.rangeResults(namespace, range).some((r) => this.get(namespace, r.key)?.tainted === true);
  }
}

function sameVersion(a: Version | undefined, b: Version | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.block === b.block && a.tx === b.tx;
}

/** Fabric's QueryReads serialisation of a batch of results, the leaves of its Merkle summary. */
function serializeReads(reads: readonly KvRead[]): Uint8Array {
  const message = new ledger.rwset.kvrwset.QueryReads();
  message.setKvReadsList(reads.map((r) => {
    const read = new ledger.rwset.kvrwset.KVRead();
    read.setKey(r.key);
    if (r.version !== undefined) {
      const version = new ledger.rwset.kvrwset.Version();
      version.setBlockNum(r.version.block);
      version.setTxNum(r.version.tx);
      read.setVersion(version);
    }
    return read;
  }));
  return message.serializeBinary();
}

/**
 * RangeQueryResultsHelper with hashing: results are hashed in batches of maxDegree+1, each level is combined into the
 * next once it holds more than maxDegree hashes, and done() folds the lower levels up to the top one.
 */
function merkleMatches(results: readonly KvRead[], recorded: NonNullable<RangeRead['merkle']>, crypto: CryptoProvider): boolean {
  const maxDegree = recorded.maxDegree;
  if (maxDegree < 2 || results.length <= maxDegree) return false; // Fabric records raw reads then
  const tree = new Map<number, Uint8Array[]>();
  let maxLevel = 1;
  const combine = (hashes: readonly Uint8Array[]): Uint8Array => crypto.sha256(concat(...hashes));
  const update = (leaf: Uint8Array): void => {
    tree.set(1, [...(tree.get(1) ?? []), leaf]);
    for (let level = 1; (tree.get(level)?.length ?? 0) > maxDegree; level += 1) {
      const next = combine(tree.get(level) ?? []);
      tree.delete(level);
      tree.set(level + 1, [...(tree.get(level + 1) ?? []), next]);
      maxLevel = Math.max(maxLevel, level + 1);
    }
  };
  for (let i = 0; i < results.length; i += maxDegree + 1) {
    update(crypto.sha256(serializeReads(results.slice(i, i + maxDegree + 1))));
  }
  for (let level = 1; level < maxLevel; level += 1) {
    const hashes = tree.get(level) ?? [];
    if (hashes.length === 0) continue;
    const folded = hashes.length === 1 ? (hashes[0] as Uint8Array) : combine(hashes);
    tree.delete(level);
    tree.set(level + 1, [...(tree.get(level + 1) ?? []), folded]);
  }
  let top = tree.get(maxLevel) ?? [];
  if (top.length > maxDegree) {
    top = [combine(top)];
    maxLevel += 1;
  }
  return maxLevel === recorded.maxLevel && top.length === recorded.hashes.length && top.every((h, i) => bytesEqual(h, recorded.hashes[i] ?? new Uint8Array(0)));
}
