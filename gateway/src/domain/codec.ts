import { createHash } from 'node:crypto';
import type { LedgerClient } from '../fabric/ledger';
import type { Role } from '../roles';

/** Chaincode results are UTF-8 JSON; their shape is the chaincode's contract (docs/chaincode-api.md). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T is the documented chaincode result type
export function decode<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

export async function query<T>(ledger: LedgerClient, role: Role, name: string, ...args: string[]): Promise<T> {
  return decode<T>(await ledger.evaluate({ role, name, args }));
}

export function sha256hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
