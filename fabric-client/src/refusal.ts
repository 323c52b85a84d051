import { decodeChaincodeError, type ErrorPayload } from '@poll-ledger/protocol';

/**
 * A chaincode refusal inside a fabric-gateway / grpc-js error. The peer wraps the chaincode's message as
 * `chaincode response <status>, <message>`, in the endorsement details of a submit and in the message of an
 * evaluate; the message itself is a protocol ErrorPayload, read with the protocol's decoder.
 */

const CHAINCODE_RESPONSE = /chaincode response \d+, /;

/** The chaincode's own message inside one peer error text, if the text wraps one. */
export function unwrapChaincodeMessage(text: string): string | undefined {
  const match = CHAINCODE_RESPONSE.exec(text);
  return match === null ? undefined : text.slice(match.index + match[0].length);
}

/** Every text an error carries: the endorsers' details first, then its own message. */
export function errorTexts(err: unknown): string[] {
  if (typeof err !== 'object' || err === null) return [];
  const { message, details } = err as { message?: unknown; details?: unknown };
  const texts: string[] = [];
  if (Array.isArray(details)) {
    for (const detail of details as unknown[]) {
      const text = typeof detail === 'object' && detail !== null ? (detail as { message?: unknown }).message : undefined;
      if (typeof text === 'string') texts.push(text);
    }
  }
  if (typeof message === 'string') texts.push(message);
  return texts;
}

/** The protocol error payload a failed chaincode call carries; undefined when none of its texts has one. */
export function chaincodeErrorOf(err: unknown): ErrorPayload | undefined {
  for (const text of errorTexts(err)) {
    const message = unwrapChaincodeMessage(text);
    const payload = message === undefined ? undefined : decodeChaincodeError(message);
    if (payload !== undefined) return payload;
  }
  return undefined;
}
