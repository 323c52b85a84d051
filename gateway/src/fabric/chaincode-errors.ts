import { unwrapChaincodeMessage } from '@poll-ledger/fabric-client';
import { decodeChaincodeError, type ErrorPayload } from '@poll-ledger/protocol';
import { ChaincodeError, type ErrorDetails } from '../errors';

/**
 * Chaincode refusals: the chaincode's message is the canonical JSON of a protocol ErrorPayload, read with the
 * protocol's decoder. The only text handling here is taking that message out of Fabric's wrapper.
 */



/** The REST details of a refusal. INVALID_ANSWER keeps the REST names: `reason` is the protocol's subcode. */
function restDetails(payload: ErrorPayload): ErrorDetails | undefined {
  switch (payload.code) {
    case 'INVALID_ANSWER': {
      const { subcode, questionId, optionId } = payload.details;
      return optionId === undefined ? { reason: subcode, questionId } : { reason: subcode, questionId, optionId };
    }
    case 'INVALID_ARGUMENT':
      return payload.details;
    default:
      return undefined;
  }
}

export function refusalOf(payload: ErrorPayload, options?: { cause?: unknown }): ChaincodeError {
  return new ChaincodeError(payload.code, payload.message, restDetails(payload), options);
}

/** The chaincode refusal carried by one peer error text; undefined when it carries no protocol error payload. */
export function chaincodeRefusal(text: string, options?: { cause?: unknown }): ChaincodeError | undefined {
  const message = unwrapChaincodeMessage(text);
  const payload = message === undefined ? undefined : decodeChaincodeError(message);
  return payload === undefined ? undefined : refusalOf(payload, options);
}
