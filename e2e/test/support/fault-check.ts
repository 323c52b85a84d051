/**
 * After a fault scenario: the ledger held to what the platform was told. Every citizen that got a receipt has exactly
 * one counted ballot whose hash matches it, no citizen has two (the poll's final count is the number of citizens with
 * a ballot),
 * nobody is left unsettled, the poll is tallied and the observer's auditor passes for it (auditVerdictOf). The figures are printed as one
 * row per scenario.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHmac } from 'node:crypto';
import { pinnedGenesisHash, runAudit } from './audit';
import { z } from 'zod';
import { runDir } from './network';
import type { CitizenOutcome } from './platform-client';

export interface LedgerReader {
  /** GET with the auditor's or admin's key; resolves with status and JSON body. */
  get(url: string): Promise<{ status: number; body: Record<string, unknown> }>;
  post(url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

export interface FaultFigures {
  readonly scenario: string;
  readonly sent: number;
  readonly receipts: number;
  readonly refusals: number;
  readonly unsettled: number;
  readonly retries: number;
  readonly answered202: number;
  readonly onLedger: number;
  readonly duplicates: number;
  readonly lost: number;
  /** Citizens whose request gave up unsettled, but whose ballot is on the ledger (counted once). */
  readonly late: number;
  /** Fault → the first receipt of a citizen who started after it. */
  readonly recoverMs: number | undefined;
  readonly auditVerdict: string;
  /** Human-readable problems; empty when the ledger holds exactly what was receipted. */
  readonly problems: readonly string[];
}

/** Closes and tallies the poll, then checks every receipt against the ledger and runs the auditor. */
export async function checkAfterFault(
  scenario: string,
  pollId: string,
  outcomes: readonly CitizenOutcome[],
  faultAt: number,
  ledger: LedgerReader,
): Promise<FaultFigures> {
  const problems: string[] = [];
  const receipted = outcomes.filter((o) => o.receipt !== undefined);
  for (const outcome of outcomes) {
    if (outcome.receipt === undefined && outcome.refusal === undefined) problems.push(`${outcome.citizenId} never settled`);
    if (outcome.refusal !== undefined) problems.push(`${outcome.citizenId} was refused (${outcome.refusal})`);
  }
  // Every citizen's ballot, by the voter token the gateway derives (the same secret, from the run directory).
  const secret = fs.readFileSync(path.join(runDir, 'voter-token-secret'), 'utf8');
  let lost = 0;
  let late = 0;
  let citizensOnLedger = 0;
  for (const { citizenId, receipt } of outcomes) {
    const token = createHmac('sha256', secret).update(`${pollId}\u0000${citizenId}`, 'utf8').digest('hex');
    const ballot = await ledger.get(`/v1/polls/${pollId}/ballots/${token}`);
    const present = ballot.status === 200;
    if (present) citizensOnLedger++;
    if (!receipt) {
      if (present) late++;
      continue;
    }
    if (receipt.ballotId !== token || !present || ballot.body.ballotHash !== receipt.ballotHash) {
      lost++;
      problems.push(`${citizenId}: receipt ${receipt.txId} but the ledger has ${present ? `hash ${String(ballot.body.ballotHash)}` : `HTTP ${String(ballot.status)}`}`);
    }
  }

  for (const step of ['close', 'tally'] as const) {
    const res = await ledger.post(`/v1/polls/${pollId}/${step}`, step === 'tally' ? {} : undefined);
    if (res.status !== 200) problems.push(`${step}: HTTP ${String(res.status)} ${JSON.stringify(res.body)}`);
  }
  const results = await ledger.get(`/v1/polls/${pollId}/results`);
  const onLedger = Number(results.body.ballotCount);
  if (results.body.final !== true) problems.push('the tally did not finish');
  // One key per voter token: a ballot counted that is no citizen's own would be a second one.
  const duplicates = onLedger - citizensOnLedger;
  if (duplicates !== 0) problems.push(`the ledger counts ${String(onLedger)} ballots for ${String(citizensOnLedger)} citizens with a ballot`);

  const auditVerdict = await auditVerdictOf(pollId);
  if (auditVerdict !== 'PASS') problems.push(`the auditor says ${auditVerdict}`);
  const verdictWord = auditVerdict.split(' ')[0] ?? auditVerdict;

  const recovered = receipted.filter((o) => o.startedAt > faultAt).map((o) => o.settledAt ?? Infinity);
  const firstAfter = recovered.length > 0 ? Math.min(...recovered) : undefined;
  return {
    scenario,
    sent: outcomes.length,
    receipts: receipted.length,
    refusals: outcomes.filter((o) => o.refusal !== undefined).length,
    unsettled: outcomes.filter((o) => o.receipt === undefined && o.refusal === undefined).length,
    retries: outcomes.reduce((sum, o) => sum + o.attempts - 1, 0),
    answered202: outcomes.reduce((sum, o) => sum + o.retriedOn.filter((r) => r === '202').length, 0),
    onLedger,
    duplicates,
    lost,
    late,
    recoverMs: firstAfter === undefined || !Number.isFinite(firstAfter) ? undefined : firstAfter - faultAt,
    auditVerdict: verdictWord,
    problems,
  };
}

/**
 * The parts of the auditor's JSON report read here (audit/src/report.ts), checked on reading. The report covers the
 * whole channel, and earlier e2e tests leave polls the auditor must flag (60-time's backdated ballot): a scenario
 * passes the audit when the channel itself is sound and its own poll MATCHes.
 */
const AuditReportSchema = z.object({
  verdict: z.enum(['PASS', 'FAIL']),
  reasons: z.array(z.string()),
  genesis: z.object({ status: z.string() }),
  chain: z.object({ status: z.string() }),
  signatures: z.object({ status: z.string() }),
  ruleChanges: z.array(z.object({ verdict: z.string() })),
  polls: z.array(
    z.object({
      pollId: z.string(),
      verdict: z.string(),
      checks: z.array(z.object({ field: z.string(), onLedger: z.string(), recomputed: z.string(), verdict: z.string() })),
    }),
  ),
});

/** The observer's auditor over the whole ledger from the pinned genesis, judged for POLL_ID: PASS, or why not. */
async function auditVerdictOf(pollId: string): Promise<string> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fault-audit-'));
  try {
    const genesisHash = await pinnedGenesisHash(work);
    const json = path.join(work, 'report.json');
    const run = await runAudit(['--quiet', '--genesis-hash', genesisHash, '--json', json]);
    if (!fs.existsSync(json)) return `no report (exit ${String(run.code)}): ${run.stderr.slice(0, 300)}`;
    const report = AuditReportSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
    const poll = report.polls.find((p) => p.pollId === pollId);
    const problems = [
      ...(report.genesis.status === 'MATCH' ? [] : [`genesis ${report.genesis.status}`]),
      ...(report.chain.status === 'OK' ? [] : [`chain ${report.chain.status}`]),
      ...(report.signatures.status === 'OK' ? [] : [`orderer signatures ${report.signatures.status}`]),
      ...report.ruleChanges.filter((c) => c.verdict === 'FAILED').map(() => 'a rule change FAILED'),
      ...(poll === undefined ? [`poll ${pollId} not in the report`] : []),
      ...(poll !== undefined && poll.verdict !== 'MATCH'
        ? [`poll ${pollId} ${poll.verdict}: ${poll.checks.filter((c) => c.verdict === 'MISMATCH').map((c) => `${c.field} ledger=${c.onLedger} recomputed=${c.recomputed}`).join(', ')}`]
        : []),
    ];
    return problems.length === 0 ? 'PASS' : `FAIL (${problems.join('; ')}; the whole report: ${report.verdict} ${report.reasons.join('; ')})`;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const seconds = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** One table of every scenario's figures, as the fault suite prints it. */
export function faultTable(rows: readonly FaultFigures[]): string {
  const header = ['scenario', 'sent', '201/200', 'refused', 'unsettled', 'retries', '202s', 'on ledger', 'duplicates', 'lost', 'late', 'recover', 'audit'];
  const lines = rows.map((r) => [
    r.scenario,
    String(r.sent),
    String(r.receipts),
    String(r.refusals),
    String(r.unsettled),
    String(r.retries),
    String(r.answered202),
    String(r.onLedger),
    String(r.duplicates),
    String(r.lost),
    String(r.late),
    seconds(r.recoverMs),
    r.auditVerdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n');
}
