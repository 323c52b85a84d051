/**
 * verify.html: a citizen checks their receipt. The browser fetches the poll's bundle from the observer and runs the
 * verifier itself; the service's own receipt answer is used only while the bundle is embargoed, and then only as a
 * signed statement the page checks against the observer's MSP in the config it derives from the pinned genesis.
 */
import type { Receipt } from '../../wire';
import { ServiceClient, ServiceRequestError } from '../api';
import { attestationOutcome, attestationView, verifyObserverSignature } from '../attestation';
import { byId, errorMessage, show } from '../dom';
import { html } from '../html';
import { RECEIPT_FIELDS, receiptFromFields, receiptFromLocation, receiptFromText, receiptLink } from '../receipt-input';
import { verdictView } from '../steps-view';
import { receiptVerdict } from '../verdict';
import { mountPinnedGenesis, type PinnedGenesis, runVerification } from './common';

const api = new ServiceClient();

function fillFields(receipt: Receipt): void {
  for (const name of RECEIPT_FIELDS) {
    byId(`receipt-${name}`, HTMLInputElement).value = String(receipt[name] ?? '');
  }
}

function readFields(): Record<string, string> {
  return Object.fromEntries(RECEIPT_FIELDS.map((name) => [name, byId(`receipt-${name}`, HTMLInputElement).value]));
}

/** During an after-close poll: the observer's signed inclusion statement, checked here, instead of the proof. */
async function showEmbargoed(receipt: Receipt, genesisHash: string, out: HTMLElement): Promise<boolean> {
  const status = await api.receiptStatus(receipt);
  if (!status.found) {
    show(out, verdictView({ verified: false, sentence: 'NOT verified: the observer has no transaction with this receipt’s id for this ballot.' }));
    return false;
  }
  const { statement, signer } = status.attestation;
  show(out, html`<p class="progress" role="status">Checking the observer's statement from the pinned genesis…</p>`);
  const signature = await verifyObserverSignature(statement, signer, { genesisHash, blocks: api });
  const outcome = attestationOutcome(receipt, statement, signature);
  show(
    out,
    html`<p class="embargo">This poll shows its results only after it closes, so its ballots are sealed until then: the full
proof (your ballot exactly as cast, and counted) follows after close. What can be checked now:</p>
${attestationView(statement, signer, signature)}
<p class="verdict ${outcome.ok ? 'partial' : 'fail'}" role="status">${outcome.sentence}</p>`,
  );
  return outcome.ok;
}

async function verify(receipt: Receipt, genesis: PinnedGenesis): Promise<void> {
  const out = byId('result');
  const started = performance.now();
  await genesis.ready;
  const genesisHash = genesis.current();
  if (genesisHash === undefined) {
    show(out, verdictView({ verified: false, sentence: 'NOT verified: enter the pinned genesis hash (64 hex digits) first.' }));
    return;
  }
  byId('receipt-link', HTMLAnchorElement).href = receiptLink(location.href, receipt);
  byId('receipt-link-line').hidden = false;
  const stepsOut = document.createElement('div');
  const verdictOut = document.createElement('div');
  out.replaceChildren(stepsOut, verdictOut);
  out.dataset.state = 'running';
  try {
    const report = await runVerification(stepsOut, () => api.pollBundle(receipt.pollId), { genesisHash, pollId: receipt.pollId, receipt });
    const verdict = receiptVerdict(report, receipt);
    show(verdictOut, verdictView(verdict));
    out.dataset.state = verdict.verified ? 'verified' : 'not-verified';
  } catch (error) {
    if (error instanceof ServiceRequestError && error.code === 'EMBARGOED') {
      const ok = await showEmbargoed(receipt, genesisHash, stepsOut).catch((e: unknown) => {
        show(stepsOut, verdictView({ verified: false, sentence: `NOT verified: the observer's statement could not be fetched (${errorMessage(e)}).` }));
        return false;
      });
      out.dataset.state = ok ? 'partial' : 'not-verified';
    } else {
      const reason = error instanceof ServiceRequestError && error.code === 'NOT_FOUND' ? `the observer knows no poll ${receipt.pollId}.` : `the ledger data could not be checked (${errorMessage(error)}).`;
      show(verdictOut, verdictView({ verified: false, sentence: `NOT verified: ${reason}` }));
      out.dataset.state = 'not-verified';
    }
  }
  // From the click (or the page load, for a receipt link) to the verdict: what a citizen waits.
  out.dataset.millis = String(Math.round(performance.now() - started));
}

export function verifyPage(): void {
  const genesis = mountPinnedGenesis(2);
  const error = byId('receipt-error');
  const paste = byId('receipt-paste', HTMLTextAreaElement);
  paste.addEventListener('input', () => {
    const parsed = receiptFromText(paste.value);
    error.textContent = parsed.ok ? '' : parsed.error;
    if (parsed.ok) {
      fillFields(parsed.receipt);
    }
  });
  byId('receipt-form', HTMLFormElement).addEventListener('submit', (event) => {
    event.preventDefault();
    const parsed = receiptFromFields(readFields());
    error.textContent = parsed.ok ? '' : parsed.error;
    if (parsed.ok) {
      void verify(parsed.receipt, genesis);
    }
  });
  const fromLink = receiptFromLocation(location);
  if (fromLink?.ok === true) {
    fillFields(fromLink.receipt);
    void verify(fromLink.receipt, genesis);
  } else if (fromLink !== undefined) {
    error.textContent = fromLink.error;
  }
}
