import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { expect } from 'chai';
import fc from 'fast-check';
import { PollLedgerError } from '../../src/domain/errors';
import { Ids, TestNetwork } from '../support/network';
import { voter } from '../support/polls';

/**
 * Random polls and random ballot sequences (re-votes, retries and invalid ballots mixed in), tallied in random
 * batch sizes, against a model written from the API document alone: it shares no code with the chaincode.
 */

interface QuestionDef {
  id: string;
  type: 'single' | 'multi';
  minChoices: number;
  maxChoices: number;
  options: { id: string; text: string }[];
}
type Answers = Record<string, unknown>;
const DEFECTS = ['missing', 'unknownQuestion', 'unknownOption', 'duplicate', 'wrongType', 'tooMany', 'tooFew'] as const;
type Defect = (typeof DEFECTS)[number];
interface Op {
  voter: number;
  answers: Answers;
  valid: boolean;
  request: 'none' | 'fresh' | 'retry';
}
interface Scenario {
  questions: QuestionDef[];
  revotePolicy: 'none' | 'last-counts';
  ops: Op[];
  batches: number[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const questionArb = (index: number): fc.Arbitrary<QuestionDef> =>
  fc
    .record({ type: fc.constantFrom('single' as const, 'multi' as const), optionCount: fc.integer({ min: 1, max: 4 }) })
    .chain(({ type, optionCount }) =>
      fc.integer({ min: 1, max: type === 'single' ? 1 : optionCount }).chain((maxChoices) =>
        fc.integer({ min: 0, max: maxChoices }).map((minChoices) => ({
          id: `q${index}`,
          type,
          minChoices,
          maxChoices,
          options: Array.from({ length: optionCount }, (_, i) => ({ id: `o${i}`, text: `Option ${i}` })),
        })),
      ),
    );

const validAnswersArb = (questions: QuestionDef[]): fc.Arbitrary<Answers> =>
  fc.tuple(
    ...questions.map((q) =>
      fc.shuffledSubarray(q.options.map((o) => o.id), { minLength: q.minChoices, maxLength: q.maxChoices }),
    ),
  ).map((choices) => Object.fromEntries(questions.map((q, i) => [q.id, choices[i]])));

function spoil(questions: QuestionDef[], answers: Answers, defect: Defect): Answers | undefined {
  const q = questions[0];
  if (q === undefined) return undefined;
  const ids = q.options.map((o) => o.id);
  const spoilt = { ...answers };
  switch (defect) {
    case 'missing':
      return Object.fromEntries(Object.entries(spoilt).filter(([id]) => id !== q.id));
    case 'unknownQuestion':
      return { ...spoilt, zz: [] };
    case 'unknownOption':
      return { ...spoilt, [q.id]: ['nope'] };
    case 'duplicate':
      return { ...spoilt, [q.id]: [ids[0], ids[0]] };
    case 'wrongType':
      return { ...spoilt, [q.id]: ids[0] };
    case 'tooMany':
      return q.maxChoices < ids.length ? { ...spoilt, [q.id]: ids.slice(0, q.maxChoices + 1) } : undefined;
    case 'tooFew':
      return q.minChoices > 0 ? { ...spoilt, [q.id]: ids.slice(0, q.minChoices - 1) } : undefined;
  }
}

const opArb = (questions: QuestionDef[], voters: number): fc.Arbitrary<Op> =>
  fc
    .record({
      voter: fc.integer({ min: 0, max: voters - 1 }),
      answers: validAnswersArb(questions),
      defect: fc.option(
        fc.constantFrom<Defect>(...DEFECTS),
        { freq: 3 },
      ),
      request: fc.constantFrom('none' as const, 'fresh' as const, 'retry' as const),
    })
    .map(({ voter: v, answers, defect, request }) => {
      const spoilt = defect === null ? undefined : spoil(questions, answers, defect);
      return { voter: v, request, answers: spoilt ?? answers, valid: spoilt === undefined };
    });

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    questionCount: fc.integer({ min: 1, max: 3 }),
    voters: fc.integer({ min: 1, max: 6 }),
    revotePolicy: fc.constantFrom('none' as const, 'last-counts' as const),
    batches: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
  })
  .chain(({ questionCount, voters, revotePolicy, batches }) =>
    fc.tuple(...Array.from({ length: questionCount }, (_, i) => questionArb(i))).chain((questions) =>
      fc.array(opArb(questions, voters), { maxLength: 20 }).map((ops) => ({ questions, revotePolicy, ops, batches })),
    ),
  );

