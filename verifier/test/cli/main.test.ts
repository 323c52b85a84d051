import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main, parseReceipt } from '../../src/cli/main';
import { bundleOf } from '../support/bundle';
import { setFlag } from '../support/ledger';
import { pollLedger } from '../support/polls';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('poll-ledger-verify', () => {
  const ledger = pollLedger();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-cli-'));
  const bundleFile = path.join(dir, 'bundle.json');
  fs.writeFileSync(bundleFile, JSON.stringify(bundleOf(ledger.blocks, 'p1')));
  const blocksDir = path.join(dir, 'blocks');
  fs.mkdirSync(blocksDir);
  ledger.blocks.forEach((b, n) => { fs.writeFileSync(path.join(blocksDir, `${n}.block`), b); });
  const alice = ledger.receipts.alice!;
  const g = ['--genesis-hash', ledger.genesisHash];

  after(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  it('exits 0 and prints a table for a genuine bundle and receipt', async () => {
    const r = await run([...g, '--bundle', bundleFile, '--receipt', `${alice.pollId},${alice.ballotId},${alice.txId},${alice.ballotHash ?? ''}`]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.match(/✔ Receipt .* exactly as cast, counted/).and.match(/VERIFIED/);
  });

  it('reads an export directory as a whole-chain bundle and prints JSON', async () => {
    const r = await run([...g, '--blocks', blocksDir, '--json']);
    expect(r.code).to.equal(0);
    const report = JSON.parse(r.out) as { ok: boolean; steps: { name: string; summary: string }[] };
    expect(report.ok).to.be.true;
    expect(report.steps.find((s) => s.name === 'poll')?.summary).to.match(/1 poll; 1 of 1 tallied results recomputed equal/);
  });

  it('exits 1 when a check fails (a flipped flag)', async () => {
    const flipped = path.join(dir, 'flipped.json');
    const blocks = [...ledger.blocks];
    blocks[ledger.ballotBlock] = setFlag(blocks[ledger.ballotBlock]!, 0, 10);
    fs.writeFileSync(flipped, JSON.stringify(bundleOf(blocks, 'p1')));
    const r = await run([...g, '--bundle', flipped]);
    expect(r.code).to.equal(1);
    expect(r.out).to.match(/Failures:[\s\S]*ledger flag says ENDORSEMENT_POLICY_FAILURE, re-derived VALID/).and.match(/NOT VERIFIED/);
  });

  it('exits 2 on usage and input errors', async () => {
    expect((await run(['--bundle', bundleFile])).code).to.equal(2);
    expect((await run([...g, '--bundle', bundleFile, '--blocks', blocksDir])).code).to.equal(2);
    expect((await run([...g, '--bundle', path.join(dir, 'missing.json')])).code).to.equal(2);
    expect((await run([...g, '--bundle', bundleFile, '--receipt', 'p1,nothex,x'])).code).to.equal(2);
    expect((await run([...g, '--service', 'http://127.0.0.1:9/'])).code).to.equal(2);
  });

  it('parses a receipt as the gateway returns it', () => {
    expect(parseReceipt(JSON.stringify({ ...alice, blockNumber: 5 }))).to.deep.equal({ pollId: 'p1', ballotId: alice.ballotId, txId: alice.txId, ballotHash: alice.ballotHash });
  });

  it('parses the position of a batched ballot, in JSON or after the ballot hash (which may be left empty)', () => {
    const base = { pollId: 'p1', ballotId: alice.ballotId, txId: alice.txId };
    expect(parseReceipt(JSON.stringify({ ...base, position: 3, blockNumber: 5 }))).to.deep.equal({ ...base, position: 3 });
    expect(parseReceipt(`p1,${alice.ballotId},${alice.txId},,3`)).to.deep.equal({ ...base, position: 3 });
    expect(() => parseReceipt(`p1,${alice.ballotId},${alice.txId},,three`)).to.throw(/position/);
  });
});
