import { decodeChaincodeEvent } from '@poll-ledger/protocol';
import type { z } from 'zod';
import { ApiError } from '../errors';
import type { Role } from '../roles';
import type { EventStream, LedgerClient, LedgerEvent } from './ledger';
import { EVENT_ID, LedgerEventSchema } from './schemas';

/**
 * Where an event sits on the ledger: its block and its ordinal among this chaincode's events in
 * that block. Fabric delivers a block's events together and in transaction order, so the ordinal is
 * the same on every replay, and `${block}:${index}` works as a resumable SSE event id.
 */
export interface EventPosition {
  readonly block: bigint;
  readonly index: number;
}

/** A protocol event (its name and checked payload) with its place on the ledger: the documented LedgerEvent. */
export type NumberedEvent = z.output<typeof LedgerEventSchema>;

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
 * protocol (unknown name, a payload failing its schema, or a place failing LedgerEvent) is not delivered, but it
 * keeps its ordinal, so the ids of the others are the same whatever the gateway's protocol version.
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
    const numbered = LedgerEventSchema.safeParse({ id: formatEventId(position), blockNumber: Number(block), txId: event.txId, ...decoded });
    if (numbered.success) yield numbered.data;
  }
}

export interface EventSubscription {
  readonly events: AsyncIterable<NumberedEvent>;
  /** Closes the ledger stream; later calls do nothing. */
  close(): void;
}

/**
 * Who may read the chain from where. Roles in `replayRoles` may start anywhere (`startBlock`, or any
 * Last-Event-ID); the others follow new events, and may resume with a Last-Event-ID at most `maxResumeBlocks`
 * behind the chain's height, so no key of theirs can make the peer replay the whole chain.
 */
export interface ReplayPolicy {
  readonly replayRoles: readonly Role[];
  readonly maxResumeBlocks: number;
}

export interface EventStart {
  readonly after?: EventPosition;
  readonly startBlock?: bigint;
}

async function checkReplay(ledger: LedgerClient, role: Role, from: EventStart, policy: ReplayPolicy): Promise<void> {
  if (policy.replayRoles.includes(role)) return;
  if (from.startBlock !== undefined) {
    throw new ApiError('FORBIDDEN', `role ${role} may not replay from startBlock; resume with Last-Event-ID instead`);
  }
  if (from.after === undefined) return;
  const behind = BigInt(await ledger.blockHeight(role)) - from.after.block;
  if (behind > BigInt(policy.maxResumeBlocks)) {
    throw new ApiError('FORBIDDEN', `role ${role} may resume at most ${policy.maxResumeBlocks} blocks back`, {
      maxResumeBlocks: policy.maxResumeBlocks,
    });
  }
}

/**
 * Opens the chaincode event stream, once `policy` allows the start. Resuming after an event id restarts at that
 * event's block (the whole block is re-read, so the ordinals line up) and skips what was already delivered.
 */
export async function subscribe(ledger: LedgerClient, role: Role, from: EventStart, policy: ReplayPolicy): Promise<EventSubscription> {
  await checkReplay(ledger, role, from, policy);
  const startBlock = from.after ? from.after.block : from.startBlock;
  const stream: EventStream = await ledger.events(role, startBlock);
  let open = true;
  return {
    events: numberEvents(stream, from.after),
    close: () => {
      if (!open) return;
      open = false;
      stream.close();
    },
  };
}
