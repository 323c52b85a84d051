import { expect } from 'chai';
import { decodeBlock } from '../src/block-decoder';
import { checkBlockSignatures } from '../src/block-signatures';
import { LedgerBuilder, impostorSigner, reseal } from './support/ledger-builder';
import { castTx } from './support/scenario';

describe('block-signatures', function () {
  describe('checkBlockSignatures', function () {
    const ledger = new LedgerBuilder();
    ledger.addBlock([castTx('p1', 'alice', { q1: ['red'] })]);
    const genesis = decodeBlock(ledger.blocks[0]!);
    const ordererMsps = genesis.config?.ordererMsps;

    it('when the block is signed by the orderer organisation named in the config, then OK with the signer', function () {
      const verdict = checkBlockSignatures(decodeBlock(ledger.blocks[1]!), ordererMsps);
      expect(verdict).to.deep.equal({ status: 'OK', signers: ['OrdererMSP:orderer0'] });
    });

    it('when the genesis block is unsigned, then UNSIGNED_GENESIS (it is pinned by hash instead)', function () {
      expect(checkBlockSignatures(genesis, undefined).status).to.equal('UNSIGNED_GENESIS');
    });

    it('when the certificate was issued by another CA, then FAILED', function () {
      const forged = reseal(ledger.blocks, 1, impostorSigner);
      const verdict = checkBlockSignatures(decodeBlock(forged[1]!), ordererMsps);
      expect(verdict.status).to.equal('FAILED');
      expect(verdict).to.have.property('reason').that.matches(/root CA/);
    });

    it("when the signature does not cover this header (the header was edited), then FAILED", async function () {
      const { common } = await import('@hyperledger/fabric-protos');
      const block = common.Block.deserializeBinary(ledger.blocks[1]!);
      block.getHeader()!.setNumber(9);
      const verdict = checkBlockSignatures(decodeBlock(block.serializeBinary()), ordererMsps);
      expect(verdict).to.have.property('reason').that.matches(/does not verify/);
    });

    it('when a non-genesis block carries no signature, then FAILED', async function () {
      const { common } = await import('@hyperledger/fabric-protos');
      const block = common.Block.deserializeBinary(ledger.blocks[1]!);
      const metadata = block.getMetadata()!.getMetadataList_asU8();
      block.getMetadata()!.setMetadataList([new Uint8Array(0), ...metadata.slice(1)]);
      expect(checkBlockSignatures(decodeBlock(block.serializeBinary()), ordererMsps)).to.deep.equal({ status: 'FAILED', reason: 'the block is not signed' });
    });

    it('when the signer is not an orderer organisation of the channel, then FAILED', function () {
      const verdict = checkBlockSignatures(decodeBlock(ledger.blocks[1]!), { OtherMSP: { rootCerts: [], intermediateCerts: [] } });
      expect(verdict).to.have.property('reason').that.matches(/not an orderer organisation/);
    });

    it('when no config has been seen, then FAILED', function () {
      expect(checkBlockSignatures(decodeBlock(ledger.blocks[1]!), undefined).status).to.equal('FAILED');
    });
  });
});
