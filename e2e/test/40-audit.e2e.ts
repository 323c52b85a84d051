/**
 * The auditor on the real network: `poll-ledger-audit` connects to the observer's own
 * peer as the observer's auditor, replays every block from genesis, and recomputes each
 * poll's result from the raw ballots. It must report MATCH for polls with re-votes and
 * refused or invalid ballots, give the same report when stopped half-way and resumed from
 * its checkpoint, check citizens' receipts, and notice an altered exported block. The genesis is pinned to the
 * hash of the block the founding organisations made; a block re-signed with a key of the orderer organisation's CA
 * that is not an orderer's (the city's ballot-relay, its peer) fails the signature check.
 */
import { expect } from 'chai';
import { StatusCode } from '@hyperledger/fabric-gateway';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Answers, ballotKey } from '@poll-ledger/protocol';
import { pinnedGenesisHash, runAudit as audit } from './support/audit';
import { chaincodeErrorCode, connectAs, type Connection, decodeResult, openColourPoll, runPool, submit, tallyAll } from './support/fabric';
import { networkJsonFile, readNetwork, repoRoot, runDir } from './support/network';
import { resignBlock } from './support/resign';
import { answersFor, castBallotArgs, type Receipt, voterToken } from './support/polls';

interface CastOutcome { code?: number; error?: string; receipt?: Receipt }
interface PollReport { pollId: string; verdict: string; ballots: { counted: number; writes: number; replaced: number }; checks: { field: string; verdict: string }[] }
interface RuleChange { kind: string; verdict: string; signedBy: { mspId: string; role: string; verified: boolean }[] }
interface AuditReport {
  verdict: string;
  warnings: string[];
  genesis: { pinned: string | null; status: string };
  ruleChanges: RuleChange[];
  chain: { status: string };
  signatures: { status: string; signers: string[]; failures: { block: number; reason: string }[] };
  ledger: { lastBlock: number; genesisHash: string };
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
  let genesisHash: string;
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
    genesisHash = await pinnedGenesisHash(work);
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

  it('when the observer audits from the pinned genesis, then the chain, the consenter signatures and every rule change are OK and every tallied poll MATCHes', async function () {
    const json = path.join(work, 'full.json');
    const { code, stdout, stderr } = await audit(['--quiet', '--genesis-hash', genesisHash, '--json', json]);
    expect(stderr).to.equal('');
    expect(code, stdout).to.equal(0);
    const report = readReport(json);
    expect(report).to.deep.include({ verdict: 'PASS', chain: { status: 'OK', firstBrokenBlock: null, breaks: [] } });
    expect(report.genesis).to.deep.equal({ pinned: genesisHash, status: 'MATCH' });
    expect(report.warnings.filter((w) => w.startsWith('genesis not pinned'))).to.deep.equal([]);
    expect(report.signatures.status).to.equal('OK');
    expect(report.signatures.signers).to.include('CityMSP:orderer0-city');
    // The deployment's chaincode definition is a rule change too: committed with the observer's endorsement.
    expect(report.ruleChanges.filter((c) => c.verdict === 'FAILED')).to.deep.equal([]);
    const definitions = report.ruleChanges.filter((c) => c.kind === 'chaincode-definition');
    expect(definitions).to.not.be.empty;
    expect(definitions.every((c) => c.signedBy.some((s) => s.mspId === 'ObserverMSP' && s.verified))).to.be.true;
    expect(stdout.split('\n')[1]).to.match(/^RULE CHANGES +\d+: 0 FAILED/);
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
    const pin = ['--genesis-hash', genesisHash];
    const first = await audit(['--quiet', ...pin, '--checkpoint', checkpoint, '--checkpoint-every', '5', '--until-block', String(half), '--json', path.join(work, 'half.json')]);
    expect(first.code, first.stdout).to.equal(0);
    expect(readReport(path.join(work, 'half.json')).ledger.lastBlock).to.equal(half);

    const resumedJson = path.join(work, 'resumed.json');
    const second = await audit(['--quiet', ...pin, '--checkpoint', checkpoint, '--until-block', String(full.ledger.lastBlock), '--json', resumedJson]);
    expect(second.code, second.stdout).to.equal(0);
    const resumed = readReport(resumedJson);
    expect(resumed.run.resumedFromBlock).to.equal(half + 1);
    expect(findings(resumed)).to.deep.equal(findings(full));
  });

