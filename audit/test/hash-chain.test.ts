import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { blockDataHash, blockHeaderDer, blockHeaderHash, checkLink } from '../src/hash-chain';

const fill = (byte: number, length = 32): Buffer => Buffer.alloc(length, byte);

describe('hash-chain', function () {
  describe('blockHeaderDer', function () {
    it('when the header is block 1, then it is SEQUENCE { INTEGER 1, OCTET STRING prev, OCTET STRING data }', function () {
      const der = blockHeaderDer({ number: 1, previousHash: fill(0xaa), dataHash: fill(0xbb) });
      const expected = Buffer.concat([
        Buffer.from([0x30, 0x47, 0x02, 0x01, 0x01, 0x04, 0x20]), fill(0xaa), Buffer.from([0x04, 0x20]), fill(0xbb),
      ]);
      expect(der.toString('hex')).to.equal(expected.toString('hex'));
    });

    it('when the number has its top bit set, then the INTEGER gets a leading zero byte', function () {
      const der = blockHeaderDer({ number: 128, previousHash: Buffer.alloc(0), dataHash: Buffer.alloc(0) });
      expect(der.toString('hex')).to.equal('3008020200800400' + '0400');
    });

    it('when the number is 0 (genesis, empty previous hash), then INTEGER 0 and an empty OCTET STRING', function () {
      const der = blockHeaderDer({ number: 0, previousHash: Buffer.alloc(0), dataHash: fill(0x01) });
      expect(der.subarray(0, 7).toString('hex')).to.equal('302702010004' + '00');
    });

    it('when the number needs several bytes, then they are big-endian and minimal', function () {
      const der = blockHeaderDer({ number: 0x010203, previousHash: Buffer.alloc(0), dataHash: Buffer.alloc(0) });
      expect(der.toString('hex')).to.equal('3009020301020304000400');
    });

    it('when the content is 128 bytes or more, then the length uses the long form', function () {
      const der = blockHeaderDer({ number: 2, previousHash: fill(0xcc, 200), dataHash: Buffer.alloc(0) });
      expect(der.subarray(0, 4).toString('hex')).to.equal('3081d002');
      expect(der.subarray(6, 10).toString('hex')).to.equal('0481c8cc');
    });
  });

  describe('blockHeaderHash and blockDataHash', function () {
    it('when hashing a header, then it is the SHA-256 of its DER encoding', function () {
      const header = { number: 7, previousHash: fill(1), dataHash: fill(2) };
      const expected = createHash('sha256').update(blockHeaderDer(header)).digest('hex');
      expect(blockHeaderHash(header).toString('hex')).to.equal(expected);
    });

    it('when hashing block data, then it is the SHA-256 of the entries concatenated', function () {
      const entries = [Buffer.from('ab'), Buffer.from('cde')];
      expect(blockDataHash(entries).toString('hex')).to.equal(createHash('sha256').update('abcde').digest('hex'));
    });
  });

  describe('checkLink', function () {
    const data = [Buffer.from('tx')];
    const previous = { number: 0, previousHash: Buffer.alloc(0), dataHash: blockDataHash([Buffer.from('genesis')]) };
    const header = { number: 1, previousHash: blockHeaderHash(previous), dataHash: blockDataHash(data) };

    it('when the block carries the previous header hash and its own data hash, then there is no fault', function () {
      expect(checkLink(header, blockDataHash(data), blockHeaderHash(previous))).to.deep.equal([]);
    });

    it('when the data changed, then DATA_HASH', function () {
      expect(checkLink(header, blockDataHash([Buffer.from('tX')]), blockHeaderHash(previous))).to.deep.equal(['DATA_HASH']);
    });

    it('when the previous header changed, then PREVIOUS_HASH', function () {
      const other = blockHeaderHash({ ...previous, number: 5 });
      expect(checkLink(header, blockDataHash(data), other)).to.deep.equal(['PREVIOUS_HASH']);
    });

    it('when the genesis block has a non-empty previous hash, then PREVIOUS_HASH', function () {
      expect(checkLink({ ...previous, previousHash: fill(9) }, previous.dataHash, undefined)).to.deep.equal(['PREVIOUS_HASH']);
    });
  });
});
