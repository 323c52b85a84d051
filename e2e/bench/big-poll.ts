/**
 * Large-poll benchmark: casts N ballots (default 10,000) into one poll on a network of
 * its own, closes it, tallies it in batches, then runs poll-ledger-audit over the whole
 * ledger, and the public verifier (poll-ledger-verify) over an export of it, with the size of the poll's bundle.
 * Then, while the network is still up, the citizen pages in Chromium against the observer's real verification
 * service (citizen-pages.ts): the results page re-tallies the poll, and a receipt link verifies one ballot from a
 * cold browser context. Prints figures; asserts nothing about speed.
 *
 *   npm run bench:big-poll -w @poll-ledger/e2e            # N=10000, batch 1000
 *   BIG_POLL_BALLOTS=20000 BIG_POLL_BATCH=2000 npm run bench:big-poll -w @poll-ledger/e2e
 *   BIG_POLL_BALLOTS=100000 BIG_POLL_PER_TX=50 BIG_POLL_BATCH=5000 BIG_POLL_BROWSER=0 npm run bench:big-poll -w @poll-ledger/e2e
 *   BIG_POLL_BROWSER=0 npm run bench:big-poll -w @poll-ledger/e2e   # without the browser part
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { pinnedGenesisHash, runAudit } from '../test/support/audit';
import type { Receipt } from '@poll-ledger/verifier';
import { Limits, type Results } from '@poll-ledger/protocol';
import { type Connection, chaincodeErrorCode, connectAs, decodeResult, evaluate, openColourPoll, runPool, statusName, submit, tallyAll } from '../test/support/fabric';
import { networkScript, runDir } from '../test/support/network';
import { apiKeys, call, gatewayScript } from '../test/support/rest';
import { verifyCli } from '../test/support/verification';
import { answersFor, castBallotArgs, voterToken } from '../test/support/polls';
import { citizenPages } from './citizen-pages';
import { type CpuUse, cpuBetween, cpuSnapshot } from './cpu';

const ballots = Number(process.env.BIG_POLL_BALLOTS ?? 10_000);
const batch = Number(process.env.BIG_POLL_BATCH ?? 1000);
const inFlight = Number(process.env.BIG_POLL_IN_FLIGHT ?? 50);
/** BIG_POLL_BROWSER=0 skips the citizen pages in Chromium. */
const browser = process.env.BIG_POLL_BROWSER !== '0';
/** The receipt page checks the first ballot from this one on that commits VALID. */
const receiptFrom = Math.floor(ballots / 2);

/** Ballots per transaction: 1 casts with CastBallot, more with CastBallots (at most the protocol's 100). */
const perTx = Math.min(Limits.castBatch.max, Math.max(1, Number(process.env.BIG_POLL_PER_TX ?? 1)));

interface Cast {
  /** Ballots a second after the warm-up. */
  readonly rate: number;
  /** Each ballot's outcome: its transaction's validation code, or its own or its transaction's refusal. */
  readonly codes: Record<string, number>;
  readonly receipt?: Receipt;
}

