/** Poll definitions and voter tokens for the end-to-end tests. */
import * as crypto from 'node:crypto';

export interface PollInput {
  id?: string;
  title: string;
  questions: {
    id: string;
    text: string;
    type: 'single' | 'multi';
    minChoices: number;
    maxChoices: number;
    options: { id: string; text: string }[];
  }[];
  opensAt: string;
  closesAt: string;
  revotePolicy: 'none' | 'last-counts';
  resultsVisibility: 'live' | 'after-close';
}

let counter = 0;

/** A unique poll id per call, so suites never collide on one ledger. */
export function uniquePollId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${counter.toString()}`;
}

/** An open-ended colour poll: one single-choice question and one multi-choice question. */
export function colourPoll(id: string, overrides: Partial<PollInput> = {}): PollInput {
  return {
    id,
    title: `Colour of the new trams (${id})`,
    questions: [
      {
        id: 'q1', text: 'Which colour?', type: 'single', minChoices: 1, maxChoices: 1,
        options: [{ id: 'red', text: 'Red' }, { id: 'green', text: 'Green' }, { id: 'blue', text: 'Blue' }],
      },
      {
        id: 'q2', text: 'Which extras?', type: 'multi', minChoices: 0, maxChoices: 2,
        options: [{ id: 'wifi', text: 'Wi-Fi' }, { id: 'usb', text: 'USB chargers' }, { id: 'ac', text: 'Air conditioning' }],
      },
    ],
    opensAt: '2020-01-01T00:00:00.000Z',
    closesAt: '2099-01-01T00:00:00.000Z',
    revotePolicy: 'none',
    resultsVisibility: 'live',
    ...overrides,
  };
}

/** A voter token as the gateway makes it: HMAC-SHA256(secret, pollId ‖ citizenId). */
export function voterToken(pollId: string, citizenId: string): string {
  return crypto.createHmac('sha256', 'e2e-secret').update(`${pollId}\u0000${citizenId}`).digest('hex');
}
