/**
 * Large-poll benchmark: casts N ballots (default 10,000) into one poll on a network of
 * its own, closes it, tallies it in batches, then runs poll-ledger-audit over the whole
 * ledger. Prints figures; asserts nothing about speed.
 *
 *   npm run bench:big-poll -w @poll-ledger/e2e            # N=10000, batch 1000
 *   BIG_POLL_BALLOTS=20000 BIG_POLL_BATCH=2000 npm run bench:big-poll -w @poll-ledger/e2e
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { StatusCode } from '@hyperledger/fabric-gateway';
import { connectAs, runPool, utf8 } from '../test/support/fabric';
import { networkScript, repoRoot, runDir } from '../test/support/network';
import { colourPoll, uniquePollId, voterToken } from '../test/support/polls';

const ballots = Number(process.env.BIG_POLL_BALLOTS ?? 10_000);
const batch = Number(process.env.BIG_POLL_BATCH ?? 1000);
const inFlight = Number(process.env.BIG_POLL_IN_FLIGHT ?? 50);

function seconds(since: number): number {
  return (Date.now() - since) / 1000;
}

function runAudit(): Promise<number> {
  const cli = path.join(repoRoot, 'audit', 'bin', 'poll-ledger-audit.js');
  return new Promise((resolve, reject) => {
    const child = spawn('node', [cli, '--network-json', path.join(runDir, 'network.json'), '--quiet'], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => { resolve(code ?? 1); });
  });
}

async function main(): Promise<void> {
  await networkScript('all');
  const admin = connectAs('city', 'poll-admin');
  const relay = connectAs('city', 'ballot-relay');
  try {
    const pollId = uniquePollId('big');
    await admin.contract.submitTransaction('CreatePoll', JSON.stringify(colourPoll(pollId)));
    await admin.contract.submitTransaction('OpenPoll', pollId);

    let castStart = Date.now();
    let done = 0;
    const codes = new Map<string, number>();
    await runPool(inFlight, Array.from({ length: ballots }, (_, i) => async () => {
      if (i === Math.min(200, ballots - 1)) castStart = Date.now(); // the first 200 are warm-up
      const answers = { q1: [['red', 'green', 'blue'][i % 3] ?? 'red'], q2: i % 2 === 0 ? ['wifi'] : [] };
      let code: string;
      try {
        const tx = await relay.contract.submitAsync('CastBallot', { arguments: [pollId, voterToken(pollId, `big-${String(i)}`), JSON.stringify(answers), ''] });
        const status = (await tx.getStatus()).code;
        code = Object.entries(StatusCode).find(([, value]) => value === status)?.[0] ?? String(status);
      } catch (err) {
        code = err instanceof Error ? err.message.slice(0, 60) : String(err);
      }
      codes.set(code, (codes.get(code) ?? 0) + 1);
      done += 1;
      if (done % 1000 === 0) console.log(`  cast ${String(done)}/${String(ballots)}`);
    }));
    const castSeconds = seconds(castStart);
    console.log(`CastBallot: ${String(ballots)} ballots, ${String(inFlight)} in flight: ${((ballots - 200) / castSeconds).toFixed(1)} tx/s after warm-up; outcomes ${JSON.stringify(Object.fromEntries(codes))}`);

    await admin.contract.submitTransaction('ClosePoll', pollId);
    const tallyStart = Date.now();
    let batches = 0;
    for (let finished = false; !finished;) {
      batches += 1;
      const progress = JSON.parse(utf8.decode(await admin.contract.submitTransaction('TallyPoll', pollId, String(batch)))) as { done: boolean };
      finished = progress.done;
    }
    const results = JSON.parse(utf8.decode(await admin.contract.evaluateTransaction('GetResults', pollId))) as { ballotCount: number };
    console.log(`TallyPoll: ${String(results.ballotCount)} ballots in ${String(batches)} batches of ${String(batch)}, ${seconds(tallyStart).toFixed(1)} s`);

    const auditStart = Date.now();
    const exit = await runAudit();
    console.log(`poll-ledger-audit: full audit from genesis in ${seconds(auditStart).toFixed(1)} s (exit ${String(exit)})`);
  } finally {
    admin.close();
    relay.close();
    await networkScript('down');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
