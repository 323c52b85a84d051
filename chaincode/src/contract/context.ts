import { Context } from 'fabric-contract-api';
import { ROLE_ATTRIBUTE } from '@poll-ledger/protocol';
import type { Caller } from '../domain/access';
import type { ChaincodeEvent } from '../domain/events';
import { timestampToIso } from '../domain/time';
import { PollStore } from './poll-store';
import { stateBatchesOf } from './state-batches';
import { WorldState } from './world-state';

/** The transaction context: who calls, when (the client's tx timestamp, never the clock), and the typed state. */
export class PollContext extends Context {
  #store: PollStore | undefined;
  #world: WorldState | undefined;
  readonly #stateBatches: boolean;

  /** `stateBatches`: the peer takes batched state reads and writes (Fabric 3.1, state-batches.ts). */
  constructor(stateBatches = false) {
    super();
    this.#stateBatches = stateBatches;
  }

  get caller(): Caller {
    return {
      mspId: this.clientIdentity.getMSPID(),
      role: this.clientIdentity.getAttributeValue(ROLE_ATTRIBUTE) ?? undefined,
    };
  }

  get txId(): string {
    return this.stub.getTxID();
  }

  /** The transaction timestamp in ISO form: the same on every endorser. */
  get txTime(): string {
    return timestampToIso(this.stub.getTxTimestamp());
  }

  get store(): PollStore {
    this.#store ??= new PollStore(this.#worldState());
    return this.#store;
  }

  emit(event: ChaincodeEvent): void {
    this.#worldState().setEvent(event);
  }

  #worldState(): WorldState {
    this.#world ??= new WorldState(this.stub, this.#stateBatches ? stateBatchesOf(this.stub) : undefined);
    return this.#world;
  }
}
