import { decodeChaincodeEvent, type ChaincodeEvent } from '@poll-ledger/protocol';
import type { Role } from '../roles';
import type { EventStream, LedgerClient, LedgerEvent } from './ledger';

/**
 * Where an event sits on the ledger: its block and its ordinal among this chaincode's events in
 * that block. Fabric delivers a block's events together and in transaction order, so the ordinal is
 * the same on every replay, and `${block}:${index}` works as a resumable SSE event id.
 */
export interface EventPosition {
  readonly block: bigint;
  readonly index: number;
}

/** A protocol event (its name and checked payload) with its place on the ledger. */
export type NumberedEvent = {
  readonly id: string;
  readonly blockNumber: number;
  readonly txId: string;
} & ChaincodeEvent;

const EVENT_ID = /^(\d{1,19}):(\d{1,9})$/;

export function parseEventId(id: string): EventPosition | undefined {
  const match = EVENT_ID.exec(id);
  return match?.[1] && match[2] ? { block: BigInt(match[1]), index: Number(match[2]) } : undefined;
}

export function formatEventId(position: EventPosition): string {
  return `${position.block.toString()}:${position.index}`;
}

function isAfter(position: EventPosition, cursor: EventPosition | undefined): boolean {
  if (!cursor) return true;
  return position.block > cursor.block || (position.block === cursor.block && position.index > cursor.index);
}

/**
 * Numbers events within their block and drops those at or before `after`. An event that is not one of the
 * protocol (unknown name, or a payload failing its schema) is not delivered, but it keeps its ordinal, so the
 * ids of the others are the same whatever the gateway's protocol version.
 */
export async function* numberEvents(events: AsyncIterable<LedgerEvent>, after?: EventPosition): AsyncGenerator<NumberedEvent> {
  let block = -1n;
  let index = -1;
  for await (const event of events) {
    index = event.blockNumber === block ? index + 1 : 0;
    block = event.blockNumber;
    const position = { block, index };
    if (!isAfter(position, after)) continue;
    const decoded = decodeChaincodeEvent(event.eventName, event.payload);
    if (decoded === undefined) continue;
    yield { id: formatEventId(position), blockNumber: Number(block), txId: event.txId, ...decoded };
  }
}

export interface EventSubscription {
  readonly events: AsyncIterable<NumberedEvent>;
  close(): void;
}

/**
 * Opens the chaincode event stream. Resuming after an event id restarts at that event's block (the
 * whole block is re-read, so the ordinals line up) and skips what was already delivered.
 */
export async function subscribe(
  ledger: LedgerClient,
  role: Role,
  from: { after?: EventPosition; startBlock?: bigint },
): Promise<EventSubscription> {
  const startBlock = from.after ? from.after.block : from.startBlock;
  const stream: EventStream = await ledger.events(role, startBlock);
  return { events: numberEvents(stream, from.after), close: () => { stream.close(); } };
}
