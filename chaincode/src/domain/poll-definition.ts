import type { Poll } from '@poll-ledger/protocol';
import { parseArg } from './input';
import { toStoredTime } from './time';

/** What a poll-admin supplies; the chaincode adds the rest. */
export type PollDefinition = Omit<Poll, 'id' | 'ownerMsp' | 'status' | 'createdTxId' | 'updatedTxId'> & {
  readonly id?: string;
};

/**
 * Checks `pollJson` of CreatePoll/UpdatePoll with the protocol's PollDefinitionSchema and returns the fields the
 * poll record stores, listed one by one so the record stays the same whatever else the input carries: unknown
 * fields and the ones the chaincode sets itself (ownerMsp, status, createdTxId, updatedTxId) are dropped.
 */
export function parsePollDefinition(pollJson: string): PollDefinition {
  const input = parseArg('pollJson', pollJson);
  const { title, questions, revotePolicy, resultsVisibility } = input;
  const definition = {
    title,
    description: input.description ?? '',
    questions,
    opensAt: toStoredTime(input.opensAt),
    closesAt: toStoredTime(input.closesAt),
    revotePolicy,
    resultsVisibility,
  };
  return input.id === undefined ? definition : { id: input.id, ...definition };
}
