/**
 * The two primitives the verifier needs, behind one small interface so the CLI can plug in node:crypto (about 30×
 * faster than pure JavaScript here) while the browser uses WebCrypto, with @noble as the fallback when neither is
 * there. ECDSA is P-256 over SHA-256 with DER signatures, as Fabric's default BCCSP makes them.
 */
import { p256 } from '@noble/curves/nist';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2';
import { bytesKey } from './bytes';

export interface CryptoProvider {
  sha256(data: Uint8Array): Uint8Array;
  /** ECDSA P-256/SHA-256 over `message`; `spki` is the SubjectPublicKeyInfo DER. Accepts high-S (callers check). */
  verifyP256(spki: Uint8Array, message: Uint8Array, signatureDer: Uint8Array): boolean | Promise<boolean>;
}

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;

/** The contents of the two INTEGERs of a strict DER SEQUENCE { r, s }, or undefined (zero counts as malformed). */
function derIntegers(der: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  let offset = 2;
  const integer = (): Uint8Array | undefined => {
    if (der[offset] !== 0x02) return undefined;
    const length = der[offset + 1] ?? 0;
    const start = offset + 2;
    if (length === 0 || length > 33 || start + length > der.length) return undefined;
    offset = start + length;
    const value = der.subarray(start, offset);
    return value.some((b) => b !== 0) ? value : undefined;
  };
  const r = integer();
  const s = integer();
  return r === undefined || s === undefined || offset !== der.length ? undefined : [r, s];
}

const toBigInt = (bytes: Uint8Array): bigint => {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
};

/** r and s of a DER ECDSA signature, or undefined when it is not strict DER of two positive integers. */
export function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  const rs = derIntegers(der);
  return rs === undefined ? undefined : { r: toBigInt(rs[0]), s: toBigInt(rs[1]) };
}

const bigEndian = (n: bigint): Uint8Array => Uint8Array.from(n.toString(16).padStart(64, '0').match(/../g) ?? [], (h) => parseInt(h, 16));
const ORDER_BYTES = bigEndian(P256_ORDER);
const HALF_ORDER_BYTES = bigEndian(HALF_ORDER);

const stripZeros = (value: Uint8Array): Uint8Array => {
  let start = 0;
  while (start < value.length && value[start] === 0) start += 1;
  return value.subarray(start);
};

/** Unsigned big-endian `value` against `limit` (no leading zeros): negative, zero or positive, without a bigint. */
function compareUnsigned(value: Uint8Array, limit: Uint8Array): number {
  const digits = stripZeros(value);
  if (digits.length !== limit.length) return digits.length - limit.length;
  for (let i = 0; i < digits.length; i += 1) {
    const difference = (digits[i] ?? 0) - (limit[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Fabric's BCCSP refuses signatures whose S is above half the curve order (they are malleable). */
export function isLowS(der: Uint8Array): boolean {
  const rs = derIntegers(der);
  return rs !== undefined && compareUnsigned(rs[1], HALF_ORDER_BYTES) <= 0;
}

/** r ‖ s, 32 bytes each (WebCrypto's form), or undefined when not strict DER or not below the order. */
function rawSignature(der: Uint8Array): Uint8Array | undefined {
  const rs = derIntegers(der);
  if (rs === undefined || rs.some((value) => compareUnsigned(value, ORDER_BYTES) >= 0)) return undefined;
  const out = new Uint8Array(64);
  rs.forEach((value, i) => {
    const digits = stripZeros(value);
    out.set(digits, 32 * (i + 1) - digits.length);
  });
  return out;
}

/** The uncompressed point at the end of a P-256 SubjectPublicKeyInfo. */
const pointOf = (spki: Uint8Array): Uint8Array => spki.subarray(spki.length - 65);

export const nobleProvider: CryptoProvider = {
  sha256: (data) => nobleSha256(data),
  verifyP256(spki, message, signatureDer) {
    try {
      return p256.verify(signatureDer, nobleSha256(message), pointOf(spki), { lowS: false, format: 'der' });
    } catch {
      return false;
    }
  },
};

/** WebCrypto (browsers, Node ≥ 20): fast and native, but asynchronous; keys are imported once each. */
function webCryptoProvider(subtle: SubtleCrypto): CryptoProvider {
  const keys = new Map<string, Promise<CryptoKey | undefined>>();
  // Callers pass the same parsed certificate's spki array again and again: look it up by reference first.
  const byArray = new WeakMap<Uint8Array, Promise<CryptoKey | undefined>>();
  const keyOf = (spki: Uint8Array): Promise<CryptoKey | undefined> => {
    const known = byArray.get(spki);
    if (known !== undefined) return known;
    const id = bytesKey(spki);
    let key = keys.get(id);
    if (key === undefined) {
      key = subtle
        .importKey('spki', new Uint8Array(spki), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
        .then((k) => k, () => undefined);
      keys.set(id, key);
    }
    byArray.set(spki, key);
    return key;
  };
  return {
    sha256: (data) => nobleSha256(data),
    async verifyP256(spki, message, signatureDer) {
      const raw = rawSignature(signatureDer);
      const key = await keyOf(spki);
      if (raw === undefined || key === undefined) return false;
      try {
        return await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, new Uint8Array(raw), new Uint8Array(message));
      } catch {
        return false;
      }
    },
  };
}

export function defaultProvider(): CryptoProvider {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  return subtle === undefined ? nobleProvider : webCryptoProvider(subtle);
}
