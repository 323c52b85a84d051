/**
 * Per-operation samples and the Caliper-style figures derived from them. An operation is one transaction; it carries
 * `perOp` ballots (more than one for a CastBallots client), and the counts and rates are in ballots.
 */

/** One transaction as the load generator saw it. Times are performance.now() milliseconds. */
export interface Sample {
  start: number;
  end: number;
  /** Committed and VALID, with the answer the caller wanted. */
  ok: boolean;
  /** On the ledger in a block, whatever its validation code. */
  committed: boolean;
  /** 'VALID', a Fabric validation code, an HTTP error code, or a client error. */
  code: string;
}

export interface PhaseRun {
  samples: Sample[];
  /** Most transactions in flight at once. */
  maxInFlight: number;
  /** In flight when the last one was sent: the backlog an open loop built up. */
  backlog: number;
  /** Still unanswered when the drain timed out; counted as failures ('UNFINISHED'). */
  unfinished: number;
}

export interface Summary {
  /** Ballots (or baseline writes) per operation: counts and rates below are multiplied by it. */
  perOp: number;
  total: number;
  succ: number;
  fail: number;
  sendRate: number;
  throughput: number;
  goodput: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  avg: number;
  failures: Map<string, number>;
  /** Transactions with a read conflict seen by the client, plus any the REST gateway retried away. */
  mvcc: number;
}

const MVCC_CODES = new Set(['MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT', 'LEDGER_CONFLICT']);

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? NaN;
}

/**
 * As Caliper computes them: send rate over the sending window, throughput and goodput
 * over first send to last answer, latency over the successful transactions only.
 */
export function summarize(run: PhaseRun, hiddenMvcc = 0, perOp = 1): Summary {
  const { samples } = run;
  const firstStart = Math.min(...samples.map((s) => s.start));
  const lastStart = Math.max(...samples.map((s) => s.start));
  const lastEnd = Math.max(...samples.map((s) => s.end));
  const spanS = (lastEnd - firstStart) / 1000;
  const sendSpanS = (lastStart - firstStart) / 1000;
  const ok = samples.filter((s) => s.ok);
  const latencies = ok.map((s) => s.end - s.start).sort((a, b) => a - b);
  const failures = new Map<string, number>();
  for (const s of samples) {
    if (!s.ok) failures.set(s.code, (failures.get(s.code) ?? 0) + perOp);
  }
  if (run.unfinished > 0) failures.set('UNFINISHED', run.unfinished * perOp);
  const mvcc = samples.filter((s) => MVCC_CODES.has(s.code)).length + hiddenMvcc;
  const total = (samples.length + run.unfinished) * perOp;
  return {
    perOp,
    total,
    succ: ok.length * perOp,
    fail: total - ok.length * perOp,
    sendRate: sendSpanS > 0 ? ((samples.length - 1) * perOp) / sendSpanS : NaN,
    throughput: spanS > 0 ? (samples.filter((s) => s.committed).length * perOp) / spanS : NaN,
    goodput: spanS > 0 ? (ok.length * perOp) / spanS : NaN,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.length > 0 ? (latencies[latencies.length - 1] ?? NaN) : NaN,
    avg: latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : NaN,
    failures,
    mvcc,
  };
}
