/**
 * node:crypto behind the core's CryptoProvider. Hashing is synchronous and one-shot (crypto.hash where Node has it).
 * ECDSA verifications go to worker threads in batches (./verify-pool), so the signatures of the blocks the core
 * checks ahead are verified on the other cores while the main thread decodes and validates; each is verified, with
 * a KeyObject made once per distinct public key.
 */
import * as nodeCrypto from 'node:crypto';
import { type KeyObject, createHash, createPublicKey, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { CryptoProvider } from '../core/crypto';
import { VerifyPool } from './verify-pool';

export interface NodeCryptoProvider extends CryptoProvider {
  /** Stops the worker threads (they never keep the process alive while idle, so this is optional). */
  close(): Promise<void>;
}

export interface NodeCryptoOptions {
  /** Worker threads for ECDSA; 0 verifies on the calling thread. Default: one per core, none on a single core. */
  readonly threads?: number;
}

/** Node ≥ 20.12 has a one-shot hash, several times cheaper than createHash for small inputs. */
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;
const sha256 = oneShot === undefined ? (data: Uint8Array): Uint8Array => createHash('sha256').update(data).digest() : (data: Uint8Array): Uint8Array => oneShot('sha256', data, 'buffer');

export function defaultThreads(): number {
  const n = availableParallelism();
  return n > 1 ? n : 0;
}

export function nodeCryptoProvider(options: NodeCryptoOptions = {}): NodeCryptoProvider {
  const threads = options.threads ?? defaultThreads();
  const pool = threads > 0 ? new VerifyPool(threads) : undefined;
  const keys = new Map<string, { id: number; key: KeyObject } | null>();
  // The core passes the same parsed certificate's spki array again and again: look it up by reference first.
  const byArray = new WeakMap<Uint8Array, { id: number; key: KeyObject } | null>();
  const keyOf = (spki: Uint8Array): { id: number; key: KeyObject } | undefined => {
    let entry = byArray.get(spki);
    if (entry !== undefined) return entry ?? undefined;
    const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('base64');
    entry = keys.get(id);
    if (entry === undefined) {
      try {
        entry = { id: keys.size, key: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }) };
      } catch {
        entry = null;
      }
      keys.set(id, entry);
    }
    byArray.set(spki, entry);
    return entry ?? undefined;
  };
  return {
    sha256,
    verifyP256(spki, message, signature) {
      const entry = keyOf(spki);
      if (entry === undefined) return false;
      if (pool !== undefined) return pool.verify(entry.id, entry.key, message, signature);
      try {
        return verify('sha256', message, entry.key, signature);
      } catch {
        return false;
      }
    },
    close: () => pool?.close() ?? Promise.resolve(),
  };
}
