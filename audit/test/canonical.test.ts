import { expect } from 'chai';
import { canonicalJson, compareCodeUnits, sha256Hex } from '../src/canonical';
import { ballotHashOf, ballotHashText } from '../src/recompute';

/** Edge cases of the auditor's own encoder; agreement with the chaincode is proven on the protocol vectors (vectors.test.ts). */
describe('canonical', function () {
  describe('canonicalJson', function () {
    it('when given an object, then keys are sorted by UTF-16 code units and undefined members are left out', function () {
      expect(canonicalJson({ b: 1, a: [3, 2, { d: null, c: true }], '': 'x', u: undefined })).to.equal('{"":"x","a":[3,2,{"c":true,"d":null}],"b":1}');
      expect(canonicalJson({ '\u{1F600}': 1, '\uFF61': 2 })).to.equal('{"\u{1F600}":1,"\uFF61":2}');
    });

    it('when given numbers, then ECMAScript form (-0 is 0)', function () {
      expect(canonicalJson([0, -0, 1.5, 1e21, 1e-7, 123456789012])).to.equal('[0,0,1.5,1e+21,1e-7,123456789012]');
    });

    it('when given a non-finite number or a value JSON cannot hold, then it throws', function () {
      expect(() => canonicalJson({ n: Number.NaN })).to.throw(TypeError);
      expect(() => canonicalJson(() => 1)).to.throw(TypeError);
    });
  });

  describe('compareCodeUnits', function () {
    it('when comparing, then UTF-16 code unit order, not locale order', function () {
      expect(['b', 'a', 'B', 'é', 'e'].sort(compareCodeUnits)).to.deep.equal(['B', 'a', 'b', 'e', 'é']);
    });
  });

  describe('ballotHashOf', function () {
    it("when given a stored ballot, then it hashes only the content fields' canonical JSON", function () {
      const content = { pollId: 'p1', ballotId: 'a'.repeat(64), answers: { q1: ['red'], q2: ['ac', 'usb'] }, castAt: '2026-06-01T12:00:07.123Z', txId: 'f'.repeat(64) };
      const stored = { ...content, ballotHash: '0'.repeat(64), requestId: 'b'.repeat(64) };
      expect(ballotHashText(stored)).to.equal(canonicalJson(content));
      expect(ballotHashOf(stored)).to.equal(sha256Hex(canonicalJson(content)));
    });
  });
});
