import { type ErrorPayload, decodeChaincodeError } from '@poll-ledger/protocol';
import { expect } from 'chai';

/** A refusal as a client reads it: the protocol payload decoded from the error message, or the test fails. */
export function payloadOf(error: unknown): ErrorPayload {
  expect(error, 'a refusal').to.be.instanceOf(Error);
  const { message } = error as Error;
  const payload = decodeChaincodeError(message);
  if (payload === undefined) {
    expect.fail(`not a protocol error payload: ${message}`);
  }
  return payload;
}

/** The decoded refusal of a transaction that must fail. */
export async function refusalOf(outcome: Promise<unknown>): Promise<ErrorPayload> {
  try {
    await outcome;
  } catch (error) {
    return payloadOf(error);
  }
  return expect.fail('expected a refusal, but the transaction succeeded');
}

/** The decoded refusal of a call that must throw. */
export function thrownBy(call: () => unknown): ErrorPayload {
  try {
    call();
  } catch (error) {
    return payloadOf(error);
  }
  return expect.fail('expected a refusal, but the call returned');
}
