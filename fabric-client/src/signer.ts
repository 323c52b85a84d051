import { sign, type KeyObject } from 'node:crypto';
import { hash, signers, type Hash, type Signer } from '@hyperledger/fabric-gateway';

/** Order of the P-256 group. */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = P256_N >> 1n;
const COORDINATE_BYTES = 32;

/** `node-crypto`: OpenSSL, low-S normalised (the default); `fabric-default`: fabric-gateway's pure-JS signer. */
export const SIGNER_KINDS = ['node-crypto', 'fabric-default'] as const;
export type SignerKind = (typeof SIGNER_KINDS)[number];

/** A signer plus the hash fabric-gateway must apply before calling it. */
export interface Signing {
  readonly signer: Signer;
  readonly hash: Hash;
}

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  // A set high bit would read as negative: DER needs a leading zero byte then.
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.of(0), bytes]);
  return Buffer.concat([Buffer.of(0x02, bytes.length), bytes]);
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }`; short-form lengths suffice for P-256. */
export function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.of(0x30, body.length), body]);
}

function assertP256(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the node-crypto signer needs an EC P-256 private key');
  }
}

/**
 * ECDSA P-256 over SHA-256 with node:crypto (OpenSSL), about ten times faster than the pure-JS
 * default. It takes the whole message, so pair it with `hash.none`. Fabric rejects high-S
 * signatures, so S is normalised to n - S when above n/2.
 */
export function newNodeCryptoSigner(key: KeyObject): Signer {
  assertP256(key);
  return (message) => {
    const raw = sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' });
    const r = toBigInt(raw.subarray(0, COORDINATE_BYTES));
    const s = toBigInt(raw.subarray(COORDINATE_BYTES));
    return Promise.resolve(derSignature(r, s > HALF_N ? P256_N - s : s));
  };
}

export function createSigning(kind: SignerKind, key: KeyObject): Signing {
  return kind === 'node-crypto'
    ? { signer: newNodeCryptoSigner(key), hash: hash.none }
    : { signer: signers.newPrivateKeySigner(key), hash: hash.sha256 };
}
