/** Byte helpers that work the same in Node and in browsers (no Buffer). */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');
/** WHATWG maps 'latin1' to windows-1252: a single-byte decoding whose 256 bytes give 256 distinct code points. */
const singleByteDecoder = new TextDecoder('latin1');

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b] ?? '';
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new Error('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  return btoa(latin1(bytes));
}

/** One character per byte, each the byte's own code point (what btoa expects). */
export function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/**
 * One character per byte, decoded natively: an injective string form for cache keys and identity comparisons
 * (about ten times faster than {@link latin1} on a certificate; not for btoa, as bytes 0x80–0x9F map elsewhere).
 */
export const bytesKey = (bytes: Uint8Array): string => singleByteDecoder.decode(bytes);

export const utf8 = (text: string): Uint8Array => utf8Encoder.encode(text);
export const fromUtf8 = (bytes: Uint8Array): string => utf8Decoder.decode(bytes);

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Orders keys as Fabric's state database does (Go compares strings byte by byte, i.e. UTF-8 order, which is code
 * point order). JavaScript's `<` compares UTF-16 code units, which differs only for characters above U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

/** UTF-16 code-unit order: RFC 8785's key order, and the protocol's ballot key order. */
export const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
