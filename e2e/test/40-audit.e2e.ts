/**
 * The auditor on the real network: `poll-ledger-audit` connects to the observer's own
 * peer as the observer's auditor, replays every block from genesis, and recomputes each
 * poll's result from the raw ballots. It must report MATCH for polls with re-votes and
 * refused or invalid ballots, give the same report when stopped half-way and resumed from
 * its checkpoint, check citizens' receipts, and notice an altered exported block.
 */
import { expect } from 'chai';
import { StatusCode } from '@hyperledger/fabric-gateway';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Answers, ballotKey } from '@poll-ledger/protocol';
import { runAudit as audit } from './support/audit';
import { chaincodeErrorCode, connectAs, type Connection, decodeResult, openColourPoll, runPool, submit, tallyAll } from './support/fabric';
import { repoRoot } from './support/network';
import { answersFor, castBallotArgs, type Receipt, voterToken } from './support/polls';

interface CastOutcome { code?: number; error?: string; receipt?: Receipt }
interface PollReport { pollId: string; verdict: string; ballots: { counted: number; writes: number; replaced: number }; checks: { field: string; verdict: string }[] }
interface AuditReport {
  verdict: string;
  chain: { status: string };
  signatures: { status: string };
  ledger: { lastBlock: number };
  transactions: { byValidationCode: Record<string, number> };
  summary: { mismatch: number };
  polls: PollReport[];
  run: { blocksThisRun: number; ballotWritesThisRun: number; blocksPerSecond: number; ballotsPerSecond: number; resumedFromBlock: number | null };
}

const readReport = (file: string): AuditReport => JSON.parse(fs.readFileSync(file, 'utf8')) as AuditReport;
const findings = (report: AuditReport): Omit<AuditReport, 'run'> => {
  const { run: _run, ...rest } = report;
  expect(_run).to.be.an('object');
  return rest;
};

