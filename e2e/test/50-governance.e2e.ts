/**
 * Governance on the real network (docs/governance.md): the city administration, City IT and its departments
 * acting together, cannot change the rules without an observer, whichever path it takes (channel config of
 * every group, org membership, capabilities, an org's own MSP and policies, chaincode definitions); with the
 * observer, a legitimate change goes through; identities cannot be minted twice from a known secret; the
 * orderer's admin endpoint takes only the org admin's certificate; and a second department joins with
 * `network.sh addOrg`.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chaincodeErrorCode, connectAs, evaluate, submit } from './support/fabric';
import {
  type ChannelConfig,
  adminTlsIdentity,
  cloneConfig,
  configUpdate,
  definitionPolicy,
  enrollWith,
  fetchConfig,
  groupAt,
  lineOf,
  networkVerb,
  ordererArgs,
  ordererRefusal,
  osnadmin,
  peerArgs,
  peerAs,
  readSecrets,
  scratchDir,
  secretsFile,
  signaturePolicy,
  signUpdate,
  submitUpdate,
} from './support/governance';
import { isAlive, networkScript, readNetwork, runDir, trackedPids } from './support/network';
import { colourPoll, uniquePollId } from './support/polls';

const ORDERER_REFUSAL = /BAD_REQUEST -- error applying config update to existing channel 'polls': error authorizing update: error validating DeltaSet: policy for \[(Group|Value|Policy)\]\s+\S+ not satisfied: signature set did not satisfy policy/;

interface Attack {
  /** What the city administration tries. */
  what: string;
  /** The element the orderer names in its refusal. */
  element: RegExp;
  change(config: ChannelConfig): void;
}

const attacks: Attack[] = [
  {
    what: 'LifecycleEndorsement becomes OR(CityMSP.member), so chaincode definitions no longer need the observer',
    element: /\[Policy\] \/Channel\/Application\/LifecycleEndorsement /,
    change: (c) => { groupAt(c, 'Application').policies.LifecycleEndorsement!.policy = signaturePolicy(1, ['CityMSP', 'MEMBER']); },
  },
  {
    what: 'the Application Admins policy becomes OR(CityMSP.admin)',
    element: /\[Policy\] \/Channel\/Application\/Admins /,
    change: (c) => { groupAt(c, 'Application').policies.Admins!.policy = signaturePolicy(1, ['CityMSP', 'ADMIN']); },
  },
  {
    what: 'the channel Admins policy becomes OR(CityMSP.admin, DeptMSP.admin)',
    element: /\[Policy\] \/Channel\/Admins /,
    change: (c) => { groupAt(c).policies.Admins!.policy = signaturePolicy(1, ['CityMSP', 'ADMIN'], ['DeptMSP', 'ADMIN']); },
  },
  {
    what: 'the Orderer Admins policy becomes OR(CityMSP.admin)',
    element: /\[Policy\] \/Channel\/Orderer\/Admins /,
    change: (c) => { groupAt(c, 'Orderer').policies.Admins!.policy = signaturePolicy(1, ['CityMSP', 'ADMIN']); },
  },
  {
    what: 'the Application capabilities change (V2_5 to V2_0)',
    element: /\[Value\]\s+\/Channel\/Application\/Capabilities /,
    change: (c) => { groupAt(c, 'Application').values.Capabilities!.value = { capabilities: { V2_0: {} } }; },
  },
  {
    what: 'the orderer batch timeout changes',
    element: /\[Value\]\s+\/Channel\/Orderer\/BatchTimeout /,
    change: (c) => { groupAt(c, 'Orderer').values.BatchTimeout!.value = { timeout: '3s' }; },
  },
  {
    what: "CityMSP's own Endorsement policy becomes OR(CityMSP.member)",
    element: /\[Policy\] \/Channel\/Application\/CityMSP\/Endorsement /,
    change: (c) => { groupAt(c, 'Application', 'CityMSP').policies.Endorsement!.policy = signaturePolicy(1, ['CityMSP', 'MEMBER']); },
  },
  {
    what: "DeptMSP's MSP also trusts the city's root CA (an org's own MSP)",
    element: /\[Value\]\s+\/Channel\/Application\/DeptMSP\/MSP /,
    change: (c) => {
      const msp = (group: string) => (groupAt(c, 'Application', group).values.MSP!.value as { config: { root_certs: string[] } }).config;
      msp('DeptMSP').root_certs.push(...msp('CityMSP').root_certs);
    },
  },
  {
    what: "the city's orderer endpoints change (an ordering org's own group)",
    element: /\[Value\]\s+\/Channel\/Orderer\/CityMSP\/Endpoints /,
    change: (c) => { groupAt(c, 'Orderer', 'CityMSP').values.Endpoints!.value = { addresses: ['127.0.0.1:1'] }; },
  },
  {
    what: 'a new org, PuppetMSP, that the city controls, joins the channel',
    element: /\[Group\]\s+\/Channel\/Application /,
    change: (c) => {
      const application = groupAt(c, 'Application');
      const puppet = structuredClone(application.groups.CityMSP!);
      (puppet.values.MSP!.value as { config: { name: string } }).config.name = 'PuppetMSP';
      application.groups.PuppetMSP = puppet;
    },
  },
];

