import type { Role } from '../roles';
import { receiptOf } from './ballots';
import { decodeResult } from './chaincode';
import type { CommitStatus, LedgerClient } from './ledger';
import type { PendingTransactions } from './pending';
import type { TransactionStatus } from './schemas';

/** How long to look on the ledger when the gateway already knows the outcome. */
const QUICK_LOOK_MS = 200;

function ledgerStatus(txId: string, status: CommitStatus | undefined): TransactionStatus {
  if (!status) return { txId, committed: false, valid: false, status: 'PENDING', validationCode: null, blockNumber: null, outcome: 'PENDING' };
  return {
    txId,
    committed: true,
    valid: status.valid,
    status: status.validationCodeName,
    validationCode: status.validationCode,
    blockNumber: status.blockNumber,
    outcome: status.valid ? 'COMMITTED' : 'FAILED',
  };
}

/**
 * The validation status of any transaction on the channel. A transaction the peer has not seen within `waitMs`
 * is PENDING: it may still be ordered, or may never have been sent. For one the gateway answered 202 for, the
 * outcome is the gateway's (domain/pending.ts): an invalidated or lost transaction whose request was carried by a
 * renewal is COMMITTED with the renewal's receipt.
 */
export async function transactionStatus(
  ledger: LedgerClient,
  pending: PendingTransactions | undefined,
  role: Role,
  txId: string,
  waitMs: number,
): Promise<TransactionStatus> {
  const owned = await pending?.lookup(txId);
  const onLedger = ledgerStatus(txId, await ledger.commitStatus(role, txId, owned?.last.resolution ? Math.min(waitMs, QUICK_LOOK_MS) : waitMs));
  const resolution = owned?.last.resolution;
  if (!owned || !resolution || resolution.outcome === 'replaced') return owned ? { ...onLedger, outcome: 'PENDING' } : onLedger;
  if (resolution.outcome === 'failed') return { ...onLedger, outcome: 'FAILED', error: { code: resolution.code, message: resolution.message } };
  if (owned.first.request.name !== 'CastBallot') return { ...onLedger, outcome: 'COMMITTED' };
  return { ...onLedger, outcome: 'COMMITTED', receipt: receiptOf(decodeResult('CastBallot', resolution.result), resolution.blockNumber) };
}
