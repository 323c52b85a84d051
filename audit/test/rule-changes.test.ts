import { expect } from 'chai';
import { Orgs } from '@poll-ledger/protocol';
import { decodeBlock } from '../src/block-decoder';
import { LedgerReplay } from '../src/ledger-replay';
import type { ReplayStateJson } from '../src/replay-state';
import type { RuleChange } from '../src/rule-changes';
import { GOVERNANCE_ADMINS, or, who } from './support/config-builder';
import { CHANNEL, Codes, LedgerBuilder, NAMESPACE } from './support/ledger-builder';
import { type Signer, orgs, rogue, testOrg } from './support/pki';
import { castTx, pollRecord, pollTx, rulesScenario } from './support/scenario';
import { approveTx, commitTx } from './support/tx-builder';

function replay(blocks: readonly Uint8Array[], from = new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE })): LedgerReplay {
  blocks.forEach((b) => from.apply(decodeBlock(b)));
  return from;
}
const changesOf = (builder: LedgerBuilder): readonly RuleChange[] => replay(builder.blocks).toJSON().ruleChanges;
/** As the protocol lists them, so a new observer organisation does not change these expectations. */
const OBSERVERS = Orgs.observers.join(', ');
const signers = (c: RuleChange | undefined): string[] => (c?.signedBy ?? []).map((s) => `${s.mspId} ${s.role}${s.verified ? '' : ' UNVERIFIED'}`);