describe('governance: the city administration cannot change the channel rules alone', function () {
  let dir: string;
  let original: ChannelConfig;

  before(async function () {
    dir = scratchDir('governance');
    original = await fetchConfig(dir);
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when the channel config is checked, then every element of it needs an observer admin and a city or department admin', async function () {
    const file = path.join(dir, 'check.json');
    fs.writeFileSync(file, JSON.stringify(original));
    const result = await networkVerb('config', 'check', file);
    expect(result.code, result.output).to.equal(0);
    expect(result.stdout).to.match(/every element of the channel config \(\d+ checked\) needs an observer admin and a city or department admin/);
    for (const [name, group] of Object.entries(groupAt(original, 'Application').groups)) {
      const modPolicies = [group.mod_policy, ...Object.values(group.values).map((v) => v.mod_policy), ...Object.values(group.policies).map((p) => p.mod_policy)];
      expect(new Set(modPolicies), name).to.deep.equal(new Set(['/Channel/Application/Admins']));
    }
  });

  attacks.forEach((attack, i) => {
    it(`when only the City and Dept admins sign an update where ${attack.what}, then the orderer refuses it`, async function () {
      const modified = cloneConfig(original);
      attack.change(modified);
      const file = await configUpdate(dir, `attack-${String(i)}`, original, modified);
      await signUpdate(file, 'city');
      const result = await submitUpdate(file, 'dept');

      const refusal = ordererRefusal(result.output);
      console.log(`        orderer: ${refusal}`);
      expect(result.code, result.output).to.not.equal(0);
      expect(refusal).to.match(ORDERER_REFUSAL);
      expect(refusal).to.match(attack.element);
    });
  });

  it('when all those updates were refused, then the channel config is what it was', async function () {
    const now = await fetchConfig(dir);
    expect(now.sequence).to.equal(original.sequence);
    expect(now.channel_group).to.deep.equal(original.channel_group);
  });

  it('when the observer admin signs too, then the same kind of change (the orderer batch timeout) is accepted and visible in the fetched config', async function () {
    const before = await fetchConfig(dir);
    const timeout = (c: ChannelConfig): unknown => groupAt(c, 'Orderer').values.BatchTimeout!.value.timeout;
    const was = timeout(before);
    const setTimeoutTo = (c: ChannelConfig, value: string): ChannelConfig => {
      const modified = cloneConfig(c);
      groupAt(modified, 'Orderer').values.BatchTimeout!.value = { timeout: value };
      return modified;
    };

    const file = await configUpdate(dir, 'batch-timeout', before, setTimeoutTo(before, '250ms'));
    await signUpdate(file, 'city');
    await signUpdate(file, 'dept');
    const accepted = await submitUpdate(file, 'observer');
    console.log(`        ${lineOf(accepted.output, /accepted|refused/)}`);
    expect(accepted.code, accepted.output).to.equal(0);
    const after = await fetchConfig(dir);
    expect(timeout(after)).to.equal('250ms');
    expect(Number(after.sequence)).to.equal(Number(before.sequence) + 1);

    // Back to the configured value, with the observer and the city: later tests see the network as it was.
    const restore = await configUpdate(dir, 'batch-timeout-restore', after, setTimeoutTo(after, String(was)));
    await signUpdate(restore, 'observer');
    const restored = await submitUpdate(restore, 'city');
    expect(restored.code, restored.output).to.equal(0);
    expect(timeout(await fetchConfig(dir))).to.equal(was);
  });
});

