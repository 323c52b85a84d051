/**
 * The auditor against the attack it is there for: the city administration changing the rules once a channel policy
 * lets City and Dept admins act without the observer. A legitimate update, signed by the observer and the city, first
 * makes the Application Admins policy OR(City admin, Dept admin). City and Dept alone then make LifecycleEndorsement
 * the city's, and the city alone commits a definition of `polls`. The peers mark every one of these transactions
 * VALID. The audit must report the first change as an approved rule change, and FAIL on the other two, naming who
 * signed them and what they changed. This file runs last (before 99-down): from here on the ledger fails every audit.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pinnedGenesisHash, runAudit as audit } from './support/audit';
import { cloneConfig, configUpdate, fetchConfig, groupAt, ordererArgs, peerArgs, peerAs, scratchDir, signaturePolicy, signUpdate, submitUpdate } from './support/governance';
import { runDir } from './support/network';

interface SignerInfo { mspId: string; role: string; verified: boolean }
interface RuleChange { kind: string; block: number; verdict: string; summary: string; changes: string[]; problems: string[]; signedBy: SignerInfo[] }
interface Report { verdict: string; reasons: string[]; genesis: { status: string }; ruleChanges: RuleChange[]; ledger: { genesisHash: string }; polls: { pollId: string; problems: string[] }[] }

const NO_OBSERVER = /rule change\(s\) without an observer's approval/;

describe("audit: the city administration's rule changes, on real blocks", function () {
  let dir: string;
  let genesisHash: string;
  const readReport = (file: string): Report => JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
  const signers = (c: RuleChange): string[] => c.signedBy.map((s) => `${s.mspId} ${s.role}${s.verified ? '' : ' UNVERIFIED'}`).sort();

  async function auditLedger(name: string): Promise<{ code: number | null; stdout: string; report: Report }> {
    const json = path.join(dir, `${name}.json`);
    const { code, stdout } = await audit(['--quiet', '--genesis-hash', genesisHash, '--json', json]);
    const report = readReport(json);
    expect(report.genesis.status).to.equal('MATCH');
    return { code, stdout, report };
  }

  before(async function () {
    dir = scratchDir('audit-rules');
    genesisHash = await pinnedGenesisHash(dir);
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when the ledger is audited before the attack, then no rule change has failed, and the ballot 60-time backdated past the close is flagged', async function () {
    const { report } = await auditLedger('before');
    expect(report.ruleChanges.filter((c) => c.verdict === 'FAILED')).to.deep.equal([]);
    expect(report.reasons.filter((r) => NO_OBSERVER.test(r))).to.deep.equal([]);
    const backdated = report.polls.filter((p) => p.pollId.startsWith('time-backdated'));
    expect(backdated, 'the poll 60-time.e2e.ts leaves').to.not.be.empty;
    const flags = backdated.flatMap((p) => p.problems.filter((problem) => problem.includes(': backdated')));
    console.log(`      ${flags[0] ?? 'no flag'}`);
    expect(flags).to.not.be.empty;
  });

  it('when the observer and the city let City and Dept admins change the application rules, then the audit lists that update as an OK rule change', async function () {
    const before = await fetchConfig(dir);
    const relaxed = cloneConfig(before);
    groupAt(relaxed, 'Application').policies.Admins!.policy = signaturePolicy(1, ['CityMSP', 'ADMIN'], ['DeptMSP', 'ADMIN']);
    const file = await configUpdate(dir, 'relax', before, relaxed);
    await signUpdate(file, 'observer');
    const accepted = await submitUpdate(file, 'city');
    expect(accepted.code, accepted.output).to.equal(0);

    const { report } = await auditLedger('relaxed');
    const change = report.ruleChanges.filter((c) => c.kind === 'config').at(-1)!;
    expect(change.verdict, JSON.stringify(change)).to.equal('OK');
    expect(change.changes.some((c) => c.startsWith("modified [Policy] /Channel/Application/Admins: OR('CityMSP.admin', 'DeptMSP.admin')"))).to.be.true;
    expect(signers(change)).to.deep.equal(['CityMSP admin', 'ObserverMSP admin']);
    expect(report.reasons.filter((r) => NO_OBSERVER.test(r))).to.deep.equal([]);
  });

  it('when City and Dept admins alone then make LifecycleEndorsement the city\'s, then the orderer accepts it, and the audit FAILS on it and puts it first', async function () {
    const before = await fetchConfig(dir);
    const takeover = cloneConfig(before);
    groupAt(takeover, 'Application').policies.LifecycleEndorsement!.policy = signaturePolicy(1, ['CityMSP', 'MEMBER']);
    const file = await configUpdate(dir, 'takeover', before, takeover);
    await signUpdate(file, 'city');
    const accepted = await submitUpdate(file, 'dept');
    // The attack works on the network: that is what the audit is for.
    expect(accepted.code, accepted.output).to.equal(0);

    const { code, stdout, report } = await auditLedger('takeover');
    expect(code, stdout).to.equal(1);
    const change = report.ruleChanges.filter((c) => c.kind === 'config').at(-1)!;
    expect(change.verdict).to.equal('FAILED');
    expect(change.problems).to.deep.equal([
      "no valid signature of an observer organisation's admin (ObserverMSP, WatchdogMSP): the city administration could have made it alone",
    ]);
    expect(change.changes.some((c) => c.startsWith("modified [Policy] /Channel/Application/LifecycleEndorsement: OR('CityMSP.member')"))).to.be.true;
    expect(signers(change)).to.deep.equal(['CityMSP admin', 'DeptMSP admin']);
    expect(report.reasons.some((r) => NO_OBSERVER.test(r))).to.be.true;
    const lines = stdout.split('\n');
    expect(lines[1]).to.match(/^RULE CHANGES +\d+: 1 FAILED/);
    expect(stdout).to.include(`  block ${change.block.toString()} config update (1 element changed): FAILED`);
  });

  it("when the city alone then commits a definition of 'polls', then the peers accept it, and the audit FAILS on it: no observer endorsed it", async function () {
    const query = ['lifecycle', 'chaincode', 'querycommitted', '-C', 'polls', '-n', 'polls', '-O', 'json'];
    const committedBefore = JSON.parse((await peerAs('city', query)).stdout) as { sequence: number };
    const sequence = committedBefore.sequence + 1;
    const packageId = fs.readFileSync(path.join(runDir, 'chaincode', 'polls', 'package-id'), 'utf8').trim();
    const definition = ['-C', 'polls', '-n', 'polls', '-v', 'audit-takeover', '--sequence', String(sequence), '--signature-policy', "OR('CityMSP.peer')"];
    const approved = await peerAs('city', ['lifecycle', 'chaincode', 'approveformyorg', ...definition, '--package-id', packageId, ...ordererArgs()]);
    expect(approved.code, approved.output).to.equal(0);
    const committed = await peerAs('city', ['lifecycle', 'chaincode', 'commit', ...definition, ...peerArgs('city'), ...ordererArgs()]);
    expect(committed.code, committed.output).to.equal(0);

    const { code, report } = await auditLedger('cc-takeover');
    expect(code).to.equal(1);
    const change = report.ruleChanges.filter((c) => c.kind === 'chaincode-definition').at(-1)!;
    expect(change).to.deep.include({ verdict: 'FAILED', summary: `chaincode polls sequence ${sequence.toString()}` });
    expect(change.problems).to.deep.equal(['not endorsed by an observer organisation (ObserverMSP, WatchdogMSP): the city administration could have made it alone']);
    expect(change.changes).to.include(`polls: sequence: ${sequence.toString()} (was ${committedBefore.sequence.toString()})`);
    expect(change.changes.some((c) => c.startsWith("polls: endorsement policy: OR('CityMSP.peer') (was "))).to.be.true;
    expect(signers(change)).to.deep.equal(['CityMSP peer']);
    expect(report.ruleChanges.filter((c) => c.verdict === 'FAILED')).to.have.length(2);
  });
});
