import * as chaincode from '@poll-ledger/chaincode/dist/domain';
import { expect } from 'chai';
import { canonicalJson, sha256Hex } from '../src/canonical';
import { ballotHashOf } from '../src/recompute';

describe('canonical', function () {
  describe('canonicalJson', function () {
    const samples: unknown[] = [
      { b: 1, a: [3, 2, { d: null, c: true }], '': 'x' },
      { pollId: 'p1', ballotId: 'ab', answers: { q2: ['usb', 'ac'], q1: ['red'] }, castAt: '2026-01-01T00:00:00.000Z', txId: 't' },
      { text: 'quote " backslash \\ newline \n tab \t unicode é € 😀 \u0001', n: [0, -0, 1.5, 1e21, 1e-7, 123456789012] },
      { 'é': 1, e: 2, Z: 3, z: 4, '10': 5, '9': 6 },
      [],
      'plain',
    ];

    it("when given any JSON value, then it produces the chaincode's bytes exactly (RFC 8785)", function () {
      for (const sample of samples) {
        expect(canonicalJson(sample)).to.equal(chaincode.canonicalJson(sample));
      }
    });

    it('when given a non-finite number, then it throws', function () {
      expect(() => canonicalJson({ n: Number.NaN })).to.throw(TypeError);
    });
  });

  describe('ballotHashOf', function () {
    it("when given a ballot's content, then it equals the chaincode's ballotHash", function () {
      const content = { pollId: 'p1', ballotId: 'a'.repeat(64), answers: { q1: ['red'], q2: ['ac', 'usb'] }, castAt: '2026-06-01T12:00:07.123Z', txId: 'f'.repeat(64) };
      expect(ballotHashOf(content)).to.equal(chaincode.ballotHash(content));
      expect(ballotHashOf(content)).to.equal(sha256Hex(canonicalJson(content)));
    });
  });
});
