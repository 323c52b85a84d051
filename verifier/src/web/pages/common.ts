/** What the verifying pages share: the pinned genesis field and a verification run shown step by step. */
import type { Progress, VerificationReport } from '../../core/report';
import type { Receipt } from '../../wire';
import { byId, nextFrame, setText, show } from '../dom';
import { verifyBundleJson } from '../engine';
import { GENESIS_FILE, genesisFromText, genesisSectionView, genesisSourceText, normalizeGenesis } from '../genesis';
import { html } from '../html';
import { progressText, stepsView } from '../steps-view';

export interface PinnedGenesis {
  /** The hash in the field, or undefined (with the field marked invalid) when it is not 64 hex digits. */
  current(): string | undefined;
  /** Resolves once the published hash has been fetched (or found missing). */
  readonly ready: Promise<void>;
}

/** Renders the genesis section into #pin and pre-fills it from the observer's published file. */
export function mountPinnedGenesis(headingLevel: 2 | 3): PinnedGenesis {
  show(byId('pin'), genesisSectionView(headingLevel));
  const input = byId('genesis', HTMLInputElement);
  const source = byId('genesis-source');
  const ready = fetch(GENESIS_FILE, { cache: 'no-cache' })
    .then(async (r) => (r.ok ? genesisFromText(await r.text()) : undefined))
    .catch(() => undefined)
    .then((published) => {
      if (published !== undefined && input.value === '') {
        input.value = published;
      }
      setText(source, genesisSourceText(published));
    });
  return {
    ready,
    current() {
      const hash = normalizeGenesis(input.value);
      input.setAttribute('aria-invalid', String(hash === undefined));
      return hash;
    },
  };
}

/** Progress is painted at most once a frame: the verifier reports far more often than a screen refreshes. */
function progressPainter(bar: HTMLProgressElement, text: HTMLElement): (p: Progress) => void {
  let latest: Progress | undefined;
  let scheduled = false;
  return (p) => {
    latest = p;
    if (scheduled) {
      return;
    }
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      if (latest !== undefined) {
        bar.max = Math.max(latest.total, 1);
        bar.value = latest.done;
        setText(text, progressText(latest));
      }
    });
  };
}

/**
 * Fetches the bundle with `load`, runs the verifier on it in this browser, and shows every step in `container`.
 * Throws what `load` or the verifier throws (a bundle the verifier cannot even parse): the caller explains it.
 */
export async function runVerification(
  container: HTMLElement,
  load: () => Promise<unknown>,
  options: { genesisHash: string; pollId: string; receipt?: Receipt },
): Promise<VerificationReport> {
  show(container, html`<p class="progress"><progress max="1"></progress> <span class="progress-text" role="status">Fetching the poll's ledger data…</span></p><div class="steps-out"></div>`);
  const bar = container.querySelector('progress') as HTMLProgressElement;
  const text = container.querySelector('.progress-text') as HTMLElement;
  const json = await load();
  setText(text, 'Verifying in your browser…');
  await nextFrame();
  const report = await verifyBundleJson(json, { ...options, onProgress: progressPainter(bar, text) });
  show(container, stepsView(report));
  return report;
}