interface ModelBallot {
  answers: Record<string, string[]>;
  castAt: string;
  txId: string;
  requestId: string;
}

/** Runs a scenario on a fresh network, checking each cast against the model; returns the network and the model. */
async function run(scenario: Scenario) {
  const net = new TestNetwork();
  const poll = {
    id: 'prop',
    title: 'Property poll',
    questions: scenario.questions.map((q) => ({ ...q, text: `Question ${q.id}` })),
    opensAt: '2026-01-01T00:00:00Z',
    closesAt: '2026-12-31T00:00:00Z',
    revotePolicy: scenario.revotePolicy,
    resultsVisibility: 'after-close',
  };
  await net.submit(Ids.cityAdmin, 'CreatePoll', JSON.stringify(poll));
  await net.submit(Ids.cityAdmin, 'OpenPoll', 'prop');
  const model = new Map<string, ModelBallot>();
  for (const [index, op] of scenario.ops.entries()) {
    const token = voter(op.voter);
    const existing = model.get(token);
    const requests = { none: '', fresh: sha256(`request-${index}`), retry: existing?.requestId ?? '' };
    const request = requests[op.request];
    const result = await net
      .submit(Ids.cityRelay, 'CastBallot', 'prop', token, JSON.stringify(op.answers), request, '')
      .catch((error: unknown) => {
        if (error instanceof PollLedgerError) return error.code;
        throw error;
      });
    if (request !== '' && existing?.requestId === request) {
      expect(result).to.include({ duplicate: true, txId: existing.txId });
    } else if (!op.valid) {
      expect(result).to.equal('INVALID_ANSWER');
    } else if (existing !== undefined && scenario.revotePolicy === 'none') {
      expect(result).to.equal('ALREADY_VOTED');
    } else {
      expect(result).to.include({ duplicate: false, replaced: existing !== undefined });
      const answers = Object.fromEntries(
        Object.entries(op.answers as Record<string, string[]>).map(([q, o]) => [q, [...o].sort()]),
      );
      const castAt = net.lastTx?.timestamp.toISOString() ?? '';
      model.set(token, { answers, castAt, txId: net.lastTx?.txId ?? '', requestId: request });
    }
  }
  await net.submit(Ids.cityAdmin, 'ClosePoll', 'prop');
  // Every batch counts at least one ballot, so the walk must end within ballots + 1 steps.
  for (let step = 0; ; step += 1) {
    expect(step, 'tally steps').to.be.at.most(model.size);
    const batch = scenario.batches[step % scenario.batches.length] ?? 1;
    if ((await net.submit(Ids.cityAdmin, 'TallyPoll', 'prop', String(batch))).done) break;
  }
  return { net, model };
}

function expectedResults(scenario: Scenario, model: Map<string, ModelBallot>) {
  const counts: Record<string, Record<string, number>> = {};
  for (const q of scenario.questions) counts[q.id] = Object.fromEntries(q.options.map((o) => [o.id, 0]));
  let root = sha256('poll-ledger:ballots:prop');
  for (const token of [...model.keys()].sort()) {
    const ballot = model.get(token);
    if (ballot === undefined) continue;
    for (const [q, options] of Object.entries(ballot.answers)) {
      for (const o of options) {
        const question = counts[q] ?? {};
        question[o] = (question[o] ?? 0) + 1;
      }
    }
    const { answers, castAt, txId } = ballot;
    const hash = sha256(canonicalize({ pollId: 'prop', ballotId: token, answers, castAt, txId }) ?? '');
    root = sha256(root + hash);
  }
  return { pollId: 'prop', status: 'tallied', final: true, ballotCount: model.size, counts, ballotsRoot: root };
}

describe('PollContract tally properties', () => {
  it('when any ballots are cast and tallied in any batch sizes, then the result equals a recount', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const { net, model } = await run(scenario);
        const results = await net.evaluate(Ids.observerAuditor, 'GetResults', 'prop');
        expect(results).to.deep.equal(expectedResults(scenario, model));
      }),
      { numRuns: 60 },
    );
  });

  it('when the same scenario runs twice, then every transaction writes identical bytes and events', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const first = await run(scenario);
        const second = await run(scenario);
        const trace = (net: TestNetwork) => net.ledger.committed.map((tx) => ({ writes: tx.writes, event: tx.event }));
        expect(trace(second.net)).to.deep.equal(trace(first.net));
      }),
      { numRuns: 25 },
    );
  });
});
