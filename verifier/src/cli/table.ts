/** The report as a person reads it: one line per step, then every failure, then the notes. */
import { STEP_TITLES, type VerificationReport } from '../core/report';

export function renderReport(report: VerificationReport): string {
  const lines: string[] = [];
  const width = Math.max(...report.steps.map((s) => STEP_TITLES[s.name].length));
  lines.push(`poll-ledger-verify: channel ${report.channel}, height ${report.height}, genesis pinned to ${report.genesisHash}`, '');
  for (const step of report.steps) {
    lines.push(`${step.ok ? '✔' : '✘'} ${STEP_TITLES[step.name].padEnd(width)}  ${String(step.checked).padStart(7)}  ${step.summary}`);
  }
  const failures = report.steps.flatMap((s) => s.failures);
  if (failures.length > 0) {
    lines.push('', 'Failures:');
    for (const f of failures) lines.push(`  ✘ [${f.step}]${f.blockNumber === undefined ? '' : ` block ${f.blockNumber}`} ${f.message}`);
  }
  const notes = report.steps.flatMap((s) => s.notes.map((n) => `[${s.name}] ${n}`));
  if (notes.length > 0) {
    lines.push('', 'Notes:');
    for (const n of notes) lines.push(`  · ${n}`);
  }
  const { blocks, transactions, signaturesChecked, millis } = report.stats;
  const rate = millis > 0 ? ` (${Math.round((transactions * 1000) / millis).toLocaleString('en-US')} tx/s)` : '';
  lines.push('', `${blocks} blocks, ${transactions} transactions, ${signaturesChecked} signatures checked in ${(millis / 1000).toFixed(2)} s${rate}`);
  lines.push(report.ok ? 'VERIFIED' : 'NOT VERIFIED');
  return `${lines.join('\n')}\n`;
}
