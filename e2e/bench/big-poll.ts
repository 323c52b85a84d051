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
 *   BIG_POLL_BROWSER=0 npm run bench:big-poll -w @poll-ledger/e2e   # without the browser part
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pinnedGenesisHash, runAudit } from '../test/support/audit';
import type { Receipt } from '@poll-ledger/verifier';
import { chaincodeErrorCode, connectAs, decodeResult, evaluate, openColourPoll, runPool, statusName, submit, tallyAll } from '../test/support/fabric';
import { networkScript, runDir } from '../test/support/network';
import { verifyCli } from '../test/support/verification';
import { answersFor, castBallotArgs, voterToken } from '../test/support/polls';
import { citizenPages } from './citizen-pages';

const ballots = Number(process.env.BIG_POLL_BALLOTS ?? 10_000);
const batch = Number(process.env.BIG_POLL_BATCH ?? 1000);
const inFlight = Number(process.env.BIG_POLL_IN_FLIGHT ?? 50);
/** BIG_POLL_BROWSER=0 skips the citizen pages in Chromium. */
const browser = process.env.BIG_POLL_BROWSER !== '0';
/** The receipt page checks the first ballot from this one on that commits VALID. */
const receiptFrom = Math.floor(ballots / 2);

function seconds(since: number): number {
  return (Date.now() - since) / 1000;
}

async function main(): Promise<void> {
  await networkScript('all');
  const admin = connectAs('city', 'poll-admin');
  const relay = connectAs('city', 'ballot-relay');
  try {
    const pollId = await openColourPoll(admin, 'big');

    let castStart = Date.now();
    let done = 0;
    const codes = new Map<string, number>();
    let receipt: Receipt | undefined;
    await runPool(inFlight, Array.from({ length: ballots }, (_, i) => async () => {
      if (i === Math.min(200, ballots - 1)) castStart = Date.now(); // the first 200 are warm-up
      let code: string;
      try {
        const tx = await relay.contract.submitAsync('CastBallot', { arguments: castBallotArgs(pollId, voterToken(pollId, `big-${String(i)}`), answersFor(i)) });
        code = statusName((await tx.getStatus()).code);
        if (receipt === undefined && i >= receiptFrom && code === 'VALID') {
          const { txId, ballotHash, ballotId } = decodeResult('CastBallot', tx.getResult());
          receipt = { pollId, ballotId, txId, ballotHash };
        }
      } catch (err) {
        code = chaincodeErrorCode(err) ?? (err instanceof Error ? err.message.slice(0, 60) : String(err));
      }
      codes.set(code, (codes.get(code) ?? 0) + 1);
      done += 1;
      if (done % 1000 === 0) console.log(`  cast ${String(done)}/${String(ballots)}`);
    }));
    const castSeconds = seconds(castStart);
    console.log(`CastBallot: ${String(ballots)} ballots, ${String(inFlight)} in flight: ${((ballots - 200) / castSeconds).toFixed(1)} tx/s after warm-up; outcomes ${JSON.stringify(Object.fromEntries(codes))}`);

    await submit(admin, 'ClosePoll', pollId);
    const tallyStart = Date.now();
    const batches = await tallyAll(admin, pollId, batch, Number.MAX_SAFE_INTEGER);
    const results = await evaluate(admin, 'GetResults', pollId);
    console.log(`TallyPoll: ${String(results.ballotCount)} ballots in ${String(batches)} batches of ${String(batch)}, ${seconds(tallyStart).toFixed(1)} s`);

    const auditStart = Date.now();
    const { code: exit } = await runAudit(['--quiet'], { inherit: true });
    console.log(`poll-ledger-audit: full audit from genesis in ${seconds(auditStart).toFixed(1)} s (exit ${String(exit ?? 1)})`);
    const genesisHash = await publicVerification(pollId);
    if (browser) await citizenPages({ conn: admin, pollId, receipt, genesisHash });
    else console.log('citizen pages in Chromium: skipped (BIG_POLL_BROWSER=0)');
  } finally {
    admin.close();
    relay.close();
    await networkScript('down');
  }
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
