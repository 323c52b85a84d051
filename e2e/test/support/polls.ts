/**
 * Poll fixtures for the end-to-end tests and the benchmarks, in one place: poll definitions, answers, voter
 * tokens, the expected count, and the receipt the REST gateway returns (and the auditor checks).
 */
import * as crypto from 'node:crypto';
import type { Answers, ArgsOf, Counts, PollDefinitionInput } from '@poll-ledger/protocol';

/** The colour poll's questions and their option ids, in order. */
export const COLOUR_OPTIONS = {
  q1: ['red', 'green', 'blue'],
  q2: ['wifi', 'usb', 'ac'],
} as const;

type ColourOption = (typeof COLOUR_OPTIONS)[keyof typeof COLOUR_OPTIONS][number];
const LABELS: Record<ColourOption, string> = {
  red: 'Red', green: 'Green', blue: 'Blue', wifi: 'Wi-Fi', usb: 'USB chargers', ac: 'Air conditioning',
};
const optionsOf = (question: keyof typeof COLOUR_OPTIONS) => COLOUR_OPTIONS[question].map((id) => ({ id, text: LABELS[id] }));

let counter = 0;

/** A unique poll id per call, so suites never collide on one ledger. */
export function uniquePollId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${counter.toString()}`;
}

/** An open-ended colour poll: one single-choice question and one multi-choice question (at most 2 extras). */
export function colourPoll(id: string, overrides: Partial<PollDefinitionInput> = {}): PollDefinitionInput {
  return {
    id,
    title: `Colour of the new trams (${id})`,
    questions: [
      {
        id: 'q1', text: 'Which colour?', type: 'single', minChoices: 1, maxChoices: 1, options: optionsOf('q1'),
      },
      {
        id: 'q2', text: 'Which extras?', type: 'multi', minChoices: 0, maxChoices: 2, options: optionsOf('q2'),
      },
    ],
    opensAt: '2020-01-01T00:00:00.000Z',
    closesAt: '2099-01-01T00:00:00.000Z',
    revotePolicy: 'none',
    resultsVisibility: 'live',
    ...overrides,
  };
}

/**
 * A deterministic spread of valid colour-poll answers: ballot i's choices depend only on i. q1 cycles
 * red, green, blue; q2 takes the extras whose bit is set in i, at most two.
 */
export function answersFor(i: number): Answers {
  const { q1, q2 } = COLOUR_OPTIONS;
  return { q1: [q1[i % q1.length] ?? 'red'], q2: q2.filter((_, k) => ((i >> k) & 1) === 1).slice(0, 2) };
}

/** What a tally of these colour-poll ballots must count: every option listed, 0 included. */
export function expectedCounts(ballots: readonly Answers[]): Counts {
  const counts: Counts = Object.fromEntries(
    Object.entries(COLOUR_OPTIONS).map(([question, options]) => [question, Object.fromEntries(options.map((o) => [o, 0]))]),
  );
  for (const answers of ballots) {
    for (const [question, options] of Object.entries(answers)) {
      const bucket = counts[question];
      if (!bucket) continue;
      for (const option of options) bucket[option] = (bucket[option] ?? 0) + 1;
    }
  }
  return counts;
}

/** A voter token as the gateway makes it: HMAC-SHA256(secret, pollId ‖ NUL ‖ citizenId). */
export function voterToken(pollId: string, citizenId: string): string {
  return crypto.createHmac('sha256', 'e2e-secret').update(`${pollId}\u0000${citizenId}`).digest('hex');
}

/** A ballot receipt, as `POST /v1/polls/{id}/ballots` returns it and `poll-ledger-audit receipt` reads it. */
export interface Receipt {
  pollId: string;
  ballotId: string;
  txId: string;
  blockNumber: number;
  ballotHash: string;
  /** The ballot's index in its transaction, when the gateway sent it in a CastBallots batch. */
  position?: number;
}

/** CastBallot's arguments in the protocol's order; the type fails to compile when the protocol's list changes. */
export function castBallotArgs(pollId: string, token: string, answers: unknown, requestId = '', requestedAt = ''): string[] {
  const args: ArgsOf<'CastBallot'> = [pollId, token, JSON.stringify(answers), requestId, requestedAt];
  return [...args];
}

/** One item of CastBallots' ballotsJson: CastBallot's arguments after pollId, with the answers as a value. */
export function ballotItem(token: string, answers: unknown, requestId = '', requestedAt = ''): import('@poll-ledger/protocol').BallotRequest {
  return { voterToken: token, answers, requestId, requestedAt };
}

/** CastBallots' arguments in the protocol's order; the type fails to compile when the protocol's list changes. */
export function castBallotsArgs(pollId: string, items: readonly import('@poll-ledger/protocol').BallotRequest[]): string[] {
  const args: ArgsOf<'CastBallots'> = [pollId, JSON.stringify(items)];
  return [...args];
}