  it("when citizens check their receipts against the pinned genesis, then each is found VALID with its hash, and a forged one fails", async function () {
    const pin = ['--genesis-hash', genesisHash];
    const sample = [receipts[0]!, receipts[1]!, receipts[150]!, revotedReceipts[0]!];
    for (const [i, receipt] of sample.entries()) {
      const file = path.join(work, `receipt-${i.toString()}.json`);
      fs.writeFileSync(file, JSON.stringify(receipt));
      const { code, stdout } = await audit(['receipt', file, ...pin]);
      expect(code, stdout).to.equal(0);
      expect(stdout).to.include('receipt check: OK');
      expect(stdout).to.match(/trust anchors +config chain replayed from the pinned genesis \(config blocks 0\b/);
    }
    // receipts[0] is voter lc-0's first ballot, which the re-vote replaced: still provable, and shown as replaced.
    const replaced = await audit(['receipt', path.join(work, 'receipt-0.json'), ...pin]);
    expect(replaced.stdout).to.match(/current ballot of this voter +replaced by a re-vote/);

    const forged = path.join(work, 'forged.json');
    fs.writeFileSync(forged, JSON.stringify({ ...receipts[2], ballotHash: 'ab'.repeat(32) }));
    expect((await audit(['receipt', forged, ...pin])).code).to.equal(1);
  });

  it("when a receipt is checked against a full audit's checkpoint, then it passes; with no trust anchors at all, it is refused; with --trust-peer it says it is weaker", async function () {
    const file = path.join(work, 'receipt-1.json');
    const withCheckpoint = await audit(['receipt', file, '--checkpoint', path.join(work, 'checkpoint.json')]);
    expect(withCheckpoint.code, withCheckpoint.stdout).to.equal(0);
    expect(withCheckpoint.stdout).to.match(/trust anchors +checkpoint .*checkpoint\.json \(audited to block \d+\), config of block \d+/);
    const none = await audit(['receipt', file]);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.include("'receipt' needs verified trust anchors");
    const weaker = await audit(['receipt', file, '--trust-peer']);
    expect(weaker.code, weaker.stdout).to.equal(0);
    expect(weaker.stdout).to.include('receipt check: OK (WEAKER CHECK');
  });

  it("when an exported block is re-signed with the orderer's key it still verifies; re-signed with the city's ballot-relay or peer key, its orderer signature FAILS", async function () {
    const exported = path.join(work, 'export-resigned');
    expect((await audit(['export', '--out', exported])).code).to.equal(0);
    const target = receipts[0]!.blockNumber;
    const file = path.join(exported, `${target.toString()}.block`);
    const original = fs.readFileSync(file);
    const city = readNetwork().orgs.city!;
    const fromJson = (p: string): Buffer => fs.readFileSync(path.resolve(path.dirname(networkJsonFile), p));
    const node = (kind: 'orderers' | 'peers', name: string, part: string): Buffer => fs.readFileSync(path.join(runDir, 'orgs', 'city', kind, name, 'msp', part));
    const verify = async (name: string): Promise<AuditReport> => {
      const json = path.join(work, `resigned-${name}.json`);
      await audit(['verify', '--from-dir', exported, '--quiet', '--genesis-hash', genesisHash, '--json', json]);
      return readReport(json);
    };

    // The helper itself is sound: the orderer's own key gives a block the auditor accepts.
    fs.writeFileSync(file, resignBlock(original, city.mspId, node('orderers', 'orderer0', 'signcerts/cert.pem'), node('orderers', 'orderer0', 'keystore/key.pem')));
    expect((await verify('orderer')).signatures.status).to.equal('OK');

    const relay = city.identities['ballot-relay'];
    fs.writeFileSync(file, resignBlock(original, city.mspId, fromJson(relay.certPath), fromJson(relay.keyPath)));
    const byRelay = await verify('relay');
    expect(byRelay.chain.status).to.equal('OK');
    expect(byRelay.verdict).to.equal('FAIL');
    expect(byRelay.signatures.failures).to.have.length(1);
    expect(byRelay.signatures.failures[0]!.block).to.equal(target);
    expect(byRelay.signatures.failures[0]!.reason).to.match(/^the signer \S+ \(CityMSP\) is a client, not an orderer node$/);

    fs.writeFileSync(file, resignBlock(original, city.mspId, node('peers', 'peer0', 'signcerts/cert.pem'), node('peers', 'peer0', 'keystore/key.pem')));
    expect((await verify('peer')).signatures.failures[0]!.reason).to.match(/^the signer peer0-city \(CityMSP\) is a peer, not an orderer node$/);
  });

  it('when an exported copy is verified, then it passes; when a ballot in it is altered, then the chain breaks and the poll MISMATCHes', async function () {
    const exported = path.join(work, 'export');
    expect((await audit(['export', '--out', exported])).code).to.equal(0);
    const intact = await audit(['verify', '--from-dir', exported, '--quiet', '--genesis-hash', genesisHash]);
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
