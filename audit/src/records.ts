/**
 * The `polls` chaincode's world-state keys and records, as docs/chaincode-api.md defines them, read with the auditor's
 * own parsers: a record that does not have the documented shape is reported, never trusted.
 */

export interface OptionRecord {
  readonly id: string;
}

export interface QuestionRecord {
  readonly id: string;
  readonly type: string;
  readonly minChoices: number;
  readonly maxChoices: number;
  readonly options: readonly OptionRecord[];
}

export interface PollRecord {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly revotePolicy: string;
  readonly resultsVisibility: string;
  readonly opensAt: string;
  readonly closesAt: string;
  readonly questions: readonly QuestionRecord[];
}

export type AnswersRecord = Readonly<Record<string, readonly string[]>>;

export interface BallotRecord {
  readonly pollId: string;
  readonly ballotId: string;
  readonly answers: AnswersRecord;
  readonly castAt: string;
  readonly txId: string;
  readonly ballotHash: string;
}

export type CountsRecord = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** `tally~{pollId}`: the tally's running state; with `done: true` it is the poll's final result. */
export interface TallyRecord {
  readonly pollId: string;
  readonly done: boolean;
  readonly ballotCount: number;
  readonly counts: CountsRecord;
  readonly ballotsRoot: string;
}

export type ParsedKey =
  | { readonly kind: 'poll'; readonly pollId: string }
  | { readonly kind: 'ballot'; readonly pollId: string; readonly ballotId: string }
  | { readonly kind: 'tally'; readonly pollId: string }
  | { readonly kind: 'other' };

/** Poll ids never contain `~`, so the segments are unambiguous. */
export function parseKey(key: string): ParsedKey {
  const parts = key.split('~');
  const [prefix, first, second] = parts;
  if (prefix === 'poll' && parts.length === 2 && first) {
    return { kind: 'poll', pollId: first };
  }
  if (prefix === 'tally' && parts.length === 2 && first) {
    return { kind: 'tally', pollId: first };
  }
  if (prefix === 'ballot' && parts.length === 3 && first && second) {
    return { kind: 'ballot', pollId: first, ballotId: second };
  }
  return { kind: 'other' };
}

export class RecordError extends Error {
  override readonly name = 'RecordError';
}

export function parsePollRecord(text: string): PollRecord {
  const raw = parseObject(text, 'poll');
  const questions = field(raw, 'questions', isArray, 'poll').map((q, i) => {
    const where = `question ${i}`;
    const question = requireObject(q, where);
    return {
      id: field(question, 'id', isString, where),
      type: field(question, 'type', isString, where),
      minChoices: field(question, 'minChoices', isCount, where),
      maxChoices: field(question, 'maxChoices', isCount, where),
      options: field(question, 'options', isArray, where).map((o, k) => ({
        id: field(requireObject(o, `${where} option ${k}`), 'id', isString, `${where} option ${k}`),
      })),
    };
  });
  return {
    id: field(raw, 'id', isString, 'poll'),
    title: field(raw, 'title', isString, 'poll'),
    status: field(raw, 'status', isString, 'poll'),
    revotePolicy: field(raw, 'revotePolicy', isString, 'poll'),
    resultsVisibility: field(raw, 'resultsVisibility', isString, 'poll'),
    opensAt: field(raw, 'opensAt', isString, 'poll'),
    closesAt: field(raw, 'closesAt', isString, 'poll'),
    questions,
  };
}

export function parseBallotRecord(text: string): BallotRecord {
  const raw = parseObject(text, 'ballot');
  const answersRaw = field(raw, 'answers', isObject, 'ballot');
  const answers: Record<string, readonly string[]> = {};
  for (const [questionId, choices] of Object.entries(answersRaw)) {
    if (!Array.isArray(choices) || !choices.every(isString)) {
      throw new RecordError(`ballot answer ${questionId} is not an array of option ids`);
    }
    answers[questionId] = choices;
  }
  return {
    pollId: field(raw, 'pollId', isString, 'ballot'),
    ballotId: field(raw, 'ballotId', isString, 'ballot'),
    answers,
    castAt: field(raw, 'castAt', isString, 'ballot'),
    txId: field(raw, 'txId', isString, 'ballot'),
    ballotHash: field(raw, 'ballotHash', isString, 'ballot'),
  };
}

export function parseTallyRecord(text: string): TallyRecord {
  const raw = parseObject(text, 'tally');
  const countsRaw = field(raw, 'counts', isObject, 'tally');
  const counts: Record<string, Record<string, number>> = {};
  for (const [questionId, options] of Object.entries(countsRaw)) {
    const optionCounts = requireObject(options, `tally counts of ${questionId}`);
    const question: Record<string, number> = {};
    for (const [optionId, count] of Object.entries(optionCounts)) {
      if (!isCount(count)) {
        throw new RecordError(`tally count ${questionId}/${optionId} is not a count`);
      }
      question[optionId] = count;
    }
    counts[questionId] = question;
  }
  return {
    pollId: field(raw, 'pollId', isString, 'tally'),
    done: field(raw, 'done', isBoolean, 'tally'),
    ballotCount: field(raw, 'ballotCount', isCount, 'tally'),
    counts,
    ballotsRoot: field(raw, 'ballotsRoot', isString, 'tally'),
  };
}

type JsonObject = Record<string, unknown>;

function parseObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RecordError(`the ${what} record is not JSON`);
  }
  return requireObject(value, `the ${what} record`);
}

function requireObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) {
    throw new RecordError(`${what} is not a JSON object`);
  }
  return value;
}

function field<T>(raw: JsonObject, name: string, guard: (v: unknown) => v is T, what: string): T {
  const value = Object.hasOwn(raw, name) ? raw[name] : undefined;
  if (!guard(value)) {
    throw new RecordError(`${what} has no valid ${name}`);
  }
  return value;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isArray(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
