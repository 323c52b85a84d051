/** node:crypto behind the core's CryptoProvider: synchronous and native, much faster than WebCrypto's promises. */
import { type KeyObject, createHash, createPublicKey, verify } from 'node:crypto';
import type { CryptoProvider } from '../core/crypto';

export function nodeCryptoProvider(): CryptoProvider {
  const keys = new Map<string, KeyObject | null>();
  const keyOf = (spki: Uint8Array): KeyObject | undefined => {
    const id = Buffer.from(spki).toString('base64');
    let key = keys.get(id);
    if (key === undefined) {
      try {
        key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      } catch {
        key = null;
      }
      keys.set(id, key);
    }
    return key ?? undefined;
  };
  return {
    sha256: (data) => createHash('sha256').update(data).digest(),
    verifyP256(spki, message, signature) {
      const key = keyOf(spki);
      try {
        return key !== undefined && verify('sha256', message, key, signature);
      } catch {
        return false;
      }
    },
  };
}
