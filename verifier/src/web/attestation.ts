/**
 * What a citizen can check during an `after-close` poll, when the bundle is embargoed: the observer's signed
 * inclusion statement ("transaction T is VALID in block N, header hash H"). The page checks that the statement is
 * about this receipt and that its signature verifies against the certificate it names.
 *
 * TODO(core): check that `signer.certificate` chains to `signer.mspId`'s root CA in the channel config in force,
 * derived from the pinned genesis (the whole-chain bundle's config blocks are never withheld). That needs the core's
 * config derivation; until it exposes a helper, the page says plainly that this is not checked.
 */
import { defaultProvider } from '../core/crypto';
import { fromBase64, utf8 } from '../core/bytes';
import { parseCertificate } from '../core/x509';
import type { InclusionStatement, ObserverSignature, Receipt } from '../wire';
import { type SafeHtml, html } from './html';
import { canonicalJson } from '../core/canonical';

export interface SignatureCheck {
  readonly ok: boolean;
  readonly detail: string;
}

function certificateDer(pem: string): Uint8Array | undefined {
  const body = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem)?.[1];
  return body === undefined ? undefined : fromBase64(body.replace(/\s+/g, ''));
}

/**
 * ECDSA P-256 over SHA-256 of the statement's canonical JSON, DER signature, key from the signer's certificate, with
 * the core's crypto (WebCrypto, or @noble where there is none) and certificate parser.
 */
export async function verifyObserverSignature(statement: InclusionStatement, signer: ObserverSignature): Promise<SignatureCheck> {
  const der = certificateDer(signer.certificate);
  const certificate = der === undefined ? undefined : parseCertificate(der);
  if (certificate === undefined) {
    return { ok: false, detail: "the signer's certificate cannot be read" };
  }
  const ok = await defaultProvider().verifyP256(certificate.spki, utf8(canonicalJson(statement)), fromBase64(signer.signature));
  return ok
    ? { ok: true, detail: `the signature verifies against the certificate ${signer.mspId} signed with` }
    : { ok: false, detail: 'the signature does not verify against the certificate it names' };
}

/** Differences between the statement and the receipt it is meant to answer. */
export function statementMismatches(receipt: Receipt, statement: InclusionStatement): string[] {
  const fields = ['pollId', 'ballotId', 'txId'] as const;
  return fields.filter((f) => statement[f] !== receipt[f]).map((f) => `the statement names ${f} ${statement[f]}, your receipt ${receipt[f]}`);
}

export interface AttestationOutcome {
  /** True only if the statement is about this receipt, says VALID, and its signature verifies. */
  readonly ok: boolean;
  readonly sentence: string;
}

export function attestationOutcome(receipt: Receipt, statement: InclusionStatement, signature: SignatureCheck): AttestationOutcome {
  const mismatches = statementMismatches(receipt, statement);
  if (mismatches.length > 0) {
    return { ok: false, sentence: `NOT verified: the observer's statement is not about your receipt (${mismatches.join('; ')}).` };
  }
  if (!signature.ok) {
    return { ok: false, sentence: `NOT verified: ${signature.detail}.` };
  }
  if (statement.validationCode !== 'VALID') {
    return { ok: false, sentence: `NOT verified: the observer says your transaction is in block ${statement.blockNumber} but ${statement.validationCode}, not VALID.` };
  }
  return {
    ok: true,
    sentence:
      `Partly verified, for now: the observer signed that your transaction is VALID in block ${statement.blockNumber} ` +
      `(position ${statement.txIndex}, block header hash ${statement.blockHash}). This poll's ballots stay sealed until it ` +
      `closes; then this page can prove that your ballot is exactly as cast and counted.`,
  };
}

export function attestationView(statement: InclusionStatement, signer: ObserverSignature, signature: SignatureCheck): SafeHtml {
  return html`<h3>The observer's signed statement</h3>
<dl class="facts">
<dt>Signed by</dt><dd>${signer.mspId} (${signature.ok ? '✔' : '✘'} ${signature.detail})</dd>
<dt>Certificate issued by ${signer.mspId}'s CA</dt><dd>not checked in the browser yet: this rests on the certificate being the observer’s</dd>
<dt>Transaction</dt><dd><code>${statement.txId}</code></dd>
<dt>Block</dt><dd>${statement.blockNumber}, position ${statement.txIndex}</dd>
<dt>Block header hash</dt><dd><code>${statement.blockHash}</code></dd>
<dt>Validation</dt><dd>${statement.validationCode}</dd>
<dt>Observed at</dt><dd>${statement.observedAt}</dd>
</dl>`;
}
