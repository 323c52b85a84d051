import { expect } from 'chai';
import { BlockDecodeError, decodeBlock, validationCodeName } from '../src/block-decoder';
import { blockHeaderHash } from '../src/hash-chain';
import { Codes, LedgerBuilder, NAMESPACE, ORDERER_MSP } from './support/ledger-builder';
import { castTx, pollRecord, pollTx } from './support/scenario';

describe('block-decoder', function () {
  describe('decodeBlock', function () {
    it('when given the genesis config block, then it is number 0, unsigned, and names the orderer organisation with its root CA', function () {
      const block = decodeBlock(new LedgerBuilder().blocks[0]!);
      expect(block.number).to.equal(0);
      expect(block.previousHash).to.have.length(0);
      expect(block.signatures).to.deep.equal([]);
      expect(block.transactions).to.have.length(1);
      expect(block.transactions[0]).to.include({ headerType: 'CONFIG', validationCodeName: 'VALID' });
      expect(Object.keys(block.config?.ordererMsps ?? {})).to.deep.equal([ORDERER_MSP]);
      expect(block.config?.ordererMsps[ORDERER_MSP]?.rootCerts[0]).to.match(/^-----BEGIN CERTIFICATE-----/);
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