/** Casts the poll's ballots, `perTx` a transaction, `inFlight` transactions at once; the first 200 are warm-up. */
async function castAll(relay: Connection, pollId: string): Promise<Cast> {
  const codes = new Map<string, number>();
  const count = (code: string, n = 1): void => { codes.set(code, (codes.get(code) ?? 0) + n); };
  let castStart = Date.now();
  let warm = 0;
  let done = 0;
  let receipt: Receipt | undefined;
  const indexes = (first: number): number[] => Array.from({ length: Math.min(perTx, ballots - first) }, (_, k) => first + k);
  const keep = (first: number, txId: string, ballotId: string, ballotHash: string): void => {
    if (receipt === undefined && first >= receiptFrom) receipt = { pollId, ballotId, txId, ballotHash };
  };
  const transactions = Math.ceil(ballots / perTx);
  // The transaction from which the rate counts: the first that starts at ballot 200 or later.
  const warmTask = Math.min(transactions - 1, Math.ceil(200 / perTx));
  const tasks = Array.from({ length: transactions }, (_, t) => async () => {
    const mine = indexes(t * perTx);
    if (t === warmTask) {
      castStart = Date.now();
      warm = t * perTx;
    }
    try {
      const token = (i: number): string => voterToken(pollId, `big-${String(i)}`);
      if (perTx === 1) {
        const i = mine[0] ?? 0;
        const tx = await relay.contract.submitAsync('CastBallot', { arguments: castBallotArgs(pollId, token(i), answersFor(i)) });
        const code = statusName((await tx.getStatus()).code);
        const { txId, ballotHash, ballotId } = decodeResult('CastBallot', tx.getResult());
        if (code === 'VALID') keep(i, txId, ballotId, ballotHash);
        count(code);
      } else {
        const items = mine.map((i) => ({ voterToken: token(i), answers: answersFor(i), requestId: '', requestedAt: '' }));
        const tx = await relay.contract.submitAsync('CastBallots', { arguments: [pollId, JSON.stringify(items)] });
        const code = statusName((await tx.getStatus()).code);
        const { outcomes } = decodeResult('CastBallots', tx.getResult());
        outcomes.forEach((outcome, k) => {
          if (code !== 'VALID') return;
          if ('error' in outcome) count(outcome.error.code);
          else {
            count(code);
            keep(mine[k] ?? 0, outcome.receipt.txId, outcome.receipt.ballotId, outcome.receipt.ballotHash);
          }
        });
        if (code !== 'VALID') count(code, mine.length);
      }
    } catch (err) {
      count(chaincodeErrorCode(err) ?? (err instanceof Error ? err.message.slice(0, 60) : String(err)), mine.length);
    }
    const before = done;
    done += mine.length;
    if (Math.floor(done / 10_000) > Math.floor(before / 10_000) || (ballots <= 10_000 && Math.floor(done / 1000) > Math.floor(before / 1000))) {
      console.log(`  cast ${String(done)}/${String(ballots)}`);
    }
  });
  await runPool(inFlight, tasks);
  return { rate: (ballots - warm) / seconds(castStart), codes: Object.fromEntries(codes), ...(receipt === undefined ? {} : { receipt }) };
}

function seconds(since: number): number {
  return (Date.now() - since) / 1000;
}

async function main(): Promise<void> {
  try {
    await networkScript('all');
    await measure();
  } finally {
    // Also when the network did not come up: what did start is stopped.
    await networkScript('down');
  }
}

async function measure(): Promise<void> {
  const admin = connectAs('city', 'poll-admin');
  const relay = connectAs('city', 'ballot-relay');
  try {
    const pollId = await openColourPoll(admin, 'big');

    const cast = await castAll(relay, pollId);
    const perTxText = perTx === 1 ? 'CastBallot, one ballot a transaction' : `CastBallots of ${String(perTx)}`;
    console.log(`cast: ${String(ballots)} ballots (${perTxText}), ${String(inFlight)} transactions in flight: ${cast.rate.toFixed(1)} ballots/s after warm-up; outcomes ${JSON.stringify(cast.codes)}`);
    const receipt = cast.receipt;

    // A live poll's running count: the chaincode's GetResults re-reads every ballot; the gateway's keeps it from events.
    const liveStart = Date.now();
    const live = await evaluate(admin, 'GetResults', pollId);
    console.log(`GetResults on the open poll (the chaincode recounts ${String(live.ballotCount)} ballots): ${String(Date.now() - liveStart)} ms`);
    await liveResultsThroughGateway(pollId, live);

    await submit(admin, 'ClosePoll', pollId);
    const tallyStart = Date.now();
    const tallyCpu = cpuSnapshot();
    const batches = await tallyAll(admin, pollId, batch, Number.MAX_SAFE_INTEGER);
    const cpuUse = cpuBetween(tallyCpu, cpuSnapshot());
    const results = await evaluate(admin, 'GetResults', pollId);
    console.log(`TallyPoll: ${String(results.ballotCount)} ballots in ${String(batches)} batches of ${String(batch)}, ${seconds(tallyStart).toFixed(1)} s`);
    // Where the tally's time goes: CPU per ballot in each process (each batch also waits for its block to be cut).
    const perBallot = (use: CpuUse): string => `${use.name} ${((use.seconds * 1e6) / Math.max(1, results.ballotCount)).toFixed(0)} µs`;
    console.log(`TallyPoll CPU per ballot: ${cpuUse.filter((use) => use.seconds > 0).map(perBallot).join(', ')}`);

    const auditStart = Date.now();
    const { code: exit } = await runAudit(['--quiet'], { inherit: true });
    console.log(`poll-ledger-audit: full audit from genesis in ${seconds(auditStart).toFixed(1)} s (exit ${String(exit ?? 1)})`);
    const genesisHash = await publicVerification(pollId);
    if (browser) await citizenPages({ conn: admin, pollId, receipt, genesisHash });
    else console.log('citizen pages in Chromium: skipped (BIG_POLL_BROWSER=0)');
  } finally {
    admin.close();
    relay.close();
  }
}