describe('rule-changes', function () {
  describe('config updates', function () {
    it("when the observer's admin co-signs, then the update is an OK rule change naming what changed and who signed", function () {
      const b = new LedgerBuilder();
      b.addConfigBlock({ batchTimeout: '5s' }, { signers: [orgs.observer.admin, orgs.city.admin], submitter: orgs.city.admin });
      const [change] = changesOf(b);
      expect(change).to.deep.include({ kind: 'config', block: 1, verdict: 'OK', problems: [], summary: 'config update (1 element changed)' });
      expect(change?.changes).to.deep.equal(['modified [Value] /Channel/Orderer/BatchTimeout: timeout 5s (mod_policy Admins) (was timeout 2s (mod_policy Admins))']);
      expect(signers(change)).to.deep.equal(['ObserverMSP admin', 'CityMSP admin']);
      expect(change?.submittedBy).to.deep.include({ mspId: 'CityMSP', role: 'admin', name: 'admin-city', verified: true });
      expect(change?.envelopeCreator).to.deep.include({ mspId: 'CityMSP', role: 'orderer', verified: true });
    });

    it('when City and Dept admins change a policy without the observer, then it FAILS although the peer marked it VALID', function () {
      const b = new LedgerBuilder();
      const block = b.addConfigBlock({ policies: { 'Application/Admins': or(who('CityMSP', 'admin'), who('DeptMSP', 'admin')) } }, { signers: [orgs.city.admin, orgs.dept.admin] });
      expect(decodeBlock(b.blocks[block]!).transactions[0]?.validationCodeName).to.equal('VALID');
      const state = replay(b.blocks).toJSON();
      const [change] = state.ruleChanges;
      expect(change?.verdict).to.equal('FAILED');
      expect(change?.problems).to.deep.equal([
        `no valid signature of an observer organisation's admin (${OBSERVERS}): the city administration could have made it alone`,
      ]);
      expect(change?.changes).to.deep.equal([
        "modified [Policy] /Channel/Application/Admins: OR('CityMSP.admin', 'DeptMSP.admin') (mod_policy Admins) (was AND('ObserverMSP.admin', OR('CityMSP.admin', 'DeptMSP.admin')) (mod_policy Admins))",
      ]);
      expect(signers(change)).to.deep.equal(['CityMSP admin', 'DeptMSP admin']);
      // Signed by the channel's own consenter, it is what the channel runs on: accepted, and still a failure.
      expect(state.configs.map((c) => c.block)).to.deep.equal([0, 1]);
    });

    const flagged: [string, readonly Signer[]][] = [
      ["an observer client's signature instead of an admin's", [orgs.observer.client, orgs.city.admin]],
      ["an 'ObserverMSP' signature made with a certificate of the city's CA", [{ ...orgs.city.admin, mspId: 'ObserverMSP' }, orgs.city.admin]],
      ['no signature at all', []],
    ];
    for (const [what, signedBy] of flagged) {
      it(`when the update carries ${what}, then it FAILS`, function () {
        const b = new LedgerBuilder();
        b.addConfigBlock({ batchTimeout: '9s' }, { signers: signedBy, submitter: orgs.city.admin });
        expect(changesOf(b)[0]?.verdict).to.equal('FAILED');
      });
    }

    it('when a config block carries no config update (as only a genesis block may), then it FAILS', function () {
      const b = new LedgerBuilder();
      b.addConfigBlock({ batchTimeout: '9s' }, undefined);
      expect(changesOf(b)[0]?.problems).to.deep.equal([
        'no config update inside: only a genesis block may set a config without one',
        `no valid signature of an observer organisation's admin (${OBSERVERS}): the city administration could have made it alone`,
      ]);
    });

    it("when the update replaces the observer's MSP and signs as that new observer, then the signature is judged by the old MSP and FAILS", function () {
      const fake = testOrg('observer', 'ObserverMSP');
      const b = new LedgerBuilder();
      b.addConfigBlock({ application: [orgs.city, orgs.dept, fake] }, { signers: [fake.admin, orgs.city.admin] });
      const [change] = changesOf(b);
      expect(change?.verdict).to.equal('FAILED');
      expect(change?.signedBy[0]).to.deep.include({ mspId: 'ObserverMSP', verified: false, problem: "the certificate was not issued by ObserverMSP's CA" });
      expect(change?.changes).to.have.length(1);
      expect(change?.changes[0]).to.match(/^modified \[Value\] \/Channel\/Application\/ObserverMSP\/MSP: sha256:[0-9a-f]{16} \(mod_policy Admins\) \(was sha256:/);
    });

    it('when a forged config block adds a rogue orderer organisation and consenter, signed by the rogue, then it is not accepted and what the rogue signs fails', function () {
      const b = new LedgerBuilder();
      const forged = { ordering: [orgs.city, rogue], consenters: [orgs.city, rogue], application: [orgs.city, orgs.dept, orgs.observer, rogue] };
      const block = b.addConfigBlock(forged, { signers: [rogue.admin] }, { signers: [rogue.orderer] });
      b.addBlock([castTx('p', 'x', { q1: ['red'], q2: [] })], { signers: [rogue.orderer] });
      const state = replay(b.blocks).toJSON();
      expect(state.configs.map((c) => c.block)).to.deep.equal([0]);
      expect(state.signatureFailures.map((f) => f.block)).to.deep.equal([block, block + 1]);
      expect(state.signatureFailures[0]?.reason).to.equal('signed by RogueMSP, which is not an orderer organisation of the channel');
      const [change] = state.ruleChanges;
      expect(change?.verdict).to.equal('FAILED');
      expect(change?.problems[0]).to.match(/^not accepted as the config in force: the block's orderer signatures fail/);
      expect(change?.changes).to.include.members(['added [Group] /Channel/Application/RogueMSP: mod_policy Admins', 'added [Group] /Channel/Orderer/RogueMSP: mod_policy Admins']);
      expect(change?.changes.some((c) => c.includes('/Channel/Orderer/RogueMSP/MSP'))).to.be.false;
    });
  });

  describe('chaincode definitions (_lifecycle)', function () {
    it('when a definition is committed with an observer endorsement, then OK with its sequence and decoded policy; the next shows what it replaced', function () {
      const b = new LedgerBuilder();
      b.addBlock([commitTx('polls', 2, GOVERNANCE_ADMINS, [orgs.observer.peer, orgs.city.peer])]);
      b.addBlock([commitTx('polls', 3, or(who('ObserverMSP', 'peer'), who('DeptMSP', 'peer')), [orgs.observer.peer, orgs.dept.peer])]);
      const [first, second] = changesOf(b);
      expect(first).to.deep.include({ kind: 'chaincode-definition', summary: 'chaincode polls sequence 2', verdict: 'OK' });
      expect(first?.changes).to.deep.equal([
        'polls: sequence: 2', 'polls: version: 1.2', "polls: endorsement policy: AND('ObserverMSP.admin', OR('CityMSP.admin', 'DeptMSP.admin'))",
      ]);
      expect(signers(first)).to.deep.equal(['ObserverMSP peer', 'CityMSP peer']);
      expect(first?.submittedBy).to.deep.include({ mspId: 'ObserverMSP', role: 'peer', verified: true });
      expect(second?.changes).to.include.members(['polls: sequence: 3 (was 2)', "polls: endorsement policy: OR('ObserverMSP.peer', 'DeptMSP.peer') (was AND('ObserverMSP.admin', OR('CityMSP.admin', 'DeptMSP.admin')))"]);
    });

    it('when a definition is endorsed by City only, or by a City peer claiming to be the observer, then it FAILS although VALID', function () {
      for (const endorsers of [[orgs.city.peer], [{ ...orgs.city.peer, mspId: 'ObserverMSP' }, orgs.city.peer]]) {
        const b = new LedgerBuilder();
        b.addBlock([commitTx('polls', 2, who('CityMSP', 'peer'), endorsers)]);
        const [change] = changesOf(b);
        expect(change).to.deep.include({ verdict: 'FAILED' });
        expect(change?.problems).to.deep.equal([
          `not endorsed by an observer organisation (${OBSERVERS}): the city administration could have made it alone`,
        ]);
      }
    });

    it('when a lifecycle write is not VALID, then it changed nothing and is no rule change', function () {
      const b = new LedgerBuilder();
      b.addBlock([{ ...commitTx('polls', 2, who('CityMSP', 'peer'), [orgs.city.peer]), code: Codes.ENDORSEMENT_POLICY_FAILURE }]);
      expect(changesOf(b)).to.deep.equal([]);
    });

    it("when an organisation approves a definition, then it is listed as an approval (INFO), not as a change of the rules", function () {
      const b = new LedgerBuilder();
      b.addBlock([approveTx(orgs.city.peer)]);
      const [change] = changesOf(b);
      expect(change).to.deep.include({ kind: 'chaincode-approval', verdict: 'INFO', summary: 'approval by CityMSP (ApproveChaincodeDefinitionForMyOrg)', openPolls: [] });
    });
  });

  describe('polls open during a rule change', function () {
    it('when rules change while a poll is open, then that poll (and only it) remembers each change', function () {
      const s = rulesScenario();
      const state = replay(s.blocks).toJSON();
      const gov = state.polls.find((p) => p.pollId === 'gov');
      const late = state.polls.find((p) => p.pollId === 'late');
      expect(gov?.rulesChangedWhileOpen?.map((c) => [c.block, c.kind, c.verdict])).to.deep.equal([
        [s.approvedConfig, 'config', 'OK'],
        [s.cityDeptConfig, 'config', 'FAILED'],
        [s.approvedCommit, 'chaincode-definition', 'OK'],
        [s.cityOnlyCommit, 'chaincode-definition', 'FAILED'],
      ]);
      expect(late?.rulesChangedWhileOpen).to.equal(undefined);
      expect(state.ruleChanges.map((c) => c.openPolls)).to.deep.equal([['gov'], ['gov'], [], [], ['gov'], ['gov']]);
    });

    it('when the state is saved as JSON and restored at any block, then the rule changes, definitions and configs carry over exactly', function () {
      const { blocks } = rulesScenario();
      const full = replay(blocks).toJSON();
      for (let k = 1; k < blocks.length; k += 1) {
        const saved = JSON.parse(JSON.stringify(replay(blocks.slice(0, k)).toJSON())) as ReplayStateJson;
        expect(replay(blocks.slice(k), new LedgerReplay({ channel: CHANNEL, namespace: NAMESPACE }, saved)).toJSON()).to.deep.equal(full);
      }
    });

    it('when a poll is opened after the changes, then it is not marked', function () {
      const b = new LedgerBuilder();
      b.addConfigBlock({ batchTimeout: '5s' }, { signers: [orgs.observer.admin, orgs.city.admin] });
      b.addBlock([pollTx({ ...pollRecord('p', 'none'), status: 'open' }, 'OpenPoll')]);
      expect(replay(b.blocks).polls.get('p')?.rulesChangedWhileOpen).to.deep.equal([]);
    });
  });
});
