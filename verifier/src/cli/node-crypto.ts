/**
 * node:crypto behind the core's CryptoProvider: native, much faster than WebCrypto's promises. Each ECDSA verification
 * runs on libuv's thread pool (crypto.verify with a callback), so the signatures of a block, which the core checks
 * concurrently, use every core; hashing stays synchronous.
 */
import { type KeyObject, createHash, createPublicKey, verify } from 'node:crypto';
import type { CryptoProvider } from '../core/crypto';

export function nodeCryptoProvider(): CryptoProvider {
  const keys = new Map<string, KeyObject | null>();
  // The core passes the same parsed certificate's spki array again and again: look it up by reference first.
  const byArray = new WeakMap<Uint8Array, KeyObject | null>();
  const keyOf = (spki: Uint8Array): KeyObject | undefined => {
    let key = byArray.get(spki);
    if (key !== undefined) return key ?? undefined;
    const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('base64');
    key = keys.get(id);
    if (key === undefined) {
      try {
        key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      } catch {
        key = null;
      }
      keys.set(id, key);
    }
    byArray.set(spki, key);
    return key ?? undefined;
  };
  return {
    sha256: (data) => createHash('sha256').update(data).digest(),
    verifyP256(spki, message, signature) {
      const key = keyOf(spki);
      if (key === undefined) return false;
      return new Promise<boolean>((resolve) => {
        try {
          verify('sha256', message, key, signature, (err, valid) => { resolve(err === null && valid); });
        } catch {
          resolve(false);
        }
      });
    },
  };
}
