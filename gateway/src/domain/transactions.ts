import type { Role } from '../roles';
import type { LedgerClient } from './ledger';
import type { TransactionStatus } from './schemas';

/**
 * The validation status of any transaction on the channel. A transaction the peer has not seen
 * within `waitMs` is reported as PENDING: it may still be ordered, or may never have been sent.
 */
export async function transactionStatus(ledger: LedgerClient, role: Role, txId: string, waitMs: number): Promise<TransactionStatus> {
  const status = await ledger.commitStatus(role, txId, waitMs);
  if (!status) return { txId, committed: false, valid: false, status: 'PENDING', validationCode: null, blockNumber: null };
  return {
    txId,
    committed: true,
    valid: status.valid,
    status: status.validationCodeName,
    validationCode: status.validationCode,
    blockNumber: status.blockNumber,
  };
}