describe('audit: poll-ledger-audit against the real network', function () {
  let admin: Connection;
  let relay: Connection;
  let work: string;
  let lastCounts: string;
  let noRevote: string;
  const receipts: Receipt[] = [];
  const revotedReceipts: Receipt[] = [];

  async function cast(pollId: string, citizen: string, answers: Answers, options: { endorsingOrganizations?: string[] } = {}): Promise<CastOutcome> {
    try {
      const tx = await relay.contract.submitAsync('CastBallot', {
        arguments: castBallotArgs(pollId, voterToken(pollId, citizen), answers),
        ...options,
      });
      const status = await tx.getStatus();
      const result = decodeResult('CastBallot', tx.getResult());
      const receipt = { pollId, ballotId: result.ballotId, txId: tx.getTransactionId(), blockNumber: Number(status.blockNumber), ballotHash: result.ballotHash };
      return { code: status.code, receipt };
    } catch (err) {
      return { error: chaincodeErrorCode(err) ?? String(err) };
    }
  }

  async function tally(pollId: string): Promise<void> {
    await submit(admin, 'ClosePoll', pollId);
    await tallyAll(admin, pollId, 50, 100);
  }

  before(async function () {
    if (!fs.existsSync(path.join(repoRoot, 'audit', 'dist', 'cli.js'))) {
      execFileSync('npm', ['run', 'build', '-w', '@poll-ledger/audit'], { cwd: repoRoot, stdio: 'ignore' });
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'poll-ledger-e2e-audit-'));
    admin = connectAs('city', 'poll-admin');
    relay = connectAs('city', 'ballot-relay');

    // Two polls, 200 ballots: 120 under last-counts (20 of them re-vote), 80 under none.
    lastCounts = await openColourPoll(admin, 'audit-lc', { revotePolicy: 'last-counts' });
    noRevote = await openColourPoll(admin, 'audit-none', { revotePolicy: 'none' });
    const first = await runPool(50, [
      ...Array.from({ length: 120 }, (_, i) => () => cast(lastCounts, `lc-${i.toString()}`, answersFor(i))),
      ...Array.from({ length: 80 }, (_, i) => () => cast(noRevote, `nv-${i.toString()}`, answersFor(i + 1))),
    ]);
    const revotes = await runPool(20, Array.from({ length: 20 }, (_, i) => () => cast(lastCounts, `lc-${i.toString()}`, answersFor(i + 2))));
    for (const outcome of [...first, ...revotes]) {
      expect(outcome.code).to.equal(StatusCode.VALID);
    }
    receipts.push(...first.map((o) => o.receipt!));
    revotedReceipts.push(...revotes.map((o) => o.receipt!));

    // Refused before ordering (no transaction), and refused at commit (in a block, not VALID).
    const again = await runPool(10, Array.from({ length: 10 }, (_, i) => () => cast(noRevote, `nv-${i.toString()}`, answersFor(i))));
    expect(again.map((o) => o.error)).to.deep.equal(Array<string>(10).fill('ALREADY_VOTED'));
    const race = await Promise.all(Array.from({ length: 6 }, (_, i) => cast(noRevote, 'racer', answersFor(i))));
    expect(race.filter((o) => o.code === StatusCode.VALID)).to.have.length(1);
    const cityOnly = await cast(noRevote, 'under-endorsed', answersFor(0), { endorsingOrganizations: ['CityMSP'] });
    expect(cityOnly.code).to.equal(StatusCode.ENDORSEMENT_POLICY_FAILURE);

    await tally(lastCounts);
    await tally(noRevote);
  });

  after(function () {
    admin.close();
    relay.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('when the observer audits from genesis, then the chain and signatures are OK and every tallied poll MATCHes', async function () {
    const json = path.join(work, 'full.json');
    const { code, stdout, stderr } = await audit(['--quiet', '--json', json]);
    expect(stderr).to.equal('');
    expect(code, stdout).to.equal(0);
    const report = readReport(json);
    expect(report).to.deep.include({ verdict: 'PASS', chain: { status: 'OK', firstBrokenBlock: null, breaks: [] } });
    expect(report.signatures.status).to.equal('OK');
    expect(report.summary.mismatch).to.equal(0);
    expect(report.transactions.byValidationCode).to.include.keys('VALID', 'MVCC_READ_CONFLICT', 'ENDORSEMENT_POLICY_FAILURE');
    const lc = report.polls.find((p) => p.pollId === lastCounts)!;
    const nv = report.polls.find((p) => p.pollId === noRevote)!;
    expect(lc).to.deep.include({ verdict: 'MATCH', ballots: { counted: 120, writes: 140, replaced: 20 } });
    expect(nv).to.deep.include({ verdict: 'MATCH', ballots: { counted: 81, writes: 81, replaced: 0 } });
    console.log(`      audit: ${report.ledger.lastBlock + 1} blocks, ${report.run.ballotWritesThisRun} ballot writes, ${report.run.blocksPerSecond.toFixed(0)} blocks/s, ${report.run.ballotsPerSecond.toFixed(0)} ballots/s`);
  });

  it('when stopped half-way and resumed from its checkpoint, then the final report is identical to the uninterrupted one', async function () {
    const full = readReport(path.join(work, 'full.json'));
    const checkpoint = path.join(work, 'checkpoint.json');
    const half = Math.floor(full.ledger.lastBlock / 2);
    const first = await audit(['--quiet', '--checkpoint', checkpoint, '--checkpoint-every', '5', '--until-block', String(half), '--json', path.join(work, 'half.json')]);
    expect(first.code, first.stdout).to.equal(0);
    expect(readReport(path.join(work, 'half.json')).ledger.lastBlock).to.equal(half);

    const resumedJson = path.join(work, 'resumed.json');
    const second = await audit(['--quiet', '--checkpoint', checkpoint, '--until-block', String(full.ledger.lastBlock), '--json', resumedJson]);
    expect(second.code, second.stdout).to.equal(0);
    const resumed = readReport(resumedJson);
    expect(resumed.run.resumedFromBlock).to.equal(half + 1);
    expect(findings(resumed)).to.deep.equal(findings(full));
  });

  it("when citizens check their receipts, then each is found VALID with its hash, and a forged one fails", async function () {
    const sample = [receipts[0]!, receipts[1]!, receipts[150]!, revotedReceipts[0]!];
    for (const [i, receipt] of sample.entries()) {
      const file = path.join(work, `receipt-${i.toString()}.json`);
      fs.writeFileSync(file, JSON.stringify(receipt));
      const { code, stdout } = await audit(['receipt', file]);
      expect(code, stdout).to.equal(0);
      expect(stdout).to.include('receipt check: OK');
    }
    // receipts[0] is voter lc-0's first ballot, which the re-vote replaced: still provable, and shown as replaced.
    const replaced = await audit(['receipt', path.join(work, 'receipt-0.json')]);
    expect(replaced.stdout).to.match(/current ballot of this voter +replaced by a re-vote/);

    const forged = path.join(work, 'forged.json');
    fs.writeFileSync(forged, JSON.stringify({ ...receipts[2], ballotHash: 'ab'.repeat(32) }));
    expect((await audit(['receipt', forged])).code).to.equal(1);
  });

  it('when an exported copy is verified, then it passes; when a ballot in it is altered, then the chain breaks and the poll MISMATCHes', async function () {
    const exported = path.join(work, 'export');
    expect((await audit(['export', '--out', exported])).code).to.equal(0);
    const intact = await audit(['verify', '--from-dir', exported, '--quiet']);
    expect(intact.code, intact.stdout).to.equal(0);

    // A same-length edit inside the ballot that a VALID transaction wrote: lc-3's re-vote, answersFor(5) = blue → red.
    const target = revotedReceipts.find((r) => r.ballotId === voterToken(lastCounts, 'lc-3'))!;
    const file = path.join(exported, `${target.blockNumber.toString()}.block`);
    const bytes = fs.readFileSync(file);
    const original = Buffer.from('{"answers":{"q1":["blue"]');
    const at = bytes.indexOf(original, bytes.indexOf(Buffer.from(ballotKey(lastCounts, target.ballotId))));
    expect(at).to.be.above(0);
    bytes.write('{"answers":{"q1":["red" ]', at, 'latin1');
    fs.writeFileSync(file, bytes);

    const json = path.join(work, 'tampered.json');
    const tampered = await audit(['verify', '--from-dir', exported, '--quiet', '--json', json]);
    expect(tampered.code).to.equal(1);
    const report = readReport(json);
    expect(report.chain).to.deep.include({ status: 'BROKEN', firstBrokenBlock: target.blockNumber });
    expect(report.polls.find((p) => p.pollId === lastCounts)?.verdict).to.equal('MISMATCH');
  });
});
