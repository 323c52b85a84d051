/**
 * What a citizen can check during an `after-close` poll, when the bundle is embargoed: the observer's signed
 * inclusion statement ("transaction T is VALID in block N, header hash H"). The page checks, from the pinned genesis:
 * the statement is about this receipt; its signer names an observer organisation (ObserverMSP or WatchdogMSP); the
 * channel config in force at block N, followed from genesis through the config blocks (core/config-chain); that
 * block N's header hashes to H and carries the orderers' signatures under that config; and that the signer's
 * certificate is a valid identity of that observer's MSP there (issued by its CA, one NodeOU role, as the verifier
 * judges endorsers) whose low-S signature over the statement's canonical JSON verifies.
 */
import { Orgs } from '@poll-ledger/protocol';
import { fromBase64, utf8 } from '../core/bytes';
import { canonicalJson } from '../core/canonical';
import { type BlockSource, configAtBlock } from '../core/config-chain';
import { type CryptoProvider, defaultProvider } from '../core/crypto';
import { SignatureVerifier, checkIdentity } from '../core/msp';
import type { InclusionStatement, ObserverSignature, Receipt } from '../wire';
import { type SafeHtml, html } from './html';

/** One thing the page checked about the statement, for the list it shows. */
export interface AttestationFact {
  readonly title: string;
  readonly ok: boolean;
  readonly text: string;
}

export interface SignatureCheck {
  /** True only when every check passed. */
  readonly ok: boolean;
  /** The first failure, or what was verified. */
  readonly detail: string;
  readonly facts: readonly AttestationFact[];
}

export interface StatementCheckOptions {
  readonly genesisHash: string;
  /** The blocks, from the service that signed the statement (nothing it sends is trusted). */
  readonly blocks: BlockSource;
  readonly crypto?: CryptoProvider;
}

const OBSERVERS: readonly string[] = Orgs.observers;

function refused(detail: string, facts: readonly AttestationFact[], title: string): SignatureCheck {
  return { ok: false, detail, facts: [...facts, { title, ok: false, text: detail }] };
}

/** Checks the observer's signature on `statement` against its MSP in the config derived from the pinned genesis. */
export async function verifyObserverSignature(statement: InclusionStatement, signer: ObserverSignature, options: StatementCheckOptions): Promise<SignatureCheck> {
  const facts: AttestationFact[] = [];
  if (!OBSERVERS.includes(signer.mspId)) {
    return refused(`${signer.mspId} is not an observer organisation (${OBSERVERS.join(' or ')})`, facts, 'Signer is an observer');
  }
  facts.push({ title: 'Signer is an observer', ok: true, text: `${signer.mspId} is one of the observer organisations` });
  const verifier = new SignatureVerifier(options.crypto ?? defaultProvider());
  const n = statement.blockNumber;
  const derived = await configAtBlock(n, options.genesisHash, options.blocks, verifier);
  if (!derived.ok) return refused(`block ${n} cannot be checked from the pinned genesis: ${derived.problem}`, facts, `Block ${n}`);
  if (derived.headerHash !== statement.blockHash) {
    return refused(`block ${n}'s header hashes to ${derived.headerHash}, not to the statement's ${statement.blockHash}`, facts, `Block ${n}`);
  }
  const configs = derived.configBlocks.length === 1 ? 'the genesis config' : `the config of blocks ${derived.configBlocks.join(', ')}`;
  facts.push({ title: `Block ${n}`, ok: true, text: `its header hash is the statement's, signed by ${derived.signers.join(', ') || 'its orderers'} under ${configs}, followed from the pinned genesis` });
  const msp = derived.config.msps.get(signer.mspId);
  if (msp === undefined) return refused(`${signer.mspId} is not an organisation of the channel config in force at block ${n}`, facts, `Certificate issued by ${signer.mspId}'s CA`);
  let signature: Uint8Array;
  try {
    signature = fromBase64(signer.signature);
  } catch {
    return refused('the signature is not base64', facts, 'Signature');
  }
  const issuedBy = `Certificate issued by ${signer.mspId}'s CA`;
  const identity = await checkIdentity(msp, utf8(signer.certificate), verifier.crypto);
  if (!identity.valid || identity.certificate === undefined) return refused(identity.problem ?? "the signer's certificate cannot be read", facts, issuedBy);
  const who = `${identity.certificate.commonName} (${identity.role ?? (identity.admin ? 'admin' : 'member')} of ${signer.mspId})`;
  facts.push({ title: issuedBy, ok: true, text: `${who}: a valid identity of ${signer.mspId} in the channel config at block ${n}` });
  if (!(await verifier.verify(identity.certificate, utf8(canonicalJson(statement)), signature))) {
    return refused(`the signature by ${who} does not verify over this statement`, facts, 'Signature');
  }
  facts.push({ title: 'Signature', ok: true, text: 'verifies over this statement (ECDSA P-256, low S)' });
  return { ok: true, detail: `${who} signed it, and block ${n}'s header is the one it names`, facts };
}

/** Differences between the statement and the receipt it is meant to answer (the position only when the receipt has one). */
export function statementMismatches(receipt: Receipt, statement: InclusionStatement): string[] {
  const fields = ['pollId', 'ballotId', 'txId', ...(receipt.position === undefined ? [] : ['position'] as const)] as const;
  const named = (value: string | number | undefined): string => (value === undefined ? 'none' : String(value));
  return fields.filter((f) => statement[f] !== receipt[f]).map((f) => `the statement names ${f} ${named(statement[f])}, your receipt ${named(receipt[f])}`);
}

const placeOf = (statement: InclusionStatement): string =>
  `transaction ${statement.txIndex}${statement.position === undefined ? '' : `, ballot position ${statement.position}`}`;

export interface AttestationOutcome {
  /** True only if the statement is about this receipt, says VALID, and its signature verifies. */
  readonly ok: boolean;
  readonly sentence: string;
}

export function attestationOutcome(receipt: Receipt, statement: InclusionStatement, signature: Pick<SignatureCheck, 'ok' | 'detail'>): AttestationOutcome {
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
      `(${placeOf(statement)}, block header hash ${statement.blockHash}). This poll's ballots stay sealed until it ` +
      `closes; then this page can prove that your ballot is exactly as cast and counted.`,
  };
}

export function attestationView(statement: InclusionStatement, signer: ObserverSignature, signature: SignatureCheck): SafeHtml {
  return html`<h3>The observer's signed statement</h3>
<dl class="facts">
<dt>Signed by</dt><dd>${signer.mspId}</dd>
${signature.facts.map((f) => html`<dt>${f.title}</dt><dd>${f.ok ? '✔' : '✘'} ${f.text}</dd>`)}
<dt>Transaction</dt><dd><code>${statement.txId}</code></dd>
<dt>Block</dt><dd>${statement.blockNumber}, ${placeOf(statement)}</dd>
<dt>Block header hash</dt><dd><code>${statement.blockHash}</code></dd>
<dt>Validation</dt><dd>${statement.validationCode}</dd>
<dt>Observed at</dt><dd>${statement.observedAt}</dd>
</dl>`;
}
