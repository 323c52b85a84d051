import { X509Certificate, createHash, verify } from 'node:crypto';
import type { BlockSignature, DecodedBlock, MspAnchors } from './block-decoder';

/**
 * Orderer signatures on blocks. Every block after the genesis block must carry at least one signature, each one
 * valid (ECDSA/SHA-256 over metadata value ‖ signature header ‖ header DER) and made with a certificate that chains to
 * the root certificates of an orderer organisation named by the channel config in force. This is what makes a
 * re-sealed copy (hashes recomputed after an edit) fail: the edit cannot be re-signed without an orderer's key.
 *
 * Not checked: certificate validity periods and revocation (blocks outlive certificates), NodeOU roles, and the
 * exact BlockValidation policy (any one valid orderer signature is accepted, as Raft's default policy does).
 */

export type SignatureCheck =
  | { readonly status: 'OK'; readonly signers: readonly string[] }
  | { readonly status: 'UNSIGNED_GENESIS' }
  | { readonly status: 'FAILED'; readonly reason: string };

export type OrdererMsps = Readonly<Record<string, MspAnchors>>;

export function checkBlockSignatures(block: DecodedBlock, ordererMsps: OrdererMsps | undefined): SignatureCheck {
  if (block.signatureDecodeError !== undefined) {
    return { status: 'FAILED', reason: `signature metadata does not decode: ${block.signatureDecodeError}` };
  }
  if (block.signatures.length === 0) {
    // configtxgen writes the genesis block unsigned; it is the trust anchor and is pinned by hash instead.
    return block.number === 0 ? { status: 'UNSIGNED_GENESIS' } : { status: 'FAILED', reason: 'the block is not signed' };
  }
  if (ordererMsps === undefined) {
    return { status: 'FAILED', reason: 'no channel config seen yet, so no orderer organisation is known' };
  }
  const signers: string[] = [];
  for (const signature of block.signatures) {
    const fault = signatureFault(signature, ordererMsps);
    if (fault !== undefined) {
      return { status: 'FAILED', reason: fault };
    }
    signers.push(`${signature.mspId}:${subjectCn(signature.certificate)}`);
  }
  return { status: 'OK', signers };
}

function signatureFault(signature: BlockSignature, ordererMsps: OrdererMsps): string | undefined {
  const anchors = Object.hasOwn(ordererMsps, signature.mspId) ? ordererMsps[signature.mspId] : undefined;
  if (anchors === undefined) {
    return `signed by ${signature.mspId}, which is not an orderer organisation of the channel`;
  }
  let certificate: X509Certificate;
  try {
    certificate = parseCertificate(signature.certificate);
  } catch {
    return `the signer's certificate (${signature.mspId}) does not parse`;
  }
  if (!chainsToRoot(certificate, anchors)) {
    return `the signer's certificate was not issued by ${signature.mspId}'s root CA`;
  }
  let valid = false;
  try {
    valid = verify('sha256', signature.signedBytes, certificate.publicKey, signature.signature);
  } catch {
    valid = false;
  }
  return valid ? undefined : `the signature by ${signature.mspId} does not verify over this block's header and metadata`;
}

const certificates = new Map<string, X509Certificate>();
const chainVerdicts = new Map<string, boolean>();

function parseCertificate(bytes: Uint8Array | string): X509Certificate {
  const key = typeof bytes === 'string' ? bytes : createHash('sha256').update(bytes).digest('hex');
  let certificate = certificates.get(key);
  if (certificate === undefined) {
    certificate = new X509Certificate(bytes);
    certificates.set(key, certificate);
  }
  return certificate;
}

/** Directly under a root, or under an intermediate that is directly under a root (Fabric CA's two layouts). */
function chainsToRoot(certificate: X509Certificate, anchors: MspAnchors): boolean {
  const cacheKey = `${certificate.fingerprint256}|${anchors.rootCerts.join('|')}|${anchors.intermediateCerts.join('|')}`;
  const cached = chainVerdicts.get(cacheKey);
  if (cached !== undefined) {
    return cached;
  }
  const roots = parseAll(anchors.rootCerts);
  const intermediates = parseAll(anchors.intermediateCerts);
  const issuedBy = (child: X509Certificate, parent: X509Certificate): boolean =>
    child.checkIssued(parent) && child.verify(parent.publicKey);
  const verdict =
    roots.some((root) => issuedBy(certificate, root)) ||
    intermediates.some((mid) => issuedBy(certificate, mid) && roots.some((root) => issuedBy(mid, root)));
  chainVerdicts.set(cacheKey, verdict);
  return verdict;
}

function parseAll(pems: readonly string[]): X509Certificate[] {
  const parsed: X509Certificate[] = [];
  for (const pem of pems) {
    try {
      parsed.push(parseCertificate(pem));
    } catch {
      // An anchor that does not parse anchors nothing.
    }
  }
  return parsed;
}

function subjectCn(bytes: Uint8Array): string {
  try {
    const subject = parseCertificate(bytes).subject;
    return /(?:^|\n)CN=([^\n]*)/.exec(subject)?.[1] ?? subject;
  } catch {
    return '?';
  }
}
