/**
 * Cost of one client signature: fabric-gateway's default signer (pure JavaScript
 * ECDSA over a SHA-256 digest) against the REST gateway's node:crypto (OpenSSL) signer.
 * Each transaction carries three client signatures (proposal, envelope, commit-status request).
 */
import { hash, signers, type Signer } from '@hyperledger/fabric-gateway';
import { newNodeCryptoSigner } from '@poll-ledger/gateway/dist/fabric/signer';
import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface SignerCost {
  name: string;
  microsPerSignature: number;
  signaturesPerSecond: number;
}

async function measure(name: string, sign: (message: Uint8Array) => Promise<Uint8Array>, message: Uint8Array, count: number): Promise<SignerCost> {
  for (let i = 0; i < Math.min(200, count); i++) await sign(message); // warm the JIT
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await sign(message);
  const micros = ((performance.now() - t0) * 1000) / count;
  return { name, microsPerSignature: micros, signaturesPerSecond: 1e6 / micros };
}

export async function measureSigners(count: number): Promise<SignerCost[]> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  // About the size of a CastBallot proposal.
  const message = randomBytes(3000);
  const fabricDefault: Signer = signers.newPrivateKeySigner(privateKey);
  const nodeCrypto: Signer = newNodeCryptoSigner(privateKey);
  // Both must produce signatures Fabric accepts before their speed means anything.
  for (const sig of [await fabricDefault(hash.sha256(message)), await nodeCrypto(message)]) {
    if (!verify('sha256', message, publicKey, sig)) throw new Error('a signer made an invalid signature');
  }
  return [
    await measure('fabric-gateway default (signers.newPrivateKeySigner, pure JS)', (m) => fabricDefault(hash.sha256(m)), message, count),
    await measure('node:crypto (gateway/src/fabric/signer.ts, OpenSSL, low-S)', (m) => nodeCrypto(m), message, count),
  ];
}
