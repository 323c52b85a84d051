import { expect } from 'chai';
import { BlockDecodeError, decodeBlock, validationCodeName } from '../src/block-decoder';
import { blockHeaderHash } from '../src/hash-chain';
import { Codes, LedgerBuilder, NAMESPACE, ORDERER_MSP } from './support/ledger-builder';
import { who } from './support/config-builder';
import { orgs } from './support/pki';
import { castTx, pollRecord, pollTx } from './support/scenario';
import { approveTx, commitTx } from './support/tx-builder';

describe('block-decoder', function () {
  describe('decodeBlock', function () {
    it('when given the genesis config block, then it is number 0, unsigned, and names the orderer organisation with its root CA', function () {
      const block = decodeBlock(new LedgerBuilder().blocks[0]!);
      expect(block.number).to.equal(0);
      expect(block.previousHash).to.have.length(0);
      expect(block.signatures).to.deep.equal([]);
      expect(block.transactions).to.have.length(1);
      expect(block.transactions[0]).to.include({ headerType: 'CONFIG', validationCodeName: 'VALID' });
      expect(block.config?.ordererOrgs).to.deep.equal([ORDERER_MSP]);
      expect(Object.keys(block.config?.msps ?? {}).sort()).to.deep.equal(['CityMSP', 'DeptMSP', 'ObserverMSP']);
      expect(block.config?.msps[ORDERER_MSP]?.rootCerts[0]).to.match(/^-----BEGIN CERTIFICATE-----/);
      expect(block.configTx).to.not.have.property('update');
    });

    it("when given a config, then the MSPs' NodeOUs, the etcdraft consenters' TLS certificates and every element are decoded", function () {
      const config = decodeBlock(new LedgerBuilder().blocks[0]!).config!;
      expect(config.msps.CityMSP?.nodeOUs?.orderer).to.include({ ou: 'orderer', certificate: orgs.city.ca.certificate.toString() });
      expect(config.msps.ObserverMSP?.tlsRootCerts).to.deep.equal([orgs.observer.ca.certificate.toString()]);
      expect(config.consensusType).to.equal('etcdraft');
      expect(config.consenters).to.deep.equal([{ kind: 'tls', endpoint: '127.0.0.1:7050', tlsCerts: [orgs.city.ordererTls.certificate.toString()] }]);
      expect(config.elements['[Policy] /Channel/Application/Admins']).to.equal(
        "AND('ObserverMSP.admin', OR('CityMSP.admin', 'DeptMSP.admin')) (mod_policy Admins)",
      );
      expect(config.elements['[Policy] /Channel/Orderer/BlockValidation']).to.equal('ANY Writers (mod_policy Admins)');
      expect(config.elements['[Value] /Channel/Orderer/BatchTimeout']).to.equal('timeout 2s (mod_policy Admins)');
      expect(config.elements).to.have.property('[Group] /Channel/Application/DeptMSP');
    });

    it('when given a BFT config, then its consenters carry their id, MSP and enrollment certificate', function () {
      const config = decodeBlock(new LedgerBuilder({ config: { consensus: 'BFT', consenters: [orgs.city, orgs.observer] } }).blocks[0]!).config!;
      expect(config.consensusType).to.equal('BFT');
      expect(config.consenters.map((c) => (c.kind === 'identity' ? [c.id, c.mspId, c.identity] : c.kind))).to.deep.equal([
        [1, 'CityMSP', orgs.city.orderer.certificate.toString()],
        [2, 'ObserverMSP', orgs.observer.orderer.certificate.toString()],
      ]);
    });

    it("when given a config update block, then the update's signatures, its submitter and the envelope's creator are extracted", function () {
      const builder = new LedgerBuilder();
      builder.addConfigBlock({ batchTimeout: '5s' }, { signers: [orgs.observer.admin, orgs.dept.admin], submitter: orgs.dept.admin });
      const block = decodeBlock(builder.blocks[1]!);
      expect(block.configTx?.update?.signatures.map((s) => s.mspId)).to.deep.equal(['ObserverMSP', 'DeptMSP']);
      expect(block.configTx?.update?.submitter?.mspId).to.equal('DeptMSP');
      expect(block.configTx?.creator?.mspId).to.equal('CityMSP');
      expect(block.lastConfigIndex).to.equal(1);
    });

    it('when a transaction writes to _lifecycle, then its endorsements are kept with their signed bytes; a ballot keeps none', function () {
      const builder = new LedgerBuilder();
      builder.addBlock([commitTx('polls', 2, who('ObserverMSP', 'peer'), [orgs.observer.peer]), approveTx(orgs.dept.peer), castTx('p1', 'a', { q1: ['red'] })]);
      const [commit, approve, ballot] = decodeBlock(builder.blocks[1]!).transactions;
      expect(commit?.endorsements?.map((e) => e.mspId)).to.deep.equal(['ObserverMSP']);
      expect(commit?.functionName).to.equal('CommitChaincodeDefinition');
      expect(approve?.namespaces[0]).to.deep.include({ namespace: '_lifecycle', collections: ['_implicit_org_DeptMSP'] });
      expect(ballot).to.not.have.property('endorsements');
    });

    it('when a block is signed BFT-style by consenter id, then the signature names the id and no certificate', function () {
      const builder = new LedgerBuilder({ signers: [{ ...orgs.city.orderer, consenterId: 3 }] });
      builder.addBlock([castTx('p1', 'alice', { q1: ['red'] })]);
      expect(decodeBlock(builder.blocks[1]!).signatures[0]).to.deep.include({ consenterId: 3, mspId: '' });
    });

    it('when given an endorser block, then each transaction has its id, code, function, creator, endorsers and KV writes', function () {
      const builder = new LedgerBuilder();
      const valid = castTx('p1', 'alice', { q1: ['red'] });
      const conflicted = castTx('p1', 'bob', { q1: ['blue'] }, { code: Codes.MVCC_READ_CONFLICT });
      builder.addBlock([valid, conflicted, pollTx(pollRecord('p1', 'none'), 'CreatePoll')]);
      const block = decodeBlock(builder.blocks[1]!);

      expect(block.number).to.equal(1);
      expect(block.transactions.map((t) => [t.index, t.validationCodeName, t.functionName])).to.deep.equal([
        [0, 'VALID', 'CastBallot'],
        [1, 'MVCC_READ_CONFLICT', 'CastBallot'],
        [2, 'VALID', 'CreatePoll'],
      ]);
      const tx = block.transactions[0]!;
      expect(tx).to.include({ txId: valid.txId, headerType: 'ENDORSER_TRANSACTION', creatorMspId: 'CityMSP', chaincodeName: NAMESPACE });
      expect(tx.endorserMspIds).to.deep.equal(['ObserverMSP', 'CityMSP']);
      expect(tx.namespaces).to.have.length(1);
      const write = tx.namespaces[0]!.writes[0]!;
      expect(write.key).to.equal(`ballot~p1~${valid.ballot.ballotId}`);
      expect(JSON.parse(write.value.toString('utf8'))).to.deep.equal(valid.ballot);
    });

    it('when the tx timestamp has sub-millisecond digits, then the decoded timestamp is truncated to milliseconds like castAt', function () {
      const builder = new LedgerBuilder();
      const tx = castTx('p1', 'alice', { q1: ['red'] }, { minute: 42 });
      builder.addBlock([tx]);
      expect(decodeBlock(builder.blocks[1]!).transactions[0]?.timestamp).to.equal(tx.ballot.castAt);
    });

    it('when decoding, then the header hash and data hash are recomputed from the bytes, and the orderer signature is extracted', function () {
      const builder = new LedgerBuilder();
      builder.addBlock([castTx('p1', 'alice', { q1: ['red'] })]);
      const genesis = decodeBlock(builder.blocks[0]!);
      const block = decodeBlock(builder.blocks[1]!);
      expect(block.previousHash.equals(genesis.headerHash)).to.be.true;
      expect(block.computedDataHash.equals(block.dataHash)).to.be.true;
      expect(block.headerHash.equals(blockHeaderHash(block))).to.be.true;
      expect(block.signatures).to.have.length(1);
      expect(block.signatures[0]?.mspId).to.equal(ORDERER_MSP);
      expect(block.lastConfigIndex).to.equal(0);
    });

    it('when the bytes are not a block, then it throws BlockDecodeError', function () {
      expect(() => decodeBlock(Buffer.from('definitely not protobuf \xff\xff\xff'))).to.throw(BlockDecodeError);
    });

    it('when the block has no header, then it throws BlockDecodeError', function () {
      expect(() => decodeBlock(new Uint8Array(0))).to.throw(BlockDecodeError, /no header/);
    });

    it('when an entry is not an envelope, then that transaction carries a decodeError and the block still decodes', async function () {
      const { common } = await import('@hyperledger/fabric-protos');
      const builder = new LedgerBuilder();
      builder.addBlock([castTx('p1', 'alice', { q1: ['red'] })]);
      const block = common.Block.deserializeBinary(builder.blocks[1]!);
      block.getData()!.setDataList([Buffer.from([0x0a, 0x05, 0x01])]);
      const decoded = decodeBlock(block.serializeBinary());
      expect(decoded.transactions[0]?.decodeError).to.be.a('string');
      expect(decoded.transactions[0]?.namespaces).to.deep.equal([]);
    });
  });

  describe('validationCodeName', function () {
    it('when given a Fabric code, then its name; an unknown code gets a generic name', function () {
      expect(validationCodeName(0)).to.equal('VALID');
      expect(validationCodeName(11)).to.equal('MVCC_READ_CONFLICT');
      expect(validationCodeName(10)).to.equal('ENDORSEMENT_POLICY_FAILURE');
      expect(validationCodeName(200)).to.equal('CODE_200');
    });
  });
});
