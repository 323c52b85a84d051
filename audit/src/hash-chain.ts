import { createHash } from 'node:crypto';

/**
 * Fabric's block hash chain. A block's header hash is SHA-256 over the ASN.1 DER encoding of
 * SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash } (protoutil.BlockHeaderBytes), and
 * the next block's header carries it as previous_hash. data_hash is SHA-256 over the block's data entries
 * concatenated (protoutil.ComputeBlockDataHash).
 */

export interface HeaderFields {
  readonly number: bigint | number;
  readonly previousHash: Uint8Array;
  readonly dataHash: Uint8Array;
}

export function blockHeaderDer(header: HeaderFields): Buffer {
  return derTlv(
    0x30,
    Buffer.concat([
      derTlv(0x02, derInteger(BigInt(header.number))),
      derTlv(0x04, header.previousHash),
      derTlv(0x04, header.dataHash),
    ]),
  );
}

export function blockHeaderHash(header: HeaderFields): Buffer {
  return sha256(blockHeaderDer(header));
}

export function blockDataHash(entries: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const entry of entries) {
    hash.update(entry);
  }
  return hash.digest();
}

/** Why one block does not link: its own data, or its link to the block before it. */
export type LinkFault = 'DATA_HASH' | 'PREVIOUS_HASH';

/**
 * Checks one block against the header hash of the block before it (undefined for the genesis block, whose
 * previous_hash must be empty).
 */
export function checkLink(
  header: HeaderFields,
  computedDataHash: Uint8Array,
  previousHeaderHash: Uint8Array | undefined,
): LinkFault[] {
  const faults: LinkFault[] = [];
  if (!bytesEqual(header.dataHash, computedDataHash)) {
    faults.push('DATA_HASH');
  }
  const expectedPrevious = previousHeaderHash ?? new Uint8Array(0);
  if (!bytesEqual(header.previousHash, expectedPrevious)) {
    faults.push('PREVIOUS_HASH');
  }
  return faults;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Minimal two's-complement big-endian bytes, as DER requires for INTEGER. */
function derInteger(value: bigint): Buffer {
  if (value < 0n) {
    throw new RangeError('block numbers are never negative');
  }
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  } while (rest > 0n);
  if ((bytes[0] ?? 0) & 0x80) {
    bytes.unshift(0);
  }
  return Buffer.from(bytes);
}

function derTlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) {
    return Buffer.from([length]);
  }
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
    bytes.unshift(rest % 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
