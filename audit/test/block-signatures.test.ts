import { expect } from 'chai';
import { common } from '@hyperledger/fabric-protos';
import { decodeBlock } from '../src/block-decoder';
import { checkBlockSignatures } from '../src/block-signatures';
import type { ChannelConfigInfo } from '../src/channel-config';
import { type BlockSigner, LedgerBuilder, type LedgerOptions, impostorSigner, reseal } from './support/ledger-builder';
import { orgs, testOrg } from './support/pki';
import { castTx } from './support/scenario';

/** Block 1 of a one-ballot ledger, signed by `signers`, judged against the genesis config. */
function verdictFor(signers: readonly BlockSigner[], options: LedgerOptions = {}): ReturnType<typeof checkBlockSignatures> {
  const ledger = new LedgerBuilder({ ...options, signers });
  ledger.addBlock([castTx('p1', 'alice', { q1: ['red'] })]);
  return checkBlockSignatures(decodeBlock(ledger.blocks[1]!), decodeBlock(ledger.blocks[0]!).config);
}

describe('block-signatures', function () {
  describe('checkBlockSignatures', function () {
    const ledger = new LedgerBuilder();
    ledger.addBlock([castTx('p1', 'alice', { q1: ['red'] })]);
    const genesis = decodeBlock(ledger.blocks[0]!);
    const config = genesis.config;

    it("when the block is signed by the consenter's orderer node, then OK with the signer", function () {
      expect(checkBlockSignatures(decodeBlock(ledger.blocks[1]!), config)).to.deep.equal({ status: 'OK', signers: ['CityMSP:orderer0-city'] });
    });

    it('when the genesis block is unsigned, then UNSIGNED_GENESIS (it is pinned by hash instead)', function () {
      expect(checkBlockSignatures(genesis, undefined).status).to.equal('UNSIGNED_GENESIS');
    });

    it('when the certificate was issued by another CA, then FAILED', function () {
      const verdict = checkBlockSignatures(decodeBlock(reseal(ledger.blocks, 1, impostorSigner)[1]!), config);
      expect(verdict).to.deep.equal({ status: 'FAILED', reason: "the certificate was not issued by CityMSP's CA" });
    });

    it("when the block is re-sealed with a client certificate of the orderer organisation's CA (the gateway's ballot-relay), then FAILED", function () {
      expect(orgs.city.client.certificate.toString()).to.not.equal(orgs.city.orderer.certificate.toString());
      const verdict = checkBlockSignatures(decodeBlock(reseal(ledger.blocks, 1, orgs.city.client)[1]!), config);
      expect(verdict).to.deep.equal({ status: 'FAILED', reason: 'the signer ballot-relay-city (CityMSP) is a client, not an orderer node' });
    });

    it("when the block is signed by a peer or an admin of the orderer organisation's CA, then FAILED", function () {
      expect(verdictFor([orgs.city.peer])).to.have.property('reason', 'the signer peer0-city (CityMSP) is a peer, not an orderer node');
      expect(verdictFor([orgs.city.admin])).to.have.property('reason', 'the signer admin-city (CityMSP) is a admin, not an orderer node');
    });

    it("when the signer is an orderer of the organisation's CA but not a consenter, then FAILED", function () {
      const other = { ...orgs.city.ca.issue({ OU: ['orderer'], CN: 'orderer1-city' }), mspId: 'CityMSP' };
      expect(verdictFor([other])).to.have.property('reason', 'the signer orderer1-city (CityMSP) is not a consenter of the channel config in force');
    });

    it("when another ordering organisation's orderer has the consenter's CN, then FAILED: the TLS certificate must chain to the signer's own MSP", function () {
      const lookalike = testOrg('city', 'DeptMSP');
      const verdict = verdictFor([lookalike.orderer], { config: { ordering: [orgs.city, lookalike], application: [orgs.city, lookalike, orgs.observer] } });
      expect(verdict).to.have.property('reason', 'the signer orderer0-city (DeptMSP) is not a consenter of the channel config in force');
    });

    it('when the consenter TLS certificate has the same CN as the enrollment certificate (cryptogen layout), then OK', function () {
      const node = { ...orgs.dept, ordererTls: orgs.dept.orderer };
      const verdict = verdictFor([orgs.dept.orderer], { config: { ordering: [node], consenters: [node] } });
      expect(verdict).to.deep.equal({ status: 'OK', signers: ['DeptMSP:orderer0-dept'] });
    });

    it("when the MSP's NodeOUs config names another orderer OU, then a certificate with OU=orderer is not an orderer", function () {
      expect(verdictFor([orgs.city.orderer], { config: { ordererOu: 'ordering-node' } })).to.have.property('reason').that.matches(/is a member, not an orderer node/);
    });

    it("when the signature does not cover this header (the header was edited), then FAILED", function () {
      const block = common.Block.deserializeBinary(ledger.blocks[1]!);
      block.getHeader()!.setNumber(9);
      expect(checkBlockSignatures(decodeBlock(block.serializeBinary()), config)).to.have.property('reason').that.matches(/does not verify/);
    });

    it('when a non-genesis block carries no signature, then FAILED', function () {
      expect(verdictFor([])).to.deep.equal({ status: 'FAILED', reason: 'the block is not signed' });
    });

    it('when the signer is not an orderer organisation of the channel, then FAILED', function () {
      expect(verdictFor([orgs.observer.orderer])).to.have.property('reason').that.matches(/ObserverMSP, which is not an orderer organisation/);
    });

    it('when no config has been seen, or the consensus type is not understood, then FAILED', function () {
      expect(checkBlockSignatures(decodeBlock(ledger.blocks[1]!), undefined).status).to.equal('FAILED');
      const solo = { ...config!, consensusType: 'solo' } satisfies ChannelConfigInfo;
      expect(checkBlockSignatures(decodeBlock(ledger.blocks[1]!), solo)).to.have.property('reason').that.matches(/'solo': the auditor cannot tell/);
    });
  });
});
