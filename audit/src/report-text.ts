import type { CheckRow, PollReport } from './compare';
import { type SignerInfo, describeSigner } from './identities';
import type { AuditReport } from './report';
import type { RuleChange } from './rule-changes';

/**
 * The report as text. Rule changes and warnings come first, before any poll: a change of the rules is what the city
 * administration would make to win a poll, so a reader must see it even when every count matches.
 */

const HASH_SHOWN = 16;
const CHANGES_SHOWN = 20;

export function renderReport(report: AuditReport, options: { readonly quiet?: boolean } = {}): string {
  const lines: string[] = [];
  const hash = (h: string | null): string => (h === null ? '—' : `${h.slice(0, HASH_SHOWN)}…`);
  lines.push(`poll-ledger-audit: channel ${report.channel}, chaincode ${report.chaincode}`);
  lines.push(...renderRuleChanges(report.ruleChanges));
  for (const warning of report.warnings) {
    lines.push(`WARNING            ${warning}`);
  }
  lines.push(`source             ${report.run.source}`);
  const range = report.ledger.lastBlock === null ? 'none' : `0..${report.ledger.lastBlock}`;
  lines.push(`blocks read        ${report.ledger.blocksRead} (blocks ${range}; ${report.run.blocksThisRun} this run, ${report.run.blocksPerSecond.toFixed(0)} blocks/s, ${report.run.ballotsPerSecond.toFixed(0)} ballots/s)`);
  const codes = Object.entries(report.transactions.byValidationCode).map(([code, n]) => `${code} ${n}`);
  lines.push(`transactions       ${report.transactions.total}${codes.length > 0 ? `: ${codes.join(', ')}` : ''}`);
  const genesis = report.genesis;
  if (genesis.pinned !== null) {
    lines.push(`genesis            pinned to ${hash(genesis.pinned)}: ${genesis.status}`);
  }
  const chain = report.chain;
  lines.push(
    chain.status === 'OK'
      ? `hash chain         OK (genesis ${hash(report.ledger.genesisHash)}, head block ${report.ledger.lastBlock ?? '—'} ${hash(report.ledger.headHash)})`
      : `hash chain         BROKEN at block ${chain.firstBrokenBlock ?? '?'}`,
  );
  for (const b of chain.breaks.slice(0, 10)) {
    lines.push(`                     block ${b.block}: ${b.reason}`);
  }
  for (const t of report.trustedHashes) {
    lines.push(`trusted hash       block ${t.block} ${hash(t.hash)}: ${t.status}`);
  }
  const sig = report.signatures;
  const configs = `config blocks ${sig.configBlocks.join(', ') || '—'}`;
  lines.push(
    sig.status === 'OK'
      ? `orderer signatures OK (${sig.signedBlocks} signed blocks; signers ${sig.signers.join(', ') || '—'}; ${configs}; genesis unsigned)`
      : `orderer signatures FAILED on ${sig.failures.length} block(s) (${configs})`,
  );
  for (const f of sig.failures.slice(0, 10)) {
    lines.push(`                     block ${f.block}: ${f.reason}`);
  }
  for (const u of report.undecodableTransactions.slice(0, 10)) {
    lines.push(`undecodable tx     block ${u.block} tx ${u.tx} (${u.validationCode}): ${u.reason}`);
  }
  const s = report.summary;
  lines.push(`polls              ${s.polls}: ${s.match} MATCH, ${s.mismatch} MISMATCH, ${s.notTallied} NOT TALLIED`);
  for (const poll of report.polls) {
    if (options.quiet !== true || poll.verdict === 'MISMATCH' || poll.rulesChangedWhileOpen.length > 0) {
      lines.push('', ...renderPoll(poll));
    }
  }
  lines.push('', `verdict: ${report.verdict}${report.reasons.length > 0 ? ` (${report.reasons.join('; ')})` : ''}`);
  return `${lines.join('\n')}\n`;
}

function renderRuleChanges(changes: readonly RuleChange[]): string[] {
  if (changes.length === 0) {
    return ['rule changes       none after genesis'];
  }
  const count = (verdict: RuleChange['verdict']): number => changes.filter((c) => c.verdict === verdict).length;
  const lines = [`RULE CHANGES       ${changes.length}: ${count('FAILED')} FAILED, ${count('OK')} OK, ${count('INFO')} approval(s)`];
  for (const c of changes) {
    const tx = c.txId === '' ? '' : ` tx ${c.txId.slice(0, HASH_SHOWN)}…`;
    lines.push(`  block ${c.block}${tx} ${c.summary}: ${c.verdict}`);
    lines.push(...c.problems.map((p) => `    ! ${p}`));
    const signedAs = c.kind === 'config' ? 'signed by  ' : 'endorsed by';
    lines.push(`    ${signedAs} ${signers(c.signedBy)}`);
    if (c.submittedBy !== undefined) lines.push(`    submitted   ${describeSigner(c.submittedBy)}`);
    if (c.envelopeCreator !== undefined) lines.push(`    ordered by  ${describeSigner(c.envelopeCreator)}`);
    lines.push(...c.changes.slice(0, CHANGES_SHOWN).map((change) => `    ${change}`));
    if (c.changes.length > CHANGES_SHOWN) lines.push(`    … and ${c.changes.length - CHANGES_SHOWN} more`);
    if (c.openPolls.length > 0) lines.push(`    open polls  ${c.openPolls.join(', ')}`);
  }
  return lines;
}

function signers(list: readonly SignerInfo[]): string {
  return list.length === 0 ? 'nobody' : list.map(describeSigner).join('; ');
}

function renderPoll(poll: PollReport): string[] {
  const title = poll.title === undefined ? '' : ` "${poll.title}"`;
  const meta = [poll.status, poll.revotePolicy === undefined ? undefined : `re-vote ${poll.revotePolicy}`]
    .filter((x) => x !== undefined)
    .join(', ');
  const lines = [
    `poll ${poll.pollId}${title}${meta === '' ? '' : ` (${meta})`}: ${poll.verdict.replace('_', ' ')}`,
    `  ballots: ${poll.ballots.counted} counted, ${poll.ballots.writes} valid writes, ${poll.ballots.replaced} replaced by a re-vote`,
  ];
  for (const c of poll.rulesChangedWhileOpen) {
    lines.push(`  RULES CHANGED WHILE OPEN: block ${c.block} ${c.summary} (${c.verdict})`);
  }
  lines.push(...table(poll.checks).map((l) => `  ${l}`));
  for (const problem of poll.problems) {
    lines.push(`  ! ${problem}`);
  }
  if (poll.problemCount > poll.problems.length) {
    lines.push(`  ! … and ${poll.problemCount - poll.problems.length} more`);
  }
  return lines;
}

function table(rows: readonly CheckRow[]): string[] {
  const shorten = (v: string): string => (/^[0-9a-f]{64}$/.test(v) ? `${v.slice(0, HASH_SHOWN)}…` : v);
  const cells = [
    ['field', 'on-ledger', 'recomputed', ''],
    ...rows.map((r) => [r.field, shorten(r.onLedger), shorten(r.recomputed), r.verdict === 'INFO' ? '' : r.verdict]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  return cells.map((c) =>
    c
      .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell))
      .join('  ')
      .trimEnd(),
  );
}
