import { createHash } from 'node:crypto';
import type { BallotRequest, Poll } from '@poll-ledger/protocol';
import { Ids, type TestNetwork } from './network';

/** A poll definition as the gateway sends it: q1 picks one colour, q2 picks one or two ports. */
export function pollInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'p1',
    title: 'Colours and ports',
    description: 'A sample poll',
    questions: [
      {
        id: 'q1',
        text: 'Favourite colour?',
        type: 'single',
        minChoices: 1,
        maxChoices: 1,
        options: [
          { id: 'red', text: 'Red' },
          { id: 'green', text: 'Green' },
          { id: 'blue', text: 'Blue' },
        ],
      },
      {
        id: 'q2',
        text: 'Which ports?',
        type: 'multi',
        minChoices: 1,
        maxChoices: 2,
        options: [
          { id: 'usb', text: 'USB' },
          { id: 'hdmi', text: 'HDMI' },
          { id: 'wifi', text: 'Wi-Fi' },
        ],
      },
    ],
    opensAt: '2026-01-01T00:00:00Z',
    closesAt: '2026-12-31T00:00:00Z',
    revotePolicy: 'none',
    resultsVisibility: 'live',
    ...overrides,
  };
}

export const pollJson = (overrides: Record<string, unknown> = {}): string => JSON.stringify(pollInput(overrides));

/** The voter token of citizen n: 64 lowercase hex characters, as the gateway's HMAC gives. */
export const voter = (n: number): string => createHash('sha256').update(`voter-${n}`).digest('hex');

/** The gateway's hash of an Idempotency-Key. */
export const requestId = (n: number): string => createHash('sha256').update(`request-${n}`).digest('hex');

export const answersJson = (answers: Record<string, unknown> = { q1: ['red'], q2: ['usb'] }): string =>
  JSON.stringify(answers);

/** Creates a poll as the city's poll-admin (or `owner`) and opens it. */
export async function openPoll(
  net: TestNetwork,
  overrides: Record<string, unknown> = {},
  owner = Ids.cityAdmin,
): Promise<Poll> {
  const poll = await net.submit(owner, 'CreatePoll', pollJson(overrides));
  return net.submit(owner, 'OpenPoll', poll.id);
}

/** Casts a ballot as the city's ballot-relay; `requestedAt` '' (the default) leaves the tx timestamp to order it. */
export function cast(
  net: TestNetwork,
  citizen: number,
  answers: Record<string, unknown> = { q1: ['red'], q2: ['usb'] },
  request = '',
  pollId = 'p1',
  requestedAt = '',
) {
  return net.submit(Ids.cityRelay, 'CastBallot', pollId, voter(citizen), answersJson(answers), request, requestedAt);
}

/** A CastBallots item by what differs from a valid ballot without requestId or requestedAt. */
export type ItemOverrides = Partial<BallotRequest> & Pick<BallotRequest, 'voterToken'>;

/** One item of CastBallots' ballotsJson: a valid ballot of `voterToken` unless the overrides say otherwise. */
export function ballotItem(overrides: ItemOverrides): BallotRequest {
  return { answers: { q1: ['red'], q2: ['usb'] }, requestId: '', requestedAt: '', ...overrides };
}

export const ballotsJson = (items: readonly ItemOverrides[]): string =>
  JSON.stringify(items.map(ballotItem));

/** Casts the items in one CastBallots transaction as the city's ballot-relay. */
export function castMany(net: TestNetwork, items: readonly ItemOverrides[], pollId = 'p1') {
  return net.submit(Ids.cityRelay, 'CastBallots', pollId, ballotsJson(items));
}
