import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { TRANSACTION_NAMES, type TransactionName } from '@poll-ledger/protocol';
import { JSONSerializer } from 'fabric-contract-api';
import type { ChaincodeResponse } from 'fabric-shim';
import { contracts } from '../../src';
import type { FakeLedger } from './fake-ledger';
import { checkResult } from './network';

/** The shape of fabric-shim's contract metadata, as much as the tests read of it. */
export interface ContractMetadata {
  readonly contracts: Record<
    string,
    {
      readonly contractInstance: { readonly name: string; readonly default?: boolean };
      readonly transactions: readonly {
        readonly name: string;
        readonly tag: readonly string[];
        readonly parameters?: readonly { readonly name: string; readonly schema: { readonly type?: string } }[];
        readonly returns?: { readonly type?: string };
      }[];
    }
  >;
}

interface ChaincodeFromContract {
  readonly metadata: ContractMetadata;
  invokeFunctionality(stub: unknown): Promise<ChaincodeResponse>;
}
type ChaincodeFromContractClass = new (
  contractClasses: unknown[],
  serializers: unknown,
  metadata: object,
  title: string,
  version: string,
) => ChaincodeFromContract;

// fabric-shim's own router, which `fabric-chaincode-node server` wraps around the package's `contracts`.
const shimRequire = createRequire(require.resolve('fabric-shim'));
const ChaincodeFromContract = shimRequire('./lib/contract-spi/chaincodefromcontract.js') as ChaincodeFromContractClass;

/** The chaincode exactly as the Node chaincode server builds it from the package's `contracts` export. */
export function loadChaincode(): ChaincodeFromContract {
  const serializers = { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };
  return new ChaincodeFromContract([...contracts], serializers, {}, '@poll-ledger/chaincode', '0.1.0');
}

const certificate = (role: string) => readFileSync(path.join(__dirname, 'fixtures', `${role}.pem`));

const isTransactionName = (name: string): name is TransactionName =>
  (TRANSACTION_NAMES as readonly string[]).includes(name);

/**
 * Invokes a transaction through the shim's router with a real X.509 identity carrying `role=<role>`. The tx id is
 * the SHA-256 of `txLabel`, as real ids are hex digests; a successful answer is checked like TestNetwork's.
 */
export async function invokeThroughShim(
  ledger: FakeLedger,
  caller: { mspId: string; role: 'poll-admin' | 'ballot-relay' },
  txLabel: string,
  args: readonly string[],
): Promise<ChaincodeResponse> {
  const txId = createHash('sha256').update(txLabel).digest('hex');
  const { stub, record } = ledger.begin(txId, new Date('2026-03-01T12:00:00Z'));
  // The router reads raw arguments with getBufferArgs, which fabric-shim's typings leave out.
  Object.assign(stub, { getBufferArgs: () => args.map((a) => Buffer.from(a)) });
  stub.getFunctionAndParameters.returns({ fcn: args[0] ?? '', params: args.slice(1) });
  stub.getCreator.returns({ mspid: caller.mspId, idBytes: certificate(caller.role) });
  const response = await loadChaincode().invokeFunctionality(stub);
  const name = args[0] ?? '';
  if (response.status === 200) {
    if (isTransactionName(name)) {
      checkResult(name, Buffer.from(response.payload ?? []).toString('utf8'));
    }
    ledger.commit(record);
  }
  return response;
}
