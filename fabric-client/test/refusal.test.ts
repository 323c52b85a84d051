import { expect } from 'chai';
import { loadVectors } from '@poll-ledger/protocol';
import { chaincodeErrorOf, unwrapChaincodeMessage } from '../src/refusal';

describe('chaincode refusals in fabric-gateway errors', function () {
  for (const vector of loadVectors('error-payloads')) {
    it(`when the peer wraps "${vector.name}", then the payload is ${vector.payload === null ? 'none' : vector.payload.code}`, function () {
      const wrapped = `chaincode response 500, ${vector.message}`;
      const submit = { message: '10 ABORTED: failed to endorse transaction', details: [{ message: wrapped }] };
      const evaluate = { message: `evaluate call to endorser returned error: ${wrapped}` };
      expect(chaincodeErrorOf(submit) ?? null).to.deep.equal(vector.payload);
      expect(chaincodeErrorOf(evaluate) ?? null).to.deep.equal(vector.payload);
    });
  }

  it('when a text does not wrap a chaincode message, then nothing is read from it', function () {
    const payload = loadVectors('error-payloads')[0]!.message;
    expect(unwrapChaincodeMessage('14 UNAVAILABLE: connection refused')).to.equal(undefined);
    expect(chaincodeErrorOf({ message: payload })).to.equal(undefined);
    expect(chaincodeErrorOf('a string')).to.equal(undefined);
  });
});
