import { transactionStatus } from '../../src/domain/transactions';
import { expect } from '../chai';
import { fakeLedger } from '../fakes';
import { TX_ID } from '../fixtures';

describe('transactionStatus', () => {
  it('when the transaction committed, then its validation code name and block are reported', async () => {
    const ledger = fakeLedger();
    ledger.commitStatus.resolves({ txId: TX_ID, validationCode: 11, validationCodeName: 'MVCC_READ_CONFLICT', valid: false, blockNumber: 42 });
    expect(await transactionStatus(ledger, undefined, 'auditor', TX_ID, 5)).to.deep.equal({
      txId: TX_ID,
      committed: true,
      valid: false,
      status: 'MVCC_READ_CONFLICT',
      validationCode: 11,
      blockNumber: 42,
      outcome: 'FAILED',
    });
    expect(ledger.commitStatus.firstCall.args).to.deep.equal(['auditor', TX_ID, 5]);
  });

  it('when the peer does not know it yet, then it is PENDING', async () => {
    const ledger = fakeLedger();
    ledger.commitStatus.resolves(undefined);
    expect(await transactionStatus(ledger, undefined, 'auditor', TX_ID, 5)).to.include({ committed: false, status: 'PENDING', blockNumber: null, outcome: 'PENDING' });
  });
});
