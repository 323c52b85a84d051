import { BALLOT_CAST, BALLOTS_CAST, decodeChaincodeEvent } from '@poll-ledger/protocol';
import type { z } from 'zod';
import { ApiError } from '../errors';
import type { Role } from '../roles';
import type { EventStream, LedgerClient, LedgerEvent } from './ledger';
import { EVENT_ID, LedgerEventSchema } from './schemas';

/**
 * Where an event sits on the ledger: its block and its ordinal among this chaincode's events in that block, and for
 * a ballot of a BallotsCast event its position in that CastBallots transaction. Fabric delivers a block's events
 * together and in transaction order, so the ordinal is the same on every replay, and `${block}:${index}` (with
 * `:${position}` for such a ballot) works as a resumable SSE event id.
 */
export interface EventPosition {
  readonly block: bigint;
  readonly index: number;
  /** As a cursor, absent means after every ballot of that event. */
  readonly position?: number;
}

/** A protocol event (its name and checked payload) with its place on the ledger: the documented LedgerEvent. */
export type NumberedEvent = z.output<typeof LedgerEventSchema>;

export function parseEventId(id: string): EventPosition | undefined {
  const match = EVENT_ID.exec(id);
  if (!match?.[1] || !match[2]) return undefined;
  const position = { block: BigInt(match[1]), index: Number(match[2]) };
  return match[3] === undefined ? position : { ...position, position: Number(match[3]) };
}

export function formatEventId(position: EventPosition): string {
  const id = `${position.block.toString()}:${position.index}`;
  return position.position === undefined ? id : `${id}:${position.position}`;
}

/** A ledger event with its block and its ordinal among this chaincode's events in that block. */
export interface PlacedEvent {
  readonly place: EventPosition;
  readonly event: LedgerEvent;
}

/** Numbers each event within its block; the stream must start at a block's first event. */
export async function* placeEvents(events: AsyncIterable<LedgerEvent>): AsyncGenerator<PlacedEvent> {
  let block = -1n;
  let index = -1;
  for await (const event of events) {
    index = event.blockNumber === block ? index + 1 : 0;
    block = event.blockNumber;
    yield { place: { block, index }, event };
  }
}

/** Whether `position` comes after `cursor` (everything does when there is none). */
export function isAfter(position: EventPosition, cursor: EventPosition | undefined): boolean {
  if (!cursor) return true;
  if (position.block !== cursor.block) return position.block > cursor.block;
  if (position.index !== cursor.index) return position.index > cursor.index;
  return position.position !== undefined && cursor.position !== undefined && position.position > cursor.position;
}

/**
 * What one ledger event is sent as, each with its place: itself, or, for a BallotsCast, one BallotCast per ballot it
 * wrote, each with its position. None when it is not a protocol event.
 */
function splitEvent(event: LedgerEvent, place: EventPosition): { readonly place: EventPosition; readonly event: unknown }[] {
  const decoded = decodeChaincodeEvent(event.eventName, event.payload);
  if (decoded === undefined) return [];
  const at = { blockNumber: Number(place.block), txId: event.txId };
  if (decoded.eventName === BALLOT_CAST) {
    // The stream sends a ballot's receipt fields; its count change stays with the running count (running-counts.ts).
    const { pollId, ballotId, ballotHash, txId } = decoded.payload;
    const payload = { pollId, ballotId, ballotHash, txId };
    return [{ place, event: { id: formatEventId(place), ...at, eventName: BALLOT_CAST, payload } }];
  }
  if (decoded.eventName !== BALLOTS_CAST) return [{ place, event: { id: formatEventId(place), ...at, ...decoded } }];
  const { pollId, txId } = decoded.payload;
  return decoded.payload.ballots.map(({ ballotId, ballotHash, position }) => {
    const ballotPlace = { ...place, position };
    const payload = { pollId, ballotId, ballotHash, txId };
    return { place: ballotPlace, event: { id: formatEventId(ballotPlace), ...at, position, eventName: BALLOT_CAST, payload } };
  });
}

/**
 * Numbers events within their block and drops those at or before `after`. An event that is not one of the
 * protocol (unknown name, a payload failing its schema, or a place failing LedgerEvent) is not delivered, but it
 * keeps its ordinal, so the ids of the others are the same whatever the gateway's protocol version. A BallotsCast
 * event is delivered as one BallotCast per ballot (ids `<block>:<index>:<position>`).
 */
export async function* numberEvents(events: AsyncIterable<LedgerEvent>, after?: EventPosition): AsyncGenerator<NumberedEvent> {
  for await (const { place, event } of placeEvents(events)) {
    for (const split of splitEvent(event, place)) {
      if (!isAfter(split.place, after)) continue;
      const numbered = LedgerEventSchema.safeParse(split.event);
      if (numbered.success) yield numbered.data;
    }
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
