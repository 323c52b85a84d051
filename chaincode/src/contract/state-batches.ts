import type { Context } from 'fabric-contract-api';
import { createRequire } from 'node:module';
import { z } from 'zod';

type ChaincodeStub = Context['stub'];

/**
 * Fabric 3.1's batched state messages: GET_STATE_MULTIPLE reads many keys in one exchange with the peer and
 * WRITE_BATCH_STATE writes many. Without them CastBallots exchanges two messages with the peer per ballot (a read of
 * the voter's key, then its write), one at a time, and those messages were most of what a ballot cost the chaincode
 * server and its peer (docs/performance.md). The read and write sets are the same as with one message a key, so an
 * endorser that batches and one that does not endorse the same transaction alike.
 *
 * fabric-shim 2.5.8 has no API for them (the Go shim has, from fabric-chaincode-go 2.1), so they are sent through the
 * shim's own message queue for the transaction, which orders them with the transaction's other messages. Their
 * payloads are encoded here with google-protobuf's wire writer (the shim's fabric-protos predates them; loading a
 * newer fabric-protos beside it would redefine its generated classes, which share one global namespace). A Fabric 2.5
 * peer does not know these messages: the network scripts turn batches on (POLL_LEDGER_CC_STATE_BATCHES=1) only when
 * the peer's core.yaml announces both (chaincode.runtimeParams.useWriteBatch and useGetMultipleKeys).
 */
export interface StateBatches {
  /** The values of `keys`, in order; empty bytes for a key that has none. */
  getMany(keys: readonly string[]): Promise<Uint8Array[]>;
  putMany(entries: readonly { readonly key: string; readonly value: Uint8Array }[]): Promise<void>;
}

/** Keys per message: the peer's default maxSizeGetMultipleKeys and maxSizeWriteBatch (core.yaml). */
export const KEYS_PER_MESSAGE = 1000;

/** ChaincodeMessage types of the batch messages (fabric-protos peer/chaincode_shim.proto). */
export const MessageType = { WRITE_BATCH_STATE: 24, GET_STATE_MULTIPLE: 25 } as const;
/** WriteRecord.Type.PUT_STATE (the same proto). */
export const PUT_STATE_RECORD = 9;

/** The shim's ChaincodeMessage, as this module uses it. */
interface ChaincodeMessage {
  setType(type: number): void;
  setPayload(payload: Uint8Array): void;
  setTxid(txId: string): void;
  setChannelId(channelId: string): void;
}

/** What this module uses of fabric-shim's (internal) handler: one message of a transaction, answered by the peer. */
interface ShimHandler {
  _askPeerAndListen(message: ChaincodeMessage, method: string): Promise<unknown>;
}

interface BinaryWriter {
  writeString(field: number, value: string): void;
  writeBytes(field: number, value: Uint8Array): void;
  writeEnum(field: number, value: number): void;
  getResultBuffer(): Uint8Array;
}
interface BinaryReader {
  nextField(): boolean;
  isEndGroup(): boolean;
  getFieldNumber(): number;
  readBytes(): Uint8Array;
  skipField(): void;
}
interface Jspb {
  BinaryWriter: new () => BinaryWriter;
  BinaryReader: new (bytes: Uint8Array) => BinaryReader;
}

const shimRequire = createRequire(require.resolve('fabric-shim'));
/** The shim's own classes: its gRPC serializer checks the envelope with instanceof. */
const shimProtos = shimRequire('@hyperledger/fabric-protos') as { peer: { ChaincodeMessage: new () => ChaincodeMessage } };
const jspb = createRequire(shimRequire.resolve('@hyperledger/fabric-protos'))('google-protobuf') as Jspb;

/** GetStateMultiple { repeated string keys = 1; string collection = 2 } (collection '' is the default, left out). */
export function encodeGetStateMultiple(keys: readonly string[]): Uint8Array {
  const writer = new jspb.BinaryWriter();
  for (const key of keys) writer.writeString(1, key);
  return writer.getResultBuffer();
}

/** GetStateMultipleResult { repeated bytes values = 1 }. */
export function decodeGetStateMultipleResult(bytes: Uint8Array): Uint8Array[] {
  const reader = new jspb.BinaryReader(bytes);
  const values: Uint8Array[] = [];
  while (reader.nextField() && !reader.isEndGroup()) {
    if (reader.getFieldNumber() === 1) values.push(reader.readBytes());
    else reader.skipField();
  }
  return values;
}

/** WriteBatchState { repeated WriteRecord rec = 1 }, WriteRecord { string key = 1; bytes value = 2; ...; Type type = 5 }. */
export function encodeWriteBatch(entries: readonly { readonly key: string; readonly value: Uint8Array }[]): Uint8Array {
  const batch = new jspb.BinaryWriter();
  for (const { key, value } of entries) {
    const record = new jspb.BinaryWriter();
    record.writeString(1, key);
    record.writeBytes(2, value);
    record.writeEnum(5, PUT_STATE_RECORD);
    batch.writeBytes(1, record.getResultBuffer());
  }
  return batch.getResultBuffer();
}

const enabledSetting = z.enum(['0', '1']).default('0');

/** POLL_LEDGER_CC_STATE_BATCHES, checked: '1' on, '0' or unset off. */
export function stateBatchesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const parsed = enabledSetting.safeParse(env.POLL_LEDGER_CC_STATE_BATCHES);
  if (!parsed.success) {
    throw new Error(`POLL_LEDGER_CC_STATE_BATCHES must be 0 or 1, not "${String(env.POLL_LEDGER_CC_STATE_BATCHES)}"`);
  }
  return parsed.data === '1';
}

function shimHandlerOf(stub: ChaincodeStub): ShimHandler | undefined {
  const handler: unknown = Reflect.get(stub, 'handler');
  const ask = typeof handler === 'object' && handler !== null ? (handler as Partial<ShimHandler>)._askPeerAndListen : undefined;
  return typeof ask === 'function' ? (handler as ShimHandler) : undefined;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += KEYS_PER_MESSAGE) out.push(items.slice(i, i + KEYS_PER_MESSAGE));
  return out;
}

/**
 * Batched reads and writes for this transaction's stub, or undefined when the stub has no fabric-shim handler (the
 * callers then use one message a key). Only for a peer that takes them (stateBatchesEnabled).
 */
export function stateBatchesOf(stub: ChaincodeStub): StateBatches | undefined {
  const handler = shimHandlerOf(stub);
  if (handler === undefined) return undefined;
  const send = (type: number, payload: Uint8Array, method: string): Promise<unknown> => {
    const message = new shimProtos.peer.ChaincodeMessage();
    message.setType(type);
    message.setPayload(payload);
    message.setTxid(stub.getTxID());
    message.setChannelId(stub.getChannelID());
    return handler._askPeerAndListen(message, method);
  };
  return {
    async getMany(keys) {
      const values: Uint8Array[] = [];
      for (const part of chunks(keys)) {
        const answer = await send(MessageType.GET_STATE_MULTIPLE, encodeGetStateMultiple(part), 'GetStateMultiple');
        if (!(answer instanceof Uint8Array)) throw new Error('GetStateMultiple: the peer answered without a payload');
        const got = decodeGetStateMultipleResult(answer);
        if (got.length !== part.length) {
          throw new Error(`GetStateMultiple: the peer answered ${got.length} values for ${part.length} keys`);
        }
        values.push(...got);
      }
      return values;
    },
    async putMany(entries) {
      for (const part of chunks(entries)) {
        await send(MessageType.WRITE_BATCH_STATE, encodeWriteBatch(part), 'WriteBatchState');
      }
    },
  };
}
