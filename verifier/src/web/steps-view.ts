/** The verifier's report as markup: one item per step (title, ✔/✘, summary, failures, notes), then the verdict. */
import { STEP_TITLES, type Finding, type Progress, type StepResult, type VerificationReport } from '../core/report';
import { type SafeHtml, formatNumber, html } from './html';
import type { Verdict } from './verdict';

/** Findings shown per step; the rest are counted, since a tampered chain can yield thousands. */
export const MAX_FINDINGS_SHOWN = 20;

function findingView(f: Finding): SafeHtml {
  const where = [
    f.blockNumber === undefined ? '' : `block ${f.blockNumber}`,
    f.txId === undefined ? '' : `tx ${f.txId}`,
  ].filter((s) => s !== '');
  return html`<li>${f.message}${where.length > 0 ? html` <span class="where">(${where.join(', ')})</span>` : ''}</li>`;
}

export function stepView(step: StepResult): SafeHtml {
  const shown = step.failures.slice(0, MAX_FINDINGS_SHOWN);
  const more = step.failures.length - shown.length;
  return html`<li class="step ${step.ok ? 'ok' : 'fail'}" data-step="${step.name}">
<span class="mark" aria-hidden="true">${step.ok ? '✔' : '✘'}</span>
<span class="visually-hidden">${step.ok ? 'Passed:' : 'Failed:'}</span>
<strong class="title">${STEP_TITLES[step.name]}</strong>
<span class="summary">${step.summary}</span>
${shown.length > 0 ? html`<ul class="failures">${shown.map(findingView)}${more > 0 ? html`<li>… and ${formatNumber(more)} more</li>` : ''}</ul>` : ''}
${step.notes.length > 0 ? html`<ul class="notes">${step.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
</li>`;
}

export function stepsView(report: VerificationReport): SafeHtml {
  const s = report.stats;
  return html`<ol class="steps">${report.steps.map(stepView)}</ol>
<p class="stats">Checked ${formatNumber(s.blocks)} blocks, ${formatNumber(s.transactions)} transactions and
${formatNumber(s.signaturesChecked)} signatures in ${formatNumber(Math.round(s.millis))} ms, from genesis
<code>${report.genesisHash}</code>.</p>
${report.flagMismatches.length > 0 ? flagMismatchView(report) : ''}`;
}

function flagMismatchView(report: VerificationReport): SafeHtml {
  return html`<div class="flags"><h3>Validation flags that differ from the re-derived validity</h3>
<ul>${report.flagMismatches.slice(0, MAX_FINDINGS_SHOWN).map(
    (m) => html`<li>block ${m.blockNumber}, tx ${m.txIndex} (<code>${m.txId}</code>): ledger says ${m.onLedger}, re-derived ${m.derived}</li>`,
  )}</ul></div>`;
}

export function verdictView(verdict: Verdict): SafeHtml {
  return html`<p class="verdict ${verdict.verified ? 'ok' : 'fail'}" role="status">
<span class="mark" aria-hidden="true">${verdict.verified ? '✔' : '✘'}</span> ${verdict.sentence}</p>`;
}

/** One line while the verifier runs: which step, and how far. */
export function progressText(p: Progress): string {
  const of = p.total > 0 ? ` ${formatNumber(p.done)} of ${formatNumber(p.total)}` : '';
  return `Checking: ${STEP_TITLES[p.step]}…${of}`;
}
