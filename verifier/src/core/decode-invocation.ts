/**
 * What a transaction asked its chaincode to do: the function (the first argument) and the arguments after it, read
 * from the proposal payload with ./protowire. A ballot's arguments are what its written record is checked against
 * (./ballot-tx), so they are read here as the chaincode reads them: UTF-8 text.
 */
import { fromUtf8 } from './bytes';
import type { EndorserAction } from './decode';
import { LEN, STRING, type Shape, checkShape, ProtoReader } from './protowire';

const CHAINCODE_ID: Shape = { 1: STRING, 2: STRING, 3: STRING };
/** A map<string, bytes> entry (TransientMap, decorations) and a KVMetadataEntry. */
export const MAP_ENTRY: Shape = { 1: STRING, 2: LEN };

export type Invocation = Pick<EndorserAction, 'functionName' | 'args'>;

function each(bytes: Uint8Array, field: (r: ProtoReader) => void): void {
  const r = new ProtoReader(bytes);
  while (r.next()) field(r);
}

/**
 * ChaincodeProposalPayload { 1 input, 2 TransientMap } → ChaincodeInvocationSpec { 1 chaincode_spec: ChaincodeSpec
 * { 1 type, 2 chaincode_id, 3 input: ChaincodeInput { repeated 1 args, 2 decorations, 3 is_init }, 4 timeout } };
 * nothing when there is no argument at all. Throws what Fabric's Go protobuf refuses (a string that is not UTF-8, a
 * field number out of range) and what does not decode.
 */
export function readInvocation(proposalPayload: Uint8Array): Invocation {
  let input: Uint8Array = new Uint8Array(0);
  each(proposalPayload, (r) => {
    if (r.field === 1) input = r.bytes();
    else if (r.field === 2) checkShape(r.bytes(), MAP_ENTRY);
    else r.skip();
  });
  let args: Uint8Array[] = [];
  each(input, (r) => {
    if (r.field !== 1) {
      r.skip();
      return;
    }
    args = [];
    each(r.bytes(), (spec) => {
      switch (spec.field) {
        case 1: spec.int32(); break;
        case 2: checkShape(spec.bytes(), CHAINCODE_ID); break;
        case 3: args = argumentsOf(spec.bytes()); break;
        case 4: spec.int32(); break;
        default: spec.skip();
      }
    });
  });
  const [first, ...rest] = args.map(fromUtf8);
  return first === undefined ? {} : { functionName: first, args: rest };
}

/** {@link readInvocation}, or nothing when the invocation does not decode: the transaction's validity does not depend on it. */
export function invocationOf(proposalPayload: Uint8Array): Invocation {
  try {
    return readInvocation(proposalPayload);
  } catch {
    return {};
  }
}

function argumentsOf(chaincodeInput: Uint8Array): Uint8Array[] {
  const args: Uint8Array[] = [];
  each(chaincodeInput, (r) => {
    if (r.field === 1) args.push(r.bytes());
    else if (r.field === 2) checkShape(r.bytes(), MAP_ENTRY);
    else if (r.field === 3) r.bool();
    else r.skip();
  });
  return args;
}
