/**
 * The two primitives the verifier needs, behind one small interface so the CLI can plug in node:crypto (about 30×
 * faster than pure JavaScript here) while the browser uses WebCrypto, with @noble as the fallback when neither is
 * there. ECDSA is P-256 over SHA-256 with DER signatures, as Fabric's default BCCSP makes them.
 */
import { p256 } from '@noble/curves/nist';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2';
import { latin1 } from './bytes';

export interface CryptoProvider {
  sha256(data: Uint8Array): Uint8Array;
  /** ECDSA P-256/SHA-256 over `message`; `spki` is the SubjectPublicKeyInfo DER. Accepts high-S (callers check). */
  verifyP256(spki: Uint8Array, message: Uint8Array, signatureDer: Uint8Array): boolean | Promise<boolean>;
}

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;

/** r and s of a DER ECDSA signature, or undefined when it is not strict DER of two positive integers. */
export function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  let offset = 2;
  const integer = (): bigint | undefined => {
    if (der[offset] !== 0x02) return undefined;
    const length = der[offset + 1] ?? 0;
    const start = offset + 2;
    if (length === 0 || length > 33 || start + length > der.length) return undefined;
    let value = 0n;
    for (let i = start; i < start + length; i += 1) value = (value << 8n) | BigInt(der[i] ?? 0);
    offset = start + length;
    return value;
  };
  const r = integer();
  const s = integer();
  if (r === undefined || s === undefined || offset !== der.length || r === 0n || s === 0n) return undefined;
  return { r, s };
}

/** Fabric's BCCSP refuses signatures whose S is above half the curve order (they are malleable). */
export function isLowS(der: Uint8Array): boolean {
  const rs = parseDerSignature(der);
  return rs !== undefined && rs.s <= HALF_ORDER;
}

function rawSignature(der: Uint8Array): Uint8Array | undefined {
  const rs = parseDerSignature(der);
  if (rs === undefined || rs.r >= P256_ORDER || rs.s >= P256_ORDER) return undefined;
  const out = new Uint8Array(64);
  for (let i = 0, r = rs.r, s = rs.s; i < 32; i += 1, r >>= 8n, s >>= 8n) {
    out[31 - i] = Number(r & 0xffn);
    out[63 - i] = Number(s & 0xffn);
  }
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
  const keyOf = (spki: Uint8Array): Promise<CryptoKey | undefined> => {
    const id = latin1(spki);
    let key = keys.get(id);
    if (key === undefined) {
      key = subtle
        .importKey('spki', new Uint8Array(spki), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
        .then((k) => k, () => undefined);
      keys.set(id, key);
    }
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
