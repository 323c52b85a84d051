import { createHash } from 'node:crypto';
import { type ResultOf, type TransactionName, parseResult } from '@poll-ledger/protocol';
import { ClientIdentity } from 'fabric-shim';
import sinon from 'sinon';
import type { PollContext } from '../../src/contract/context';
import { PollContract } from '../../src/contract/poll-contract';
import { canonicalJson } from '../../src/domain/canonical';
import { FakeLedger, type TxRecord } from './fake-ledger';

export interface Identity {
  readonly mspId: string;
  readonly role?: string;
}

const identities = {
  cityAdmin: { mspId: 'CityMSP', role: 'poll-admin' },
  deptAdmin: { mspId: 'DeptMSP', role: 'poll-admin' },
  observerAdmin: { mspId: 'ObserverMSP', role: 'poll-admin' },
  strangerAdmin: { mspId: 'StrangerMSP', role: 'poll-admin' },
  cityRelay: { mspId: 'CityMSP', role: 'ballot-relay' },
  deptRelay: { mspId: 'DeptMSP', role: 'ballot-relay' },
  observerRelay: { mspId: 'ObserverMSP', role: 'ballot-relay' },
  cityAuditor: { mspId: 'CityMSP', role: 'auditor' },
  observerAuditor: { mspId: 'ObserverMSP', role: 'auditor' },
  cityNoRole: { mspId: 'CityMSP' },
} as const satisfies Record<string, Identity>;

/** Callers of every kind: each MSP with each role, one without a role, and an MSP the chaincode does not know. */
export const Ids: { readonly [K in keyof typeof identities]: Identity } = identities;

export type TxName = TransactionName;
type Transaction<A extends string[]> = (ctx: PollContext, ...args: A) => Promise<string>;
/** Also a compile-time check: every protocol transaction is a method of the contract. */
type ArgsOf<K extends TxName> = PollContract[K] extends Transaction<infer A> ? A : never;

/**
 * Checks one answer of the chaincode: it must be canonical JSON that `Transactions[name].result` of the protocol
 * accepts (`parseResult`, as the gateway reads it). Anything else throws, failing the test that caused it.
 */
export function checkResult<K extends TxName>(name: K, text: string): ResultOf<K> {
  const result = parseResult(name, text);
  if (canonicalJson(JSON.parse(text)) !== text) {
    throw new Error(`${name} answered text that is not canonical JSON: ${text.slice(0, 200)}`);
  }
  return result;
}

/**
 * A one-peer channel in memory: each call is one transaction with its own id and timestamp, run against the real
 * contract with a stubbed stub and client identity, and committed only when it succeeds.
 */
export class TestNetwork {
  readonly ledger: FakeLedger;
  readonly contract: PollContract;
  /** The next transaction's timestamp; every transaction moves it on by one second. */
  now = new Date('2026-03-01T12:00:00.000Z');
  /** The last transaction run, committed or not. */
  lastTx: TxRecord | undefined;
  /** The last answer, as the exact text the chaincode returned. */
  lastReply = '';
  /** The transactions whose answers were checked against their protocol schemas. */
  readonly checkedResults = new Set<TxName>();
  #sequence = 0;

  /** `stateBatches`: the contract batches state reads and writes, and the fake peer takes them (Fabric 3.1). */
  constructor(options: { totalQueryLimit?: number; stateBatches?: boolean } = {}) {
    this.ledger = new FakeLedger(options);
    this.contract = new PollContract({ stateBatches: options.stateBatches ?? false });
  }

  /** Submits a transaction: its writes are committed when it succeeds. */
  submit<K extends TxName>(who: Identity, name: K, ...args: ArgsOf<K>): Promise<ResultOf<K>> {
    return this.#run(who, name, args, true);
  }

  /** Evaluates a query: it must write nothing and set no event. */
  async evaluate<K extends TxName>(who: Identity, name: K, ...args: ArgsOf<K>): Promise<ResultOf<K>> {
    const reply = await this.#run(who, name, args, false);
    if (this.lastTx?.writes.length !== 0 || this.lastTx.event !== undefined) {
      throw new Error(`query ${name} wrote to the ledger`);
    }
    return reply;
  }

  async #run<K extends TxName>(who: Identity, name: K, args: readonly string[], commit: boolean): Promise<ResultOf<K>> {
    this.#sequence += 1;
    const txId = createHash('sha256').update(`tx-${this.#sequence}`).digest('hex');
    const { stub, record } = this.ledger.begin(txId, this.now);
    this.now = new Date(this.now.getTime() + 1000);
    stub.getFunctionAndParameters.returns({ fcn: name, params: [...args] });
    const ctx = this.contract.createContext();
    ctx.stub = stub;
    ctx.clientIdentity = identityOf(who);
    this.lastTx = record;
    const method: (ctx: PollContext, ...args: readonly string[]) => Promise<string> = this.contract[name];
    const text = await method.call(this.contract, ctx, ...args);
    if (commit) {
      this.ledger.commit(record);
    }
    this.lastReply = text;
    const result = checkResult(name, text);
    this.checkedResults.add(name);
    return result;
  }
}

export function identityOf(who: Identity): sinon.SinonStubbedInstance<ClientIdentity> {
  const identity = sinon.createStubInstance(ClientIdentity);
  identity.getMSPID.returns(who.mspId);
  identity.getAttributeValue.returns(null);
  identity.getAttributeValue.withArgs('role').returns(who.role ?? null);
  return identity;
}
