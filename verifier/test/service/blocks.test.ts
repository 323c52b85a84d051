import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { common } from '@hyperledger/fabric-protos';
import { headerHashOf, headerOnly, readBlock } from '../../src/service/blocks';
import { buildChain, castBallot, castBallots, hex64, pollTx } from './support/blocks';

describe('service/blocks', () => {
  describe('headerHashOf', () => {
    it('hashes the DER SEQUENCE of number, previous hash and data hash, as Fabric does', () => {
      const header = new common.BlockHeader();
      header.setNumber(128);
      header.setPreviousHash(Buffer.alloc(32, 1));
      header.setDataHash(Buffer.alloc(32, 2));
      // 128 needs a leading zero byte to stay a positive INTEGER.
      const der = Buffer.concat([Buffer.from('3048020200800420', 'hex'), Buffer.alloc(32, 1), Buffer.from('0420', 'hex'), Buffer.alloc(32, 2)]);
      expect(headerHashOf(header)).to.equal(createHash('sha256').update(der).digest('hex'));
    });
  });

  describe('readBlock', () => {
    const [config, polls, ballots, garbage] = buildChain([
      { config: true },
      { txs: [pollTx('CreatePoll', 'p1'), { txId: hex64('q'), args: ['GetPoll', 'p1'] }] },
      {
        txs: [
          castBallot('p1', 'alice', 11),
          // A ballot written by another function still reveals the poll's ballots.
          { txId: hex64('odd'), args: ['Other'], writes: ['ballot~p2~' + hex64('x')] },
          // Another chaincode's CastBallot is not ours.
          { txId: hex64('cc'), chaincode: 'other', args: ['CastBallot', 'p3', hex64('y')] },
        ],
      },
      { garbage: true },
    ]);

    it('marks a config block', () => {
      expect(readBlock(config!, 'polls')).to.include({ number: 0, isConfig: true, undecodable: false });
    });

    it('when a poll transaction ran, then touchesPolls is set; queries do not count', () => {
      const facts = readBlock(polls!, 'polls');
      expect(facts.touchesPolls).to.be.true;
      expect([...facts.ballotPolls]).to.deep.equal([]);
    });

    it('collects the polls whose ballots the block reveals, from arguments and writes, valid or not', () => {
      const facts = readBlock(ballots!, 'polls');
      expect([...facts.ballotPolls].sort()).to.deep.equal(['p1', 'p2']);
      expect(facts.ballots).to.deep.equal([
        { txId: hex64('tx:p1:alice'), txIndex: 0, pollId: 'p1', ballots: [{ ballotId: hex64('voter:alice') }], validationCode: 'MVCC_READ_CONFLICT' },
      ]);
    });

    it('reads a CastBallots transaction as one of ballots: its poll is revealed, its written ballots indexed with their positions', () => {
      const [, batch] = buildChain([{ config: true }, { txs: [castBallots('p1', ['a', 'b', 'c'], { written: ['a', 'c'] })] }]);
      const facts = readBlock(batch!, 'polls');
      expect([...facts.ballotPolls]).to.deep.equal(['p1']);
      expect(facts.touchesPolls).to.be.false;
      expect(facts.ballots).to.deep.equal([
        { txId: hex64('batch:p1:a,b,c'), txIndex: 0, pollId: 'p1', ballots: [{ ballotId: hex64('voter:a'), position: 0 }, { ballotId: hex64('voter:c'), position: 2 }], validationCode: 'VALID' },
      ]);
    });

    it('when a CastBallots transaction wrote nothing (every ballot refused) or is invalid, then its arguments still reveal its poll', () => {
      const [, refused, invalid] = buildChain([
        { config: true },
        { txs: [castBallots('p1', ['a', 'b'], { written: [] })] },
        { txs: [castBallots('p2', ['a'], { code: 11 })] },
      ]);
      expect([...readBlock(refused!, 'polls').ballotPolls]).to.deep.equal(['p1']);
      expect(readBlock(refused!, 'polls').ballots).to.deep.equal([]);
      expect([...readBlock(invalid!, 'polls').ballotPolls]).to.deep.equal(['p2']);
    });

    it('when a CastBallots transaction\'s ballots do not fit the protocol, then its poll is revealed all the same and nothing is indexed', () => {
      const [, odd] = buildChain([{ config: true }, { txs: [{ txId: hex64('odd-batch'), args: ['CastBallots', 'p1', '{"not":"a list"}'], writes: [] }] }]);
      const facts = readBlock(odd!, 'polls');
      expect([...facts.ballotPolls]).to.deep.equal(['p1']);
      expect(facts.ballots).to.deep.equal([]);
    });

    it('when a transaction cannot be read, then the block is undecodable', () => {
      expect(readBlock(garbage!, 'polls').undecodable).to.be.true;
    });
  });

  describe('headerOnly', () => {
    it('empties the data and keeps header and metadata', () => {
      const [, , ballots] = buildChain([{ config: true }, { config: true }, { txs: [castBallot('p1', 'a')] }]);
      const full = common.Block.deserializeBinary(ballots!);
      const stripped = common.Block.deserializeBinary(headerOnly(ballots!));
      expect(stripped.getData()?.getDataList()).to.have.length(0);
      expect(stripped.getHeader()?.serializeBinary()).to.deep.equal(full.getHeader()?.serializeBinary());
      expect(stripped.getMetadata()?.serializeBinary()).to.deep.equal(full.getMetadata()?.serializeBinary());
    });
  });
});
