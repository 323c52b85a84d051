import { expect } from 'chai';
import { common, peer } from '@hyperledger/fabric-protos';
import { decodeBlock } from '../src/block-decoder';
import { configDiff, decodeConfigEnvelope } from '../src/channel-config';
import { applicationPolicyText, policyText, signaturePolicyText } from '../src/policy-text';
import { LedgerBuilder } from './support/ledger-builder';
import { and, or, signaturePolicyEnvelope, who } from './support/config-builder';
import { orgs } from './support/pki';

const configOf = (spec: Parameters<LedgerBuilder['addConfigBlock']>[0]) => {
  const b = new LedgerBuilder();
  b.addConfigBlock(spec, { signers: [orgs.observer.admin] });
  return [decodeBlock(b.blocks[0]!).config!, decodeBlock(b.blocks[1]!).config!] as const;
};

describe('channel-config', function () {
  describe('configDiff', function () {
    it('when an organisation leaves, then one line says its group was removed, not every value inside it', function () {
      const [before, after] = configOf({ application: [orgs.city, orgs.observer] });
      expect(configDiff(before, after)).to.deep.equal(['removed [Group] /Channel/Application/DeptMSP']);
      expect(configDiff(after, before)).to.deep.equal(['added [Group] /Channel/Application/DeptMSP: mod_policy Admins']);
    });

    it('when the consenters change, then the ConsensusType value is modified', function () {
      const [before, after] = configOf({ ordering: [orgs.city, orgs.dept], consenters: [orgs.city, orgs.dept] });
      expect(configDiff(before, after).map((l) => l.split(':')[0])).to.deep.equal([
        'modified [Value] /Channel/Orderer/ConsensusType', 'added [Group] /Channel/Orderer/DeptMSP',
      ]);
    });

    it('when nothing changed, then no line', function () {
      const [before] = configOf({});
      expect(configDiff(before, before)).to.deep.equal([]);
    });
  });

  describe('decodeConfigEnvelope', function () {
    it('when the bytes are not a config envelope, then an error and no config', function () {
      const decoded = decodeConfigEnvelope(Buffer.from([0x0a, 0x03, 0xff, 0xff, 0xff]));
      expect(decoded.config).to.equal(undefined);
      expect(decoded.tx.error).to.be.a('string');
    });
  });

  describe('policy text', function () {
    it("when policies are signature, implicit-meta or channel references, then they read like Fabric's DSL", function () {
      expect(signaturePolicyText(signaturePolicyEnvelope({ n: 2, rules: [who('A', 'peer'), who('B', 'client'), who('C', 'orderer')] }))).to.equal(
        "OutOf(2, 'A.peer', 'B.client', 'C.orderer')",
      );
      expect(signaturePolicyText(signaturePolicyEnvelope(and(who('A', 'member'), or(who('B', 'admin')))))).to.equal("AND('A.member', OR('B.admin'))");
      const meta = new common.ImplicitMetaPolicy();
      meta.setRule(common.ImplicitMetaPolicy.Rule.MAJORITY);
      meta.setSubPolicy('Admins');
      const policy = new common.Policy();
      policy.setType(common.Policy.PolicyType.IMPLICIT_META);
      policy.setValue(meta.serializeBinary());
      expect(policyText(policy)).to.equal('MAJORITY Admins');
      const reference = new peer.ApplicationPolicy();
      reference.setChannelConfigPolicyReference('/Channel/Application/Endorsement');
      expect(applicationPolicyText(reference.serializeBinary())).to.equal('channel policy /Channel/Application/Endorsement');
    });

    it('when a policy does not decode or is of another type, then it is shown by its hash', function () {
      expect(applicationPolicyText(Buffer.from([0xff, 0xff]))).to.match(/^undecodable policy sha256:[0-9a-f]{16}$/);
      const policy = new common.Policy();
      policy.setType(common.Policy.PolicyType.MSP);
      policy.setValue(Buffer.from('x'));
      expect(policyText(policy)).to.match(/^policy type 2 sha256:/);
    });
  });
});
