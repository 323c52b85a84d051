import type { AnswerProblem, Answers, Poll } from '@poll-ledger/protocol';
import { compareCodeUnits } from './canonical';

/**
 * A ballot's answers against its poll, by the protocol's rules and with the auditor's own code: every question
 * answered once, with an array of distinct known option ids, within the question's bounds. The chaincode refuses at
 * the first fault it meets; the auditor lists every fault, each classified as the chaincode's refusal would be
 * (the protocol's INVALID_ARGUMENT, or INVALID_ANSWER with its details), so the vectors can check both agree.
 */

export type AnswerFinding =
  | { readonly code: 'INVALID_ARGUMENT'; readonly message: string }
  | { readonly code: 'INVALID_ANSWER'; readonly details: AnswerProblem; readonly message: string };

type Question = Poll['questions'][number];

export function answerFindings(poll: Pick<Poll, 'questions'>, answers: unknown): AnswerFinding[] {
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) {
    return [{ code: 'INVALID_ARGUMENT', message: 'the answers are not an object of question id → option ids' }];
  }
  const raw = answers as Readonly<Record<string, unknown>>;
  const findings: AnswerFinding[] = [];
  const questions = new Map(poll.questions.map((q) => [q.id, q]));
  for (const questionId of Object.keys(raw)) {
    if (!questions.has(questionId)) {
      findings.push(invalid({ subcode: 'UNKNOWN_QUESTION', questionId }, `answers unknown question ${questionId}`));
    }
  }
  for (const question of poll.questions) {
    findings.push(...choiceFindings(question, Object.hasOwn(raw, question.id) ? raw[question.id] : undefined));
  }
  return findings;
}

function choiceFindings(question: Question, choices: unknown): AnswerFinding[] {
  const questionId = question.id;
  if (choices === undefined) {
    return [invalid({ subcode: 'MISSING_QUESTION', questionId }, `does not answer question ${questionId}`)];
  }
  if (!Array.isArray(choices) || !choices.every((c): c is string => typeof c === 'string')) {
    return [invalid({ subcode: 'WRONG_TYPE', questionId }, `question ${questionId} is not answered with an array of option ids`)];
  }
  const findings: AnswerFinding[] = [];
  const known = new Set(question.options.map((o) => o.id));
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const optionId of choices) {
    if (!known.has(optionId) && !seen.has(optionId)) {
      findings.push(invalid({ subcode: 'UNKNOWN_OPTION', questionId, optionId }, `question ${questionId} names unknown option ${optionId}`));
    }
    if (seen.has(optionId) && !twice.has(optionId)) {
      twice.add(optionId);
      findings.push(invalid({ subcode: 'DUPLICATE_CHOICE', questionId, optionId }, `question ${questionId} names option ${optionId} twice`));
    }
    seen.add(optionId);
  }
  const bounds = `question ${questionId} has ${choices.length} choices, outside [${question.minChoices}, ${question.maxChoices}]`;
  if (choices.length < question.minChoices) {
    findings.push(invalid({ subcode: 'TOO_FEW_CHOICES', questionId }, bounds));
  }
  if (choices.length > question.maxChoices) {
    findings.push(invalid({ subcode: 'TOO_MANY_CHOICES', questionId }, bounds));
  }
  return findings;
}

function invalid(details: AnswerProblem, message: string): AnswerFinding {
  return { code: 'INVALID_ANSWER', details, message };
}

/** The protocol's canonical answers: question ids sorted, and each question's option ids sorted (code units). */
export function canonicalAnswers(answers: Answers): Answers {
  return Object.fromEntries(
    Object.keys(answers)
      .sort(compareCodeUnits)
      .map((questionId) => [questionId, [...(answers[questionId] ?? [])].sort(compareCodeUnits)]),
  );
}

/**
 * The questions whose option ids are stored out of canonical order. Key order is not checked: JSON.parse does not
 * keep it for every key, and the hash sorts keys anyway.
 */
export function unsortedQuestions(answers: Answers): string[] {
  return Object.entries(answers)
    .filter(([, choices]) => choices.some((c, i) => i > 0 && compareCodeUnits(choices[i - 1] ?? '', c) > 0))
    .map(([questionId]) => questionId);
}
