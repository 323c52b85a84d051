import { status as GrpcStatus } from '@grpc/grpc-js';
import { CommitError, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { ApiError, CHAINCODE_CODES, ChaincodeError, ERROR_STATUS, LedgerUnavailableError, fromChaincodeError, parseChaincodeMessage } from '../src/errors';
import { expect } from './chai';
import { serviceError } from './fakes';

/** Shaped like what fabric-gateway throws when the chaincode refuses an endorsement (Fabric 2.5). */
function endorseError(chaincodeMessage: string): EndorseError {
  return new EndorseError({
    code: GrpcStatus.ABORTED,
    message: '10 ABORTED: failed to endorse transaction, see attached details for more info',
    details: [{ address: 'peer0.city.example.com:7051', mspId: 'CityMSP', message: `chaincode response 500, ${chaincodeMessage}` }],
    cause: serviceError(GrpcStatus.ABORTED, 'failed to endorse transaction, see attached details for more info'),
    transactionId: 'a'.repeat(64),
  });
}

describe('errors', () => {
  describe('fromChaincodeError', () => {
    const expected: Readonly<Record<(typeof CHAINCODE_CODES)[number], number>> = {
      INVALID_ARGUMENT: 400,
      INVALID_ANSWER: 400,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      POLL_NOT_OPEN: 409,
      ALREADY_VOTED: 409,
      INVALID_STATE: 409,
      ALREADY_EXISTS: 409,
    };
    for (const [code, status] of Object.entries(expected)) {
      it(`when an EndorseError carries "${code}: …" from the chaincode, then it becomes ${code} with HTTP ${status}`, () => {
        const error = fromChaincodeError(endorseError(`${code}: something about p1`));
        expect(error).to.be.instanceOf(ChaincodeError);
        expect(error.code).to.equal(code);
        expect(error.httpStatus).to.equal(status);
        expect(error.message).to.equal('something about p1');
      });
    }

    it('when an evaluate fails in the chaincode, then the code is read from the GatewayError too', () => {
      const error = new GatewayError({
        code: GrpcStatus.UNKNOWN,
        message: '2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, NOT_FOUND: poll p9 does not exist',
        details: [],
        cause: serviceError(GrpcStatus.UNKNOWN, 'evaluate call to endorser returned error'),
      });
      expect(fromChaincodeError(error)).to.include({ code: 'NOT_FOUND', message: 'poll p9 does not exist' });
    });

    it('when the chaincode reports INVALID_ANSWER, then details name the reason, question and option', () => {
      const error = fromChaincodeError(endorseError('INVALID_ANSWER: UNKNOWN_OPTION q1/green: no such option'));
      expect(error.details).to.deep.equal({ reason: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'green' });
      const missing = fromChaincodeError(endorseError('INVALID_ANSWER: MISSING_QUESTION q2: not answered'));
      expect(missing.details).to.deep.equal({ reason: 'MISSING_QUESTION', questionId: 'q2' });
    });

    it('when the chaincode quotes an odd id as a JSON string, then details carry the id unquoted', () => {
      const quoted = fromChaincodeError(endorseError('INVALID_ANSWER: UNKNOWN_QUESTION "a: b/\\"c": no such question'));
      expect(quoted.details).to.deep.equal({ reason: 'UNKNOWN_QUESTION', questionId: 'a: b/"c' });
      const option = fromChaincodeError(endorseError('INVALID_ANSWER: UNKNOWN_OPTION q1/"x y": no such option'));
      expect(option.details).to.deep.equal({ reason: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'x y' });
    });

    it('when the INVALID_ANSWER text does not follow the format, then the code stands without details', () => {
      const error = fromChaincodeError(endorseError('INVALID_ANSWER: answers must be an object'));
      expect(error).to.include({ code: 'INVALID_ANSWER', details: undefined });
    });

    it('when the chaincode message has no known leading code, then it is a 502 LEDGER_ERROR, not a guess from the prose', () => {
      const error = fromChaincodeError(endorseError('TypeError: cannot read NOT_FOUND: of undefined'));
      expect(error.code).to.equal('LEDGER_ERROR');
      expect(error.httpStatus).to.equal(502);
      expect(error.details).to.deep.equal({ grpcStatus: 'ABORTED', txId: 'a'.repeat(64) });
    });

    it('when the peer is unreachable, then it is 503 LEDGER_UNAVAILABLE', () => {
      const error = fromChaincodeError(serviceError(GrpcStatus.UNAVAILABLE, 'No connection established'));
      expect(error).to.be.instanceOf(LedgerUnavailableError);
      expect(error.httpStatus).to.equal(503);
    });

    it('when a deadline expires, then it is 503 LEDGER_UNAVAILABLE', () => {
      expect(fromChaincodeError(serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded')).code).to.equal('LEDGER_UNAVAILABLE');
    });

    it('when a commit fails with MVCC_READ_CONFLICT, then it is 409 LEDGER_CONFLICT', () => {
      const error = fromChaincodeError(new CommitError({ code: StatusCode.MVCC_READ_CONFLICT, transactionId: 'tx1', message: 'x' }));
      expect(error).to.include({ code: 'LEDGER_CONFLICT' });
      expect(error.details).to.deep.equal({ txId: 'tx1', validationCode: 'MVCC_READ_CONFLICT' });
    });

    it('when a commit fails the endorsement policy, then it is 502 TRANSACTION_INVALID', () => {
      const error = fromChaincodeError(new CommitError({ code: StatusCode.ENDORSEMENT_POLICY_FAILURE, transactionId: 'tx1', message: 'x' }));
      expect(error.code).to.equal('TRANSACTION_INVALID');
      expect(error.httpStatus).to.equal(502);
    });

    it('when the error is already an ApiError, then it is returned unchanged', () => {
      const original = new ApiError('RATE_LIMITED', 'slow down');
      expect(fromChaincodeError(original)).to.equal(original);
    });

    it('when the error is unknown, then it is a 500 INTERNAL whose message reveals nothing', () => {
      const error = fromChaincodeError(new Error('secret internals'));
      expect(error).to.include({ code: 'INTERNAL', message: 'internal error' });
      expect(error.cause).to.be.instanceOf(Error);
    });
  });

  describe('parseChaincodeMessage', () => {
    it('when the message has no colon or an unknown code, then it is not a refusal', () => {
      expect(parseChaincodeMessage('plain text')).to.equal(undefined);
      expect(parseChaincodeMessage('WEIRD_CODE: text')).to.equal(undefined);
    });
  });

  describe('ERROR_STATUS', () => {
    it('when any code is looked up, then its status is a 4xx or 5xx', () => {
      for (const status of Object.values(ERROR_STATUS)) expect(status).to.be.within(400, 599);
    });
  });
});
