import { createHash } from 'node:crypto';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import sinon from 'sinon';
import type { EventStream, LedgerClient, LedgerEvent } from '../src/domain/ledger';

type Stubbed<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? sinon.SinonStub<A, R> : never };
export type FakeLedger = Stubbed<LedgerClient>;

/** A LedgerClient whose every method is a sinon stub. */
export function fakeLedger(): FakeLedger {
  return {
    evaluate: sinon.stub(),
    submit: sinon.stub(),
    resubmit: sinon.stub(),
    commitStatus: sinon.stub(),
    blockHeight: sinon.stub(),
    events: sinon.stub(),
    close: sinon.stub(),
  };
}

export function bytes(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

/** An EventStream that yields the given events, then stays open until closed. */
export function eventStream(events: readonly LedgerEvent[], options: { end?: boolean } = {}): EventStream & { closed: boolean } {
  let release: () => void = () => undefined;
  const closedPromise = new Promise<void>((resolve) => (release = resolve));
  const stream = {
    closed: false,
    async *[Symbol.asyncIterator]() {
      yield* events;
      if (!options.end) await closedPromise;
    },
    close() {
      stream.closed = true;
      release();
    },
  };
  return stream;
}

/** A 64-hex id standing for `tag`, so tests can use short names where the protocol wants a txId or hash. */
export function hexOf(tag: string): string {
  return createHash('sha256').update(tag).digest('hex');
}

/** A protocol event of transaction `txId` (a BallotCast by default), as the ledger delivers it. */
export function ledgerEvent(blockNumber: number, txId: string, eventName = 'BallotCast', payload: unknown = ballotCastEvent(txId)): LedgerEvent {
  return { blockNumber: BigInt(blockNumber), txId, eventName, payload: bytes(payload) };
}

/** A BallotCast's receipt fields, as the gateway's event stream sends them. */
export function ballotCastPayload(tag: string): Record<string, string> {
  return { pollId: 'p1', ballotId: hexOf(`ballot ${tag}`), ballotHash: hexOf(`hash ${tag}`), txId: hexOf(tag) };
}

/** A BallotCast as the chaincode emits it: the receipt fields and the ballot's count change. */
export function ballotCastEvent(tag: string, answers: Record<string, string[]> = { q1: ['red'] }, replaced?: Record<string, string[]>): Record<string, unknown> {
  return { ...ballotCastPayload(tag), answers, ...(replaced && { replaced }) };
}

/** A grpc-js ServiceError as the client library produces it. */
export function serviceError(code: GrpcStatus, message: string): ServiceError {
  return Object.assign(new Error(`${code} ${GrpcStatus[code]}: ${message}`), { code, details: message, metadata: new Metadata() });
}