/**
 * The gateway's running count of the same poll: started after the ballots, it first catches up from genesis; then a
 * request reads a snapshot (the first after a change renews it), and `?recount=true` is the chaincode's recount.
 */
async function liveResultsThroughGateway(pollId: string, recounted: Results): Promise<void> {
  const started = Date.now();
  await gatewayScript('start');
  const key = apiKeys().auditor;
  type Running = Results & { asOfBlock?: number };
  const get = async (query = ''): Promise<{ body: Running; ms: number }> => {
    const at = performance.now();
    const reply = await call<Running>('GET', `/v1/polls/${pollId}/results${query}`, { key });
    if (reply.status !== 200) throw new Error(`GET results: ${String(reply.status)} ${JSON.stringify(reply.body)}`);
    return { body: reply.body, ms: performance.now() - at };
  };
  let first = await get();
  while (first.body.ballotCount < recounted.ballotCount && Date.now() - started < 600_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    first = await get();
  }
  console.log(`gateway running count: caught up with ${String(first.body.ballotCount)} ballots from genesis ${((Date.now() - started) / 1000).toFixed(1)} s after its start`);
  const times = [];
  for (let i = 0; i < 50; i++) times.push((await get()).ms);
  times.sort((a, b) => a - b);
  const { status, final, ballotCount, counts, ballotsRoot } = first.body;
  const same = isDeepStrictEqual({ pollId, status, final, ballotCount, counts, ballotsRoot }, recounted);
  console.log(`GET results, running count: the request that took the full snapshot (counts and ballots root) ${first.ms.toFixed(0)} ms, then median ${(times[25] ?? 0).toFixed(1)} ms, max ${(times[49] ?? 0).toFixed(1)} ms over 50; equal to the chaincode's recount: ${same ? 'yes' : 'NO'}`);
  const recount = await get('?recount=true');
  console.log(`GET results?recount=true (the chaincode reads every ballot): ${recount.ms.toFixed(0)} ms`);
}

/** The public verifier over an export of the whole ledger (every signature checked), as a citizen would run it. */
async function publicVerification(pollId: string): Promise<string> {
  const work = path.join(runDir, 'verify');
  const blocks = path.join(work, 'blocks');
  fs.mkdirSync(work, { recursive: true });
  const exported = await runAudit(['export', '--out', blocks]);
  if (exported.code !== 0) throw new Error(`export failed: ${exported.stderr}`);
  const genesis = await pinnedGenesisHash(work);
  const blockBytes = fs.readdirSync(blocks).reduce((sum, file) => sum + fs.statSync(path.join(blocks, file)).size, 0);
  const started = Date.now();
  const run = spawnSync(process.execPath, [verifyCli, '--genesis-hash', genesis, '--blocks', blocks, '--poll', pollId, '--json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = seconds(started);
  const report = JSON.parse(run.stdout) as { ok: boolean; stats: { blocks: number; transactions: number; signaturesChecked: number; millis: number } };
  const { blocks: n, transactions, signaturesChecked, millis } = report.stats;
  console.log(`poll-ledger-verify: ${report.ok ? 'VERIFIED' : 'NOT VERIFIED'} (exit ${String(run.status)}), ${String(n)} blocks, ${String(transactions)} transactions, ${String(signaturesChecked)} signatures in ${(millis / 1000).toFixed(1)} s: ${(transactions / (millis / 1000)).toFixed(0)} tx/s (${wall.toFixed(1)} s wall with start-up)`);
  // A bundle carries every block as base64 in JSON: about 4/3 of the blocks' bytes.
  console.log(`whole-ledger bundle of this poll: ${(blockBytes / 1e6).toFixed(1)} MB of blocks, about ${((blockBytes * 4) / 3 / 1e6).toFixed(1)} MB as a bundle`);
  return genesis;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
