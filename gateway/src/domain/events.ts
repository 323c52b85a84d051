import type { EventStream, LedgerClient, LedgerEvent } from '../fabric/ledger';
import type { Role } from '../roles';

/**
 * Where an event sits on the ledger: its block and its ordinal among this chaincode's events in
 * that block. Fabric delivers a block's events together and in transaction order, so the ordinal is
 * the same on every replay, and `${block}:${index}` works as a resumable SSE event id.
 */
export interface EventPosition {
  readonly block: bigint;
  readonly index: number;
}

export interface NumberedEvent {
  readonly id: string;
  readonly blockNumber: number;
  readonly txId: string;
  readonly eventName: string;
  readonly payload: unknown;
}

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

function decodePayload(payload: Uint8Array): unknown {
  const text = Buffer.from(payload).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Numbers events within their block and drops those at or before `after`. */
export async function* numberEvents(events: AsyncIterable<LedgerEvent>, after?: EventPosition): AsyncGenerator<NumberedEvent> {
  let block = -1n;
  let index = -1;
  for await (const event of events) {
    index = event.blockNumber === block ? index + 1 : 0;
    block = event.blockNumber;
    const position = { block, index };
    if (!isAfter(position, after)) continue;
    yield {
      id: formatEventId(position),
      blockNumber: Number(block),
      txId: event.txId,
      eventName: event.eventName,
      payload: decodePayload(event.payload),
    };
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
