import { Limits } from '../config';
import { InvalidArgumentError } from './errors';
import {
  type JsonRecord,
  parseJsonArgument,
  requireArray,
  requireId,
  requireInteger,
  requireOneOf,
  requireRecord,
  requireText,
} from './input';
import {
  type PollDefinition,
  type PollOption,
  type Question,
  QuestionTypes,
  ResultsVisibilities,
  RevotePolicies,
} from './poll';
import { isoToMillis, normaliseIsoTime } from './time';

/**
 * Validates a poll definition (`pollJson` of CreatePoll/UpdatePoll) and returns only the known fields:
 * unknown fields, and the fields the chaincode sets itself (ownerMsp, status, createdTxId, updatedTxId), are ignored.
 */
export function parsePollDefinition(pollJson: string): PollDefinition {
  const input = requireRecord(parseJsonArgument(pollJson, 'pollJson'), 'pollJson');
  const id = input.id === undefined ? undefined : requireId(input.id, 'id');
  const title = requireText(input.title, 'title', Limits.titleLength);
  const description =
    input.description === undefined
      ? ''
      : requireText(input.description, 'description', Limits.descriptionLength, true);
  const questions = requireArray(input.questions, 'questions', Limits.questions).map((q, i) =>
    parseQuestion(q, `questions[${i}]`),
  );
  assertUniqueIds(questions, 'questions');
  const opensAt = normaliseIsoTime(input.opensAt, 'opensAt');
  const closesAt = normaliseIsoTime(input.closesAt, 'closesAt');
  if (isoToMillis(opensAt) >= isoToMillis(closesAt)) {
    throw new InvalidArgumentError('opensAt must be before closesAt');
  }
  const revotePolicy = requireOneOf(input.revotePolicy, 'revotePolicy', RevotePolicies);
  const resultsVisibility = requireOneOf(input.resultsVisibility, 'resultsVisibility', ResultsVisibilities);
  const definition = { title, description, questions, opensAt, closesAt, revotePolicy, resultsVisibility };
  return id === undefined ? definition : { id, ...definition };
}

function parseQuestion(value: unknown, field: string): Question {
  const input: JsonRecord = requireRecord(value, field);
  const id = requireId(input.id, `${field}.id`);
  const text = requireText(input.text, `${field}.text`, Limits.questionTextLength);
  const options = requireArray(input.options, `${field}.options`, Limits.optionsPerQuestion).map((o, i) =>
    parseOption(o, `${field}.options[${i}]`),
  );
  assertUniqueIds(options, `${field}.options`);
  const type = requireOneOf(input.type, `${field}.type`, QuestionTypes);
  const maxChoices = requireInteger(input.maxChoices, `${field}.maxChoices`, {
    min: 1,
    max: type === 'single' ? 1 : options.length,
  });
  const minChoices = requireInteger(input.minChoices, `${field}.minChoices`, { min: 0, max: maxChoices });
  return { id, text, type, minChoices, maxChoices, options };
}

function parseOption(value: unknown, field: string): PollOption {
  const input = requireRecord(value, field);
  return {
    id: requireId(input.id, `${field}.id`),
    text: requireText(input.text, `${field}.text`, Limits.optionTextLength),
  };
}

function assertUniqueIds(items: readonly { readonly id: string }[], field: string): void {
  const seen = new Set<string>();
  for (const { id } of items) {
    if (seen.has(id)) {
      throw new InvalidArgumentError(`${field} has the id ${id} twice`);
    }
    seen.add(id);
  }
}