describe('governance: a chaincode definition needs an observer', function () {
  interface Committed { sequence: number; version: string }

  it("when City and Dept approve and commit a definition of 'polls' with --signature-policy OR('CityMSP.peer'), then it cannot be committed", async function () {
    const query = ['lifecycle', 'chaincode', 'querycommitted', '-C', 'polls', '-n', 'polls', '-O', 'json'];
    const beforeJson = (await peerAs('city', query)).stdout;
    const before = JSON.parse(beforeJson) as Committed;
    const packageId = fs.readFileSync(path.join(runDir, 'chaincode', 'polls', 'package-id'), 'utf8').trim();
    const definition = ['-C', 'polls', '-n', 'polls', '-v', 'city-takeover', '--sequence', String(before.sequence + 1), '--signature-policy', "OR('CityMSP.peer')"];

    for (const org of ['city', 'dept']) {
      const approved = await peerAs(org, ['lifecycle', 'chaincode', 'approveformyorg', ...definition, '--package-id', packageId, ...ordererArgs()]);
      expect(approved.code, approved.output).to.equal(0);
    }
    const readiness = await peerAs('city', ['lifecycle', 'chaincode', 'checkcommitreadiness', ...definition, '-O', 'json']);
    expect(JSON.parse(readiness.stdout)).to.deep.equal({ approvals: { CityMSP: true, DeptMSP: true, ObserverMSP: false, WatchdogMSP: false } });

    // Endorsed by the City and Dept peers only: LifecycleEndorsement needs the observer's.
    const byCityAndDept = await peerAs('city', ['lifecycle', 'chaincode', 'commit', ...definition, ...peerArgs('city', 'dept'), ...ordererArgs()]);
    console.log(`        commit endorsed by City and Dept: ${lineOf(byCityAndDept.output, /^Error/)}`);
    expect(byCityAndDept.code).to.not.equal(0);
    expect(byCityAndDept.output).to.match(/transaction invalidated with status \(ENDORSEMENT_POLICY_FAILURE\)/);

    // Asking either observer's peer to endorse it: neither observer has approved it.
    for (const [observer, msp] of [['observer', 'ObserverMSP'], ['watchdog', 'WatchdogMSP']] as const) {
      const withObserver = await peerAs('city', ['lifecycle', 'chaincode', 'commit', ...definition, ...peerArgs('city', observer), ...ordererArgs()]);
      console.log(`        commit asking the ${observer}'s peer: ${lineOf(withObserver.output, /^Error/)}`);
      expect(withObserver.code).to.not.equal(0);
      expect(withObserver.output).to.include(`chaincode definition not agreed to by this org (${msp})`);
    }

    const afterJson = (await peerAs('city', query)).stdout;
    expect(JSON.parse(afterJson)).to.include({ sequence: before.sequence, version: before.version });
    expect(await definitionPolicy(afterJson)).to.equal(await definitionPolicy(beforeJson));
    expect(await definitionPolicy(afterJson)).to.include("'ObserverMSP.peer'");
  });
});

describe('identities: a secret enrolls once', function () {
  it('when the secrets are made, then they are random, only their owner can read them, and no log shows them', function () {
    expect(fs.statSync(path.dirname(secretsFile('city'))).mode & 0o777).to.equal(0o700);
    const orgs = Object.keys(readNetwork().orgs);
    const secrets = orgs.flatMap((org) => {
      expect(fs.statSync(secretsFile(org)).mode & 0o777, org).to.equal(0o600);
      return [...readSecrets(org)].map(([name, secret]) => ({ org, name, secret }));
    });
    expect(secrets.length).to.be.greaterThan(orgs.length * 5);
    for (const { name, secret } of secrets) {
      expect(secret, name).to.match(/^[0-9a-f]{32}$/);
      expect(secret).to.not.equal(`${name}-pw`);
    }
    expect(new Set(secrets.map((s) => s.secret)).size).to.equal(secrets.length);
    const logs = path.join(runDir, 'logs');
    for (const file of fs.readdirSync(logs)) {
      const text = fs.readFileSync(path.join(logs, file), 'utf8');
      expect(secrets.filter((s) => text.includes(s.secret)).map((s) => `${s.org}/${s.name}`), file).to.deep.equal([]);
    }
  });

  for (const name of ['poll-admin-city', 'admin']) {
    it(`when ${name}'s secret from the run directory is used to enroll again, then the CA refuses it`, async function () {
      const secret = readSecrets('city').get(name);
      expect(secret, `${name} in ${secretsFile('city')}`).to.be.a('string');
      const second = await enrollWith('city', name, secret!);
      console.log(`        fabric-ca-client: ${lineOf(second.output, /^Error/)}`);
      expect(second.code).to.not.equal(0);
      expect(second.output).to.match(/Authentication failure/);
      const caLog = fs.readFileSync(path.join(runDir, 'logs', 'ca.city.log'), 'utf8');
      const reason = `The identity ${name} has already enrolled 1 times, it has reached its maximum enrollment allowance`;
      console.log(`        CA log: ${lineOf(caLog, new RegExp(`identity ${name} has already enrolled`))}`);
      expect(caLog).to.include(reason);
    });
  }
});

