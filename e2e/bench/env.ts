/**
 * Imported first by run.ts. The e2e support modules read their run directory, port
 * offset and child environment when they load, so the benchmark's own network must be
 * named here, before anything else is imported.
 */
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');

// Its own network, beside `npm start` (.run, offset 0) and the e2e tests (.run-e2e, 10000).
// Set outright, not defaulted: an e2e setting left in the shell must not point the bench at the e2e network.
process.env.POLL_LEDGER_E2E_RUN_DIR = process.env.BENCH_RUN_DIR ?? path.join(repoRoot, '.run-bench');
process.env.POLL_LEDGER_E2E_PORT_OFFSET = process.env.BENCH_PORT_OFFSET ?? '16000';
process.env.POLL_LEDGER_E2E_QUIET = process.env.BENCH_VERBOSE === '1' ? '0' : '1';
// Each network's mode and Fabric release go to the scripts it runs (network.ts), not through here.

// The gateway's per-key rate limit (600/min) would cap REST at 10 ballots/s: lift it, since
// the benchmark measures the ledger path, not the limiter.
process.env.GATEWAY_RATE_LIMIT_MAX ??= '100000000';
