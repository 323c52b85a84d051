/**
 * Verifier throughput on a synthetic poll ledger built with the test support (real keys, real signatures).
 *
 *   npx ts-node scripts/bench-verify.ts write <bundle.json> [ballots=3000] [perBlock=45]
 *       builds the ledger and writes the bundle, with its genesis hash beside it (<bundle.json>.genesis)
 *   npx ts-node scripts/bench-verify.ts run <bundle.json> [node|webcrypto|noble] [rounds=1]
 *       verifies the bundle with the built dist/ (run `npm run build` first) and prints tx/s
 *
 * The CLI itself can be timed or profiled on the same bundle (its report's stats give tx/s without start-up):
 *   node --cpu-prof bin/poll-ledger-verify.js --bundle <bundle.json> --genesis-hash $(cat <bundle.json>.genesis) --json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CryptoProvider } from '../src/core/crypto';
import type { Bundle } from '../src/wire';
import { bundleOf } from '../test/support/bundle';
import { signaturePolicy } from '../test/support/fabric';
import { LedgerBuilder } from '../test/support/ledger';
import { orgs } from '../test/support/pki';
import { POLICY, castBallot, pollRecord, tallyTx } from '../test/support/polls';
import { commitWrites } from '../test/support/tx';
import { type Ballot, pollKey } from '@poll-ledger/protocol';
import { canonicalJson } from '../src/core/canonical';

function build(ballots: number, perBlock: number): { bundle: Bundle; genesisHash: string } {
  const b = new LedgerBuilder();
  const admin = orgs.city.client;
  b.addBlock([{ namespace: '_lifecycle', fn: 'CommitChaincodeDefinition', creator: orgs.city.admin, writes: commitWrites('polls', 1, signaturePolicy(POLICY)) }]);
  const pollTx = (status: 'draft' | 'open' | 'closed', fn: string) => ({
    fn, creator: admin, reads: [{ key: pollKey('p1'), version: b.version(pollKey('p1')) }], writes: [{ key: pollKey('p1'), value: canonicalJson(pollRecord('p1', status)) }],
  });
  b.addBlock([pollTx('draft', 'CreatePoll')]);
  b.addBlock([pollTx('open', 'OpenPoll')]);
  const cast: Ballot[] = [];
  for (let i = 0; i < ballots; i += perBlock) {
    const block = [];
    for (let j = i; j < Math.min(ballots, i + perBlock); j += 1) {
      const tx = castBallot(b, 'p1', `voter-${j}`, j % 3 === 0 ? 'red' : 'blue', j % 60);
      cast.push(tx.ballot);
      block.push(tx);
    }
    b.addBlock(block);
  }
  b.addBlock([pollTx('closed', 'ClosePoll')]);
  b.addBlock([tallyTx(b, pollRecord('p1', 'closed'), cast)]);
  return { bundle: bundleOf(b.blocks, 'p1'), genesisHash: b.genesisHash };
}

async function run(file: string, providerName: string, rounds: number): Promise<void> {
  const dist = resolve(__dirname, '../dist');
  /* eslint-disable @typescript-eslint/no-require-imports -- the built output, as the CLI runs it */
  const { verifyBundle } = require(`${dist}/core/verify.js`) as typeof import('../src/core/verify');
  const { nodeCryptoProvider } = require(`${dist}/cli/node-crypto.js`) as typeof import('../src/cli/node-crypto');
  const { nobleProvider, defaultProvider } = require(`${dist}/core/crypto.js`) as typeof import('../src/core/crypto');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const bundle = JSON.parse(readFileSync(file, 'utf8')) as Bundle;
  const genesisHash = readFileSync(`${file}.genesis`, 'utf8').trim();
  for (let round = 0; round < rounds; round += 1) {
    const node = providerName === 'node' ? nodeCryptoProvider() : undefined;
    const crypto: CryptoProvider = node ?? (providerName === 'noble' ? nobleProvider : defaultProvider());
    // As the CLI runs it: Node's base64 decoder with node:crypto.
    const decodeBase64 = node === undefined ? undefined : (text: string): Uint8Array => Buffer.from(text, 'base64');
    const started = process.hrtime.bigint();
    const report = await verifyBundle(bundle, { genesisHash, crypto, ...(decodeBase64 === undefined ? {} : { decodeBase64 }) });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await node?.close();
    const { transactions, signaturesChecked, blocks } = report.stats;
    const txPerSecond = Math.round(transactions / seconds).toLocaleString('en-US');
    console.log(`${providerName}: ok=${report.ok} ${blocks} blocks, ${transactions} tx, ${signaturesChecked} signatures in ${seconds.toFixed(2)} s = ${txPerSecond} tx/s`);
    if (!report.ok) console.log(JSON.stringify(report.steps.filter((s) => !s.ok), null, 2).slice(0, 2000));
  }
}

async function mainBench(argv: readonly string[]): Promise<void> {
  const [command, file, a, b] = argv;
  if (command === 'write' && file !== undefined) {
    const { bundle, genesisHash } = build(Number(a ?? 3000), Number(b ?? 45));
    writeFileSync(file, JSON.stringify(bundle));
    writeFileSync(`${file}.genesis`, `${genesisHash}\n`);
    console.log(`${file}: ${bundle.height} blocks, genesis ${genesisHash}`);
  } else if (command === 'run' && file !== undefined) {
    await run(file, a ?? 'node', Number(b ?? 1));
  } else {
    console.error('usage: bench-verify.ts write <bundle.json> [ballots] [perBlock] | run <bundle.json> [node|webcrypto|noble] [rounds]');
    process.exitCode = 2;
  }
}

void mainBench(process.argv.slice(2));