describe('orderer admin endpoint: admin identities only', function () {
  const cityOrg = path.join(runDir, 'orgs', 'city');

  it("when the city admin's osnadmin certificate (admin-TLS CA) is used, then the endpoint answers", async function () {
    const admin = adminTlsIdentity('city');
    const result = await osnadmin(['channel', 'list'], admin.cert, admin.key);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.include('"name": "polls"');
  });

  it("when a client identity (the city's ballot-relay) is used as the TLS client certificate, then the endpoint refuses it", async function () {
    const relay = path.join(cityOrg, 'users', 'ballot-relay', 'msp');
    const result = await osnadmin(['channel', 'list'], path.join(relay, 'signcerts', 'cert.pem'), path.join(relay, 'keystore', 'key.pem'));
    console.log(`        osnadmin: ${lineOf(result.output, /^Error/)}`);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.match(/tls: (certificate required|bad certificate|unknown certificate authority)/);
  });

  it("when the orderer's own TLS certificate (issued by the same org CA) is used, then the endpoint refuses it too", async function () {
    const tls = path.join(cityOrg, 'orderers', 'orderer0', 'tls');
    const result = await osnadmin(['channel', 'remove', '--channelID', 'polls'], path.join(tls, 'server.crt'), path.join(tls, 'server.key'));
    console.log(`        osnadmin: ${lineOf(result.output, /^Error/)}`);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.match(/tls: (certificate required|bad certificate|unknown certificate authority)/);
  });
});

describe('governance: a second department joins (network.sh addOrg)', function () {
  it('when network.sh addOrg dept2 runs, then its CA, peer and chaincode server run, its peer has joined, and it is in network.json and status', async function () {
    const started = Date.now();
    await networkScript('addOrg', 'dept2');
    console.log(`        addOrg dept2: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    expect(readNetwork().orgs.dept2).to.include({ mspId: 'Dept2MSP' });
    const pids = trackedPids();
    for (const name of ['ca.dept2', 'peer0.dept2', 'ccserver.dept2']) {
      expect(pids.get(name), name).to.be.a('number');
      expect(isAlive(pids.get(name)!), name).to.equal(true);
    }
    const status = await networkVerb('status');
    expect(status.output).to.match(/peer0\.dept2\s+running/);
    const heights = new Map([...status.output.matchAll(/^\s+peer0\.(\w+)\s+\S+:\d+\s+height (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect([...heights.keys()]).to.include.members(['city', 'dept', 'observer', 'dept2']);
    // Caught up with the channel (a block may still be on its way to one of them).
    expect(Math.abs(heights.get('dept2')! - heights.get('city')!), JSON.stringify([...heights])).to.be.at.most(1);

    const dir = scratchDir('addorg');
    try {
      const config = await fetchConfig(dir, 'dept2');
      const group = groupAt(config, 'Application', 'Dept2MSP');
      const modPolicies = [group.mod_policy, ...Object.values(group.values).map((v) => v.mod_policy), ...Object.values(group.policies).map((p) => p.mod_policy)];
      expect(new Set(modPolicies)).to.deep.equal(new Set(['/Channel/Application/Admins']));
      expect(Object.keys(group.values).sort()).to.deep.equal(['AnchorPeers', 'MSP']);
      const file = path.join(dir, 'config.json');
      fs.writeFileSync(file, JSON.stringify(config));
      const check = await networkVerb('config', 'check', file);
      expect(check.code, check.output).to.equal(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("when the new department's poll-admin creates a poll through its own peer, then the poll is its department's", async function () {
    const dept2 = connectAs('dept2', 'poll-admin');
    try {
      const id = uniquePollId('dept2');
      try {
        await submit(dept2, 'CreatePoll', JSON.stringify(colourPoll(id)));
      } catch (err) {
        const code = chaincodeErrorCode(err);
        if (code === 'FORBIDDEN') {
          throw new Error('the chaincode refused CreatePoll by Dept2MSP poll-admin (FORBIDDEN): its access rule does not yet count a new application MSP as a department');
        }
        const details = (err as { details?: { mspId: string; message: string }[] }).details ?? [];
        throw new Error(`CreatePoll by Dept2MSP poll-admin failed: ${String(err)}${details.map((d) => `\n  ${d.mspId}: ${d.message}`).join('')}`);
      }
      expect(await evaluate(dept2, 'GetPoll', id)).to.include({ id, status: 'draft', ownerMsp: 'Dept2MSP' });
    } finally {
      dept2.close();
    }
  });
});
