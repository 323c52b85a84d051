import { createHash } from 'node:crypto';
import { ClientIdentity } from 'fabric-shim';
import sinon from 'sinon';
import type { PollContext } from '../../src/contract/context';
import { PollContract } from '../../src/contract/poll-contract';
import type { HistoryEntry } from '../../src/contract/world-state';
import type { PollPage } from '../../src/contract/poll-store';
import type { Ballot, BallotReceipt } from '../../src/domain/ballot';
import type { Poll } from '../../src/domain/poll';
import type { LiveResultsPage, Results } from '../../src/domain/results';
import type { TallyProgress } from '../../src/domain/tally';
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

/** What each transaction answers, as JSON. */
export interface Replies {
  CreatePoll: Poll;
  UpdatePoll: Poll;
  OpenPoll: Poll;
  ClosePoll: Poll;
  CancelPoll: Poll;
  CastBallot: BallotReceipt;
  TallyPoll: TallyProgress;
  GetPoll: Poll;
  ListPolls: PollPage;
  GetBallot: Ballot;
  GetBallotHistory: HistoryEntry[];
  GetPollHistory: HistoryEntry[];
  GetResults: Results;
  GetLiveResultsPage: LiveResultsPage;
}
export type TxName = keyof Replies;
type Transaction<A extends string[]> = (ctx: PollContext, ...args: A) => Promise<string>;
type ArgsOf<K extends TxName> = PollContract[K] extends Transaction<infer A> ? A : never;

/**
 * A one-peer channel in memory: each call is one transaction with its own id and timestamp, run against the real
 * contract with a stubbed stub and client identity, and committed only when it succeeds.
 */
export class TestNetwork {
  readonly ledger: FakeLedger;
  readonly contract = new PollContract();
  /** The next transaction's timestamp; every transaction moves it on by one second. */
  now = new Date('2026-03-01T12:00:00.000Z');
  /** The last transaction run, committed or not. */
  lastTx: TxRecord | undefined;
  /** The last answer, as the exact text the chaincode returned. */
  lastReply = '';
  #sequence = 0;

  constructor(options: { totalQueryLimit?: number } = {}) {
    this.ledger = new FakeLedger(options);
  }

  /** Submits a transaction: its writes are committed when it succeeds. */
  submit<K extends TxName>(who: Identity, name: K, ...args: ArgsOf<K>): Promise<Replies[K]> {
    return this.#run(who, name, args, true);
  }

  /** Evaluates a query: it must write nothing and set no event. */
  async evaluate<K extends TxName>(who: Identity, name: K, ...args: ArgsOf<K>): Promise<Replies[K]> {
    const reply = await this.#run(who, name, args, false);
    if (this.lastTx?.writes.length !== 0 || this.lastTx.event !== undefined) {
      throw new Error(`query ${name} wrote to the ledger`);
    }
    return reply;
  }

  async #run<K extends TxName>(who: Identity, name: K, args: readonly string[], commit: boolean): Promise<Replies[K]> {
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
    return JSON.parse(text) as Replies[K];
  }
}

export function identityOf(who: Identity): sinon.SinonStubbedInstance<ClientIdentity> {
  const identity = sinon.createStubInstance(ClientIdentity);
  identity.getMSPID.returns(who.mspId);
  identity.getAttributeValue.returns(null);
  identity.getAttributeValue.withArgs('role').returns(who.role ?? null);
  return identity;
}
