import { ErrorCodes } from '@poll-ledger/protocol';
import { ApiError, ChaincodeError, CommitPendingError, ERROR_STATUS, LedgerBadResponseError, TransactionInvalidError } from '../src/errors';
import { expect } from './chai';

describe('errors (the HTTP catalogue)', () => {
  it('when any code is looked up, then its status is a 4xx or 5xx', () => {
    for (const status of Object.values(ERROR_STATUS)) expect(status).to.be.within(400, 599);
  });

  it('when the protocol lists a chaincode error code, then the catalogue has it with its REST status', () => {
    const expected = {
      INVALID_ARGUMENT: 400,
      INVALID_ANSWER: 400,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      POLL_NOT_OPEN: 409,
      ALREADY_VOTED: 409,
      INVALID_STATE: 409,
      ALREADY_EXISTS: 409,
      SUPERSEDED: 409,
    };
    expect(Object.fromEntries(ErrorCodes.map((code) => [code, ERROR_STATUS[code]]))).to.deep.equal(expected);
  });

  it('when an ApiError is made, then its status comes from its code and its name from its class', () => {
    const error = new ChaincodeError('POLL_NOT_OPEN', 'poll p1 is closed');
    expect(error).to.be.instanceOf(ApiError).and.include({ httpStatus: 409, name: 'ChaincodeError', message: 'poll p1 is closed' });
  });

  it('when a transaction is invalidated by a read conflict, then it is 409 LEDGER_CONFLICT; otherwise 502 TRANSACTION_INVALID', () => {
    const conflict = new TransactionInvalidError('tx1', 'MVCC_READ_CONFLICT', true);
    expect(conflict).to.include({ code: 'LEDGER_CONFLICT', httpStatus: 409, message: 'transaction tx1 was invalidated: MVCC_READ_CONFLICT' });
    expect(conflict.details).to.deep.equal({ txId: 'tx1', validationCode: 'MVCC_READ_CONFLICT' });
    expect(new TransactionInvalidError('tx1', 'ENDORSEMENT_POLICY_FAILURE', false)).to.include({ code: 'TRANSACTION_INVALID', httpStatus: 502 });
  });

  it('when a ledger answer breaks the protocol, then it is 502 LEDGER_BAD_RESPONSE naming the transaction', () => {
    const error = new LedgerBadResponseError('GetPoll', [{ path: 'status', message: 'bad' }]);
    expect(error).to.include({ code: 'LEDGER_BAD_RESPONSE', httpStatus: 502, transaction: 'GetPoll' });
    expect(error.details).to.deep.equal({ transaction: 'GetPoll', issues: [{ path: 'status', message: 'bad' }] });
  });

  it('when a commit is pending, then it is no ApiError and points at the status URL', () => {
    const pending = new CommitPendingError('tx1');
    expect(pending).to.not.be.instanceOf(ApiError);
    expect(pending.statusUrl).to.equal('/v1/transactions/tx1');
  });
});
