import { status as GrpcStatus } from '@grpc/grpc-js';
import { EndorseError } from '@hyperledger/fabric-gateway';
import { CommitError, StatusCode } from '@hyperledger/fabric-gateway';
import { ApiError, ChaincodeError, LedgerUnavailableError } from '../../src/errors';
import { DEADLINE_SKEW_MS, endedAtDeadline, fromFabricError, grpcCodeOf, validationCodeName } from '../../src/fabric/grpc-errors';
import { expect } from '../chai';
import { serviceError } from '../fakes';
import { endorseError, evaluateError, payloadMessage } from './peer-errors';

describe('fromFabricError', () => {
  it('when an EndorseError carries an error payload from the chaincode, then it becomes that ChaincodeError', () => {
    const error = fromFabricError(endorseError(payloadMessage('ALREADY_VOTED', 'this voter already voted')));
    expect(error).to.be.instanceOf(ChaincodeError).and.include({ code: 'ALREADY_VOTED', httpStatus: 409, message: 'this voter already voted' });
    expect(error.details).to.equal(undefined);
  });

  it('when an evaluate fails in the chaincode, then the payload is read from the GatewayError text too', () => {
    const error = fromFabricError(evaluateError(payloadMessage('NOT_FOUND', 'poll p9 does not exist')));
    expect(error).to.include({ code: 'NOT_FOUND', message: 'poll p9 does not exist' });
  });

  it('when the chaincode reports INVALID_ANSWER, then details keep the REST names (reason, questionId, optionId)', () => {
    const details = { subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'green' };
    expect(fromFabricError(endorseError(payloadMessage('INVALID_ANSWER', 'no such option', details))).details).to.deep.equal({
      reason: 'UNKNOWN_OPTION',
      questionId: 'q1',
      optionId: 'green',
    });
    const missing = fromFabricError(endorseError(payloadMessage('INVALID_ANSWER', 'not answered', { subcode: 'MISSING_QUESTION', questionId: 'q2' })));
    expect(missing.details).to.deep.equal({ reason: 'MISSING_QUESTION', questionId: 'q2' });
  });

  it('when the chaincode reports INVALID_ARGUMENT with a field, then details name the field', () => {
    const error = fromFabricError(endorseError(payloadMessage('INVALID_ARGUMENT', 'bad id', { field: 'pollId' })));
    expect(error).to.include({ code: 'INVALID_ARGUMENT', httpStatus: 400 });
    expect(error.details).to.deep.equal({ field: 'pollId' });
  });

  it('when the chaincode message is not an error payload, then it is a 502 LEDGER_ERROR, not a guess from the prose', () => {
    for (const message of ['TypeError: cannot read NOT_FOUND: of undefined', 'NOT_FOUND: poll p9 does not exist', '{"code":"NOT_FOUND"}']) {
      const error = fromFabricError(endorseError(message));
      expect(error).to.include({ code: 'LEDGER_ERROR', httpStatus: 502 });
      expect(error.details).to.deep.equal({ grpcStatus: 'ABORTED', txId: 'a'.repeat(64) });
    }
  });

  it('when endorsements could not be collected because an endorser is unreachable, then it is 503 LEDGER_UNAVAILABLE, not 502', () => {
    // As the outside run saw it while the observer's peer was down (Fabric's gateway, endorse.go / apiutils.go).
    const error = new EndorseError({
      code: GrpcStatus.ABORTED,
      message: '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info',
      details: [
        { address: 'peer0.observer.example.com:9051', mspId: 'ObserverMSP', message: 'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:9051: connect: connection refused"' },
      ],
      cause: serviceError(GrpcStatus.ABORTED, 'failed to collect enough transaction endorsements'),
      transactionId: 'a'.repeat(64),
    });
    expect(fromFabricError(error)).to.include({ code: 'LEDGER_UNAVAILABLE', httpStatus: 503 });
  });

  it('when endorsements differ between peers (no endorser unreachable), then it stays a 502 LEDGER_ERROR', () => {
    const error = new EndorseError({
      code: GrpcStatus.ABORTED,
      message: '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info',
      details: [{ address: 'peer0.city.example.com:7051', mspId: 'CityMSP', message: 'ProposalResponsePayloads do not match' }],
      cause: serviceError(GrpcStatus.ABORTED, 'failed to collect enough transaction endorsements'),
      transactionId: 'a'.repeat(64),
    });
    expect(fromFabricError(error)).to.include({ code: 'LEDGER_ERROR', httpStatus: 502 });
  });

  it('when a payload appears outside Fabric’s chaincode wrapper, then it is not taken for a refusal', () => {
    const error = serviceError(GrpcStatus.INTERNAL, payloadMessage('NOT_FOUND', 'x'));
    expect(fromFabricError(error).code).to.equal('LEDGER_ERROR');
  });

  it('when the peer is unreachable, then it is 503 LEDGER_UNAVAILABLE', () => {
    const error = fromFabricError(serviceError(GrpcStatus.UNAVAILABLE, 'No connection established'));
    expect(error).to.be.instanceOf(LedgerUnavailableError);
    expect(error.httpStatus).to.equal(503);
  });

  it('when a deadline expires, then it is 503 LEDGER_UNAVAILABLE', () => {
    expect(fromFabricError(serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded')).code).to.equal('LEDGER_UNAVAILABLE');
  });

  it('when a commit fails with MVCC_READ_CONFLICT, then it is 409 LEDGER_CONFLICT', () => {
    const error = fromFabricError(new CommitError({ code: StatusCode.MVCC_READ_CONFLICT, transactionId: 'tx1', message: 'x' }));
    expect(error).to.include({ code: 'LEDGER_CONFLICT' });
    expect(error.details).to.deep.equal({ txId: 'tx1', validationCode: 'MVCC_READ_CONFLICT' });
  });

  it('when a commit fails the endorsement policy, then it is 502 TRANSACTION_INVALID', () => {
    const error = fromFabricError(new CommitError({ code: StatusCode.ENDORSEMENT_POLICY_FAILURE, transactionId: 'tx1', message: 'x' }));
    expect(error.code).to.equal('TRANSACTION_INVALID');
    expect(error.httpStatus).to.equal(502);
  });

  it('when the error is already an ApiError, then it is returned unchanged', () => {
    const original = new ApiError('RATE_LIMITED', 'slow down');
    expect(fromFabricError(original)).to.equal(original);
  });

  it('when the error is unknown, then it is a 500 INTERNAL whose message reveals nothing', () => {
    const error = fromFabricError(new Error('secret internals'));
    expect(error).to.include({ code: 'INTERNAL', message: 'internal error' });
    expect(error.cause).to.be.instanceOf(Error);
  });

  it('when codes are named, then Fabric validation codes and gRPC codes are read from their enums', () => {
    expect(validationCodeName(StatusCode.MVCC_READ_CONFLICT)).to.equal('MVCC_READ_CONFLICT');
    expect(validationCodeName(9999)).to.equal('CODE_9999');
    expect(grpcCodeOf(serviceError(GrpcStatus.ABORTED, 'x'))).to.equal(GrpcStatus.ABORTED);
    expect(grpcCodeOf(new Error('x'))).to.equal(undefined);
  });
});

describe('endedAtDeadline', () => {
  const deadline = 10_000;
  it('when the call ended DEADLINE_EXCEEDED, then it ended at its deadline', () => {
    expect(endedAtDeadline(serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'x'), deadline, 0)).to.equal(true);
  });
  it('when it ended CANCELLED at or just before the deadline (the server reset it), then too', () => {
    expect(endedAtDeadline(serviceError(GrpcStatus.CANCELLED, 'x'), deadline, deadline)).to.equal(true);
    expect(endedAtDeadline(serviceError(GrpcStatus.CANCELLED, 'x'), deadline, deadline - DEADLINE_SKEW_MS)).to.equal(true);
  });
  it('when it ended CANCELLED well before the deadline, or with another code, then not', () => {
    expect(endedAtDeadline(serviceError(GrpcStatus.CANCELLED, 'x'), deadline, deadline - DEADLINE_SKEW_MS - 1)).to.equal(false);
    expect(endedAtDeadline(serviceError(GrpcStatus.UNAVAILABLE, 'x'), deadline, deadline)).to.equal(false);
    expect(endedAtDeadline(new Error('x'), deadline, deadline)).to.equal(false);
  });
});
