import { unwrapChaincodeMessage } from '@poll-ledger/fabric-client';
import { decodeChaincodeError } from '@poll-ledger/protocol';
import { type ChaincodeError, refusalOf } from '../errors';

/**
 * Chaincode refusals: the chaincode's message is the canonical JSON of a protocol ErrorPayload, read with the
 * protocol's decoder. The only text handling here is taking that message out of Fabric's wrapper.
 */

export { refusalOf };

/** The chaincode refusal carried by one peer error text; undefined when it carries no protocol error payload. */
export function chaincodeRefusal(text: string, options?: { cause?: unknown }): ChaincodeError | undefined {
  const message = unwrapChaincodeMessage(text);
  const payload = message === undefined ? undefined : decodeChaincodeError(message);
  return payload === undefined ? undefined : refusalOf(payload, options);
}
