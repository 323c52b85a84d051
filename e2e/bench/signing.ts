/**
 * Cost of one client signature, with the two signers of @poll-ledger/fabric-client: fabric-gateway's default
 * (pure JavaScript ECDSA over a SHA-256 digest) against node:crypto (OpenSSL, low-S), which the REST gateway uses.
 * Each is timed as fabric-gateway calls it, hash included. Each transaction carries three client signatures
 * (proposal, envelope, commit-status request).
 */
import { createSigning, type Signing, type SignerKind } from '@poll-ledger/fabric-client';
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

const LABELS: Record<SignerKind, string> = {
  'fabric-default': 'fabric-gateway default (signers.newPrivateKeySigner, pure JS)',
  'node-crypto': 'node:crypto (fabric-client/src/signer.ts, OpenSSL, low-S)',
};

/** Signs MESSAGE as fabric-gateway does: its hash first, then the signer. */
const signWith = (signing: Signing) => (message: Uint8Array): Promise<Uint8Array> => signing.signer(signing.hash(message));

export async function measureSigners(count: number): Promise<SignerCost[]> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  // About the size of a CastBallot proposal.
  const message = randomBytes(3000);
  const kinds: SignerKind[] = ['fabric-default', 'node-crypto'];
  const costs: SignerCost[] = [];
  for (const kind of kinds) {
    const sign = signWith(createSigning(kind, privateKey));
    // A signature Fabric would refuse makes its speed meaningless.
    if (!verify('sha256', message, publicKey, await sign(message))) throw new Error(`the ${kind} signer made an invalid signature`);
    costs.push(await measure(LABELS[kind], sign, message, count));
  }
  return costs;
}
