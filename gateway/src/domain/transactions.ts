import { ApiError } from '../errors';
import type { Role } from '../roles';
import { receiptOf } from './cast';
import { CAST_BALLOTS, batchOf, keptBallot } from './cast-batch';
import { decodeResult } from './chaincode';
import type { CommitStatus, LedgerClient } from './ledger';
import type { KeptChain, PendingTransactions } from './pending';
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
 * Where the ballot at `position` of a kept CastBallots stands: its receipt once committed (whatever transaction
 * carried it), FAILED with its own refusal or the renewal's, else PENDING.
 */
async function ballotStatus(ledger: LedgerClient, role: Role, owned: KeptChain, position: number, onLedger: TransactionStatus): Promise<TransactionStatus> {
  const requestId = batchOf(owned.first.request).ballots[position]?.requestId;
  if (requestId === undefined) throw new ApiError('NOT_FOUND', `transaction ${owned.first.txId} has no ballot at position ${position}`);
  const kept = keptBallot(owned.chain, requestId);
  switch (kept?.outcome) {
    case 'receipt': {
      const blockNumber = kept.blockNumber ?? (await ledger.commitStatus(role, kept.cast.txId, QUICK_LOOK_MS))?.blockNumber;
      if (blockNumber === undefined) return { ...onLedger, outcome: 'PENDING' };
      return { ...onLedger, outcome: 'COMMITTED', receipt: receiptOf(kept.cast, blockNumber) };
    }
    case 'refused':
      return { ...onLedger, outcome: 'FAILED', error: { code: kept.error.code, message: kept.error.message } };
    case 'failed':
      return { ...onLedger, outcome: 'FAILED', error: { code: kept.code, message: kept.message } };
    default:
      return { ...onLedger, outcome: 'PENDING' };
  }
}

/**
 * The validation status of any transaction on the channel. A transaction the peer has not seen within `waitMs`
 * is PENDING: it may still be ordered, or may never have been sent. For one the gateway answered 202 for, the
 * outcome is the gateway's (domain/pending.ts): an invalidated or lost transaction whose request was carried by a
 * renewal is COMMITTED with the renewal's receipt. A CastBallots transaction carries many ballots: `position`
 * (its index in the transaction, which the ballot's 202 names) gives that ballot's outcome and receipt.
 */
export async function transactionStatus(
  ledger: LedgerClient,
  pending: PendingTransactions | undefined,
  role: Role,
  txId: string,
  waitMs: number,
  position?: number,
): Promise<TransactionStatus> {
  const owned = await pending?.lookup(txId);
  const onLedger = ledgerStatus(txId, await ledger.commitStatus(role, txId, owned?.last.resolution ? Math.min(waitMs, QUICK_LOOK_MS) : waitMs));
  if (owned && position !== undefined && owned.first.request.name === CAST_BALLOTS) return ballotStatus(ledger, role, owned, position, onLedger);
  const resolution = owned?.last.resolution;
  if (!owned || !resolution || resolution.outcome === 'replaced') return owned ? { ...onLedger, outcome: 'PENDING' } : onLedger;
  if (resolution.outcome === 'failed') return { ...onLedger, outcome: 'FAILED', error: { code: resolution.code, message: resolution.message } };
  if (owned.first.request.name !== 'CastBallot') return { ...onLedger, outcome: 'COMMITTED' };
  return { ...onLedger, outcome: 'COMMITTED', receipt: receiptOf(decodeResult('CastBallot', resolution.result), resolution.blockNumber) };
}
