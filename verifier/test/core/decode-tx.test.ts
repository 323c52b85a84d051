import { expect } from 'chai';
import { common, peer } from '@hyperledger/fabric-protos';
import { readInvocation } from '../../src/core/decode-invocation';
import { decodeTransaction } from '../../src/core/decode-tx';
import { decodeBlock } from '../../src/core/decode';
import { LedgerBuilder } from '../support/ledger';
import { orgs } from '../support/pki';
import { castBallots } from '../support/batch';
import { castBallot, pollLedger } from '../support/polls';
import { referenceDecodeTransaction } from '../support/reference-decode';
import { endorserTx } from '../support/tx';

/** A deterministic PRNG (mulberry32), so a failing mutation can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decoded values made comparable: bytes as hex. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** The two decoders agree, except on the text of errors. */
function agree(actual: unknown, expected: unknown, path = 'tx'): string | undefined {
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return `${path}: length ${actual.length} ≠ ${expected.length}`;
    for (const [i, v] of actual.entries()) {
      const d = agree(v, expected[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (actual !== null && expected !== null && typeof actual === 'object' && typeof expected === 'object') {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(e)])].filter((k) => k !== 'message');
    for (const k of keys) {
      const d = agree(a[k], e[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return actual === expected ? undefined : `${path}: ${String(actual)} ≠ ${String(expected)}`;
}

function corpus(): Uint8Array[] {
  const ledger = pollLedger();
  const entries = ledger.blocks.flatMap((b) => [...decodeBlock(b).entries]);
  const b = new LedgerBuilder();
  const rich = endorserTx({
    fn: 'TallyPoll',
    reads: [{ key: 'a', version: [3, 1] }, { key: 'absent' }],
    ranges: [
      { start: 'ballot~p1~', end: 'ballot~p1~~', reads: [{ key: 'ballot~p1~x', version: [4, 0] }] },
      { start: 'k', end: 'l', reads: [], merkle: { maxDegree: 50, maxLevel: 2, hashes: [Buffer.alloc(32, 1), Buffer.alloc(32, 2)] } },
    ],
    writes: [{ key: 'w', value: 'v' }, { key: 'gone', isDelete: true }],
    collections: ['_implicit_org_CityMSP'],
    metadataWrites: ['w'],
    endorsers: [orgs.observer.peer, orgs.city.peer, orgs.dept.peer],
  });
  const batch = castBallots(b, 'p1', [{ name: 'yan', choice: 'red' }, { name: 'zoë', choice: 'blue', refused: 'ALREADY_VOTED' }], 2);
  return [...entries, rich.envelope, castBallot(b, 'p1', 'zoë', 'red', 1).envelope, batch.envelope];
}

/**
 * The invocation (function and arguments) is read as Fabric's Go protobuf reads it: a string that is not UTF-8 or a
 * field number out of range leaves it unread, where google-protobuf reads on. True when that is why the two differ.
 */
function goRefusesInvocation(entry: Uint8Array): boolean {
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(entry).getPayload_asU8());
    const [action] = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList();
    readInvocation(peer.ChaincodeActionPayload.deserializeBinary(action?.getPayload_asU8() ?? new Uint8Array(0)).getChaincodeProposalPayload_asU8());
    return false;
  } catch (err) {
    return /UTF-8|field number/.test((err as Error).message);
  }
}

function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
  const out = Buffer.from(bytes);
  const at = Math.floor(next() * out.length);
  switch (Math.floor(next() * 4)) {
    case 0:
      out[at] = Math.floor(next() * 256);
      return out;
    case 1:
      return out.subarray(0, at);
    case 2:
      return Buffer.concat([out.subarray(0, at), Buffer.from([Math.floor(next() * 256)]), out.subarray(at)]);
    default:
      out[at] = (out[at] ?? 0) ^ (1 << Math.floor(next() * 8));
      return out;
  }
}

describe('decodeTransaction (protobuf wire reader)', () => {
  const entries = corpus();

  it('decodes every transaction exactly as the google-protobuf decoder did', () => {
    for (const [i, entry] of entries.entries()) {
      const actual = decodeTransaction(entry, i);
      expect(plain(actual), `entry ${i}`).to.deep.equal(plain(referenceDecodeTransaction(entry, i)));
    }
    const rich = decodeTransaction(entries.at(-3)!, 0).action!.namespaces[0]!;
    expect(rich.ranges[1]?.merkle?.hashes).to.have.length(2);
    expect(rich).to.include({ metadataWrites: 1, collectionReads: 0 });
    expect(rich.collectionsWritten).to.deep.equal(['_implicit_org_CityMSP']);
    const batch = decodeTransaction(entries.at(-1)!, 0).action!;
    expect(batch).to.deep.include({ functionName: 'CastBallots' });
    expect(batch.args?.[0]).to.equal('p1');
    expect(batch.response?.status).to.equal(200);
    expect(JSON.parse(Buffer.from(batch.response!.payload).toString('utf8'))).to.have.property('outcomes').with.length(2);
  });

  it('leaves out a timestamp no JavaScript date can hold (the reference decoder threw, stopping the verification)', () => {
    const envelope = common.Envelope.deserializeBinary(entries[1]!);
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const header = common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8());
    // google-protobuf ships no typings for Timestamp here.
    (header.getTimestamp() as unknown as { setSeconds(s: number): void }).setSeconds(1e15);
    payload.getHeader()!.setChannelHeader(header.serializeBinary());
    envelope.setPayload(payload.serializeBinary());
    const tx = decodeTransaction(envelope.serializeBinary(), 0);
    expect(tx.problem).to.equal(undefined);
    expect(tx).to.not.have.property('timestamp');
  });

  it('refuses a string that is not UTF-8, as Fabric\'s Go protobuf does', () => {
    const entry = Buffer.from(entries[1]!);
    const at = entry.indexOf('CityMSP');
    entry[at + 6] = 0xe1;
    const tx = decodeTransaction(entry, 0);
    expect(tx.problem?.message).to.match(/not valid UTF-8/);
  });

  it('refuses (or accepts) every mutated transaction as the google-protobuf decoder did, with the same code, or as Go refuses it', () => {
    const next = random(20261130);
    let refused = 0;
    for (let round = 0; round < 4000; round += 1) {
      const index = Math.floor(next() * entries.length);
      let bytes = entries[index]!;
      for (let k = 1 + Math.floor(next() * 3); k > 0; k -= 1) bytes = mutate(bytes, next);
      let expected: unknown;
      try {
        expected = plain(referenceDecodeTransaction(bytes, 0));
      } catch (err) {
        // An out-of-range timestamp made the reference throw; the new decoder leaves it out (tested above).
        if (err instanceof RangeError) continue;
        expected = `throws ${(err as Error).name}`;
      }
      let actual: unknown;
      try {
        actual = plain(decodeTransaction(bytes, 0));
      } catch (err) {
        actual = `throws ${(err as Error).name}`;
      }
      const problem = (actual as { problem?: { message: string } }).problem;
      // Invalid UTF-8 and field numbers are refused now, as Fabric's Go protobuf refuses them.
      if (problem !== undefined && /UTF-8|field number/.test(problem.message)) continue;
      if (problem !== undefined) refused += 1;
      const difference = agree(actual, expected);
      if (difference !== undefined && /^tx\.action\.(functionName|args)/.test(difference) && goRefusesInvocation(bytes)) continue;
      expect(difference, `round ${round} (entry ${index}): ${Buffer.from(bytes).toString('base64')}`).to.equal(undefined);
    }
    expect(refused).to.be.greaterThan(100);
  });
});
