import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { newNodeCryptoSigner } from '@poll-ledger/fabric-client';
import type { Signer } from '@hyperledger/fabric-gateway';
import { canonicalJson } from '../core/canonical';
import type { ObserverSignature } from '../wire';

/**
 * The observer's signature on what the service states (checkpoints, inclusion statements): ECDSA P-256 over
 * SHA-256 of the statement's canonical JSON (RFC 8785), low-S, DER, with the signing certificate, so anyone can check
 * it against the observer's MSP in the channel config they derived from the pinned genesis block.
 */

/** The bytes an observer signature covers. */
export const signedBytesOf = (statement: object): Buffer => Buffer.from(canonicalJson(statement), 'utf8');

export interface StatementSigner {
  readonly mspId: string;
  sign<S extends object>(statement: S): Promise<{ statement: S; signer: ObserverSignature }>;
}

/** The signer of one identity (certificate and private key PEM). */
export function newStatementSigner(mspId: string, certificatePem: string, privateKeyPem: string | KeyObject): StatementSigner {
  const key = typeof privateKeyPem === 'string' ? createPrivateKey(privateKeyPem) : privateKeyPem;
  // A key that does not belong to the certificate would sign statements nobody can verify: refuse to start.
  if (!new X509Certificate(certificatePem).checkPrivateKey(key)) {
    throw new Error(`the private key does not match the certificate of ${mspId}`);
  }
  // fabric-client's node-crypto signer hashes with SHA-256 itself and normalises S, as Fabric does.
  const sign: Signer = newNodeCryptoSigner(key);
  return {
    mspId,
    async sign(statement) {
      const signature = await sign(signedBytesOf(statement));
      return { statement, signer: { mspId, certificate: certificatePem, signature: Buffer.from(signature).toString('base64') } };
    },
  };
}

/** SHA-256 hex, lowercase. */
export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
