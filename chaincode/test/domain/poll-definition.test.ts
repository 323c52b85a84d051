import { Limits } from '@poll-ledger/protocol';
import { expect } from 'chai';
import { parsePollDefinition } from '../../src/domain/poll-definition';
import { pollInput, pollJson } from '../support/polls';
import { thrownBy } from '../support/refusals';

type Input = Record<string, unknown>;
const question = (i: number, changes: Input = {}): Input => ({
  ...(pollInput().questions as Input[])[i],
  ...changes,
});
const options = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `o${i}`, text: `Option ${i}` }));
const questions = (n: number) => Array.from({ length: n }, (_, i) => question(1, { id: `q${i}` }));
/** A poll whose only question is q1 (single) or q2 (multi, three options) with changes. */
const withQuestion = (changes: Input) => ({ questions: [question(0, changes)] });
const withMulti = (changes: Input) => ({ questions: [question(1, changes)] });

describe('parsePollDefinition', () => {
  it('when the definition is valid, then it returns its fields with times normalised to toISOString form', () => {
    const definition = parsePollDefinition(pollJson({ opensAt: '2026-01-01T02:00:00+02:00' }));
    expect(definition.id).to.equal('p1');
    expect(definition.opensAt).to.equal('2026-01-01T00:00:00.000Z');
    expect(definition.closesAt).to.equal('2026-12-31T00:00:00.000Z');
    expect(definition.questions.map((q) => q.id)).to.deep.equal(['q1', 'q2']);
  });

  it('when id and description are missing, then the id stays unset and the description is empty', () => {
    const definition = parsePollDefinition(pollJson({ id: undefined, description: undefined }));
    expect(definition).not.to.have.property('id');
    expect(definition.description).to.equal('');
  });

  it('when the input has unknown or chaincode-owned fields, then they are dropped', () => {
    const definition = parsePollDefinition(
      pollJson({ status: 'tallied', ownerMsp: 'DeptMSP', createdTxId: 'x', colour: 'red' }),
    );
    expect(Object.keys(definition).sort()).to.deep.equal(
      ['closesAt', 'description', 'id', 'opensAt', 'questions', 'resultsVisibility', 'revotePolicy', 'title'].sort(),
    );
    expect(parsePollDefinition(pollJson(withQuestion({ hint: 'x' }))).questions[0]).not.to.have.property('hint');
  });

  it('when maxChoices equals the number of options of a multi question, then it is accepted', () => {
    const definition = parsePollDefinition(pollJson({ questions: [question(1, { minChoices: 0, maxChoices: 3 })] }));
    expect(definition.questions[0]?.maxChoices).to.equal(3);
  });

  it('when the limits are reached but not passed, then the definition is accepted', () => {
    const many = Array.from({ length: Limits.questions.max }, (_, i) =>
      question(1, { id: `q${i}`, options: options(Limits.optionsPerQuestion.max) }),
    );
    const definition = parsePollDefinition(pollJson({ questions: many, title: 't'.repeat(Limits.titleLength) }));
    expect(definition.questions).to.have.length(Limits.questions.max);
  });

  const q0 = 'questions[0]';
  const ID = 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
  const ISO = 'must be an ISO 8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z';
  /** When, the input, the field refused (under pollJson), and what the message says after the field. */
  const refusals: [string, string | Input, string, string][] = [
    ['pollJson is not JSON', '{', '', 'is not valid JSON'],
    ['pollJson is an array', '[]', '', 'must be an object'],
    ['the id has a ~', { id: 'p~1' }, 'id', ID],
    ['the id is too long', { id: 'p'.repeat(65) }, 'id', ID],
    ['the id starts with -', { id: '-p' }, 'id', ID],
    ['the title is blank', { title: '  ' }, 'title', 'must not be empty'],
    ['the title is too long', { title: 't'.repeat(Limits.titleLength + 1) }, 'title', 'must have at most 200 characters'],
    ['the description is not a string', { description: 5 }, 'description', 'must be a string'],
    ['there are no questions', { questions: [] }, 'questions', 'must have at least 1 item'],
    ['there are too many questions', { questions: questions(51) }, 'questions', 'must have at most 50 items'],
    ['two questions share an id', { questions: [question(0), question(1, { id: 'q1' })] }, 'questions[1].id', ': question id q1 appears twice'],
    ['a question is not an object', { questions: ['q1'] }, q0, 'must be an object'],
    ['a question id is missing', withQuestion({ id: undefined }), `${q0}.id`, 'is required'],
    ['a question text is empty', withQuestion({ text: '' }), `${q0}.text`, 'must not be empty'],
    ['a question type is unknown', withQuestion({ type: 'ranked' }), `${q0}.type`, 'must be one of "single", "multi"'],
    ['a question has no options', withQuestion({ options: [] }), `${q0}.options`, 'must have at least 1 item'],
    ['a question has too many options', withQuestion({ options: options(101) }), `${q0}.options`, 'must have at most 100 items'],
    ['two options share an id', withQuestion({ options: [options(1)[0], options(1)[0]] }), `${q0}.options[1].id`, ': option id o0 appears twice'],
    ['an option id is invalid', withQuestion({ options: [{ id: 'a b', text: 'A' }] }), `${q0}.options[0].id`, ID],
    ['an option text is missing', withQuestion({ options: [{ id: 'a' }] }), `${q0}.options[0].text`, 'is required'],
    ['a single question allows two choices', withQuestion({ maxChoices: 2 }), `${q0}.maxChoices`, 'must be an integer from 1 to 1'],
    ['maxChoices is 0', withQuestion({ minChoices: 0, maxChoices: 0 }), `${q0}.maxChoices`, 'must be at least 1'],
    ['maxChoices exceeds the options', withMulti({ maxChoices: 4 }), `${q0}.maxChoices`, 'must be an integer from 1 to 3'],
    ['minChoices exceeds maxChoices', withMulti({ minChoices: 3, maxChoices: 2 }), `${q0}.minChoices`, 'must be an integer from 0 to 2'],
    ['minChoices is negative', withQuestion({ minChoices: -1 }), `${q0}.minChoices`, 'must be at least 0'],
    ['minChoices is fractional', withMulti({ minChoices: 0.5 }), `${q0}.minChoices`, 'must be an integer'],
    ['minChoices is a string', withQuestion({ minChoices: '1' }), `${q0}.minChoices`, 'must be a number'],
    ['opensAt is missing', { opensAt: undefined }, 'opensAt', 'is required'],
    ['opensAt has no zone', { opensAt: '2026-01-01T00:00:00' }, 'opensAt', ISO],
    ['opensAt is a date only', { opensAt: '2026-01-01' }, 'opensAt', ISO],
    ['closesAt is not a calendar date', { closesAt: '2026-02-30T00:00:00Z' }, 'closesAt', ISO],
    ['closesAt has an impossible hour', { closesAt: '2026-01-01T24:00:00Z' }, 'closesAt', ISO],
    ['closesAt is free text', { closesAt: 'next Tuesday' }, 'closesAt', ISO],
    ['opensAt equals closesAt', { closesAt: '2026-01-01T01:00:00+01:00' }, 'closesAt', ': opensAt must be before closesAt'],
    ['opensAt is after closesAt', { opensAt: '2027-01-01T00:00:00Z' }, 'closesAt', ': opensAt must be before closesAt'],
    ['the revote policy is unknown', { revotePolicy: 'first' }, 'revotePolicy', 'must be one of "none", "last-counts"'],
    ['the visibility is unknown', { resultsVisibility: 'never' }, 'resultsVisibility', 'must be one of "live", "after-close"'],
  ];
  for (const [when, input, path, problem] of refusals) {
    it(`when ${when}, then it is refused as INVALID_ARGUMENT on pollJson${path === '' ? '' : `.${path}`}`, () => {
      const text = typeof input === 'string' ? input : pollJson(input);
      const field = path === '' ? 'pollJson' : `pollJson.${path}`;
      const message = problem.startsWith(':') ? `${field}${problem}` : `${field} ${problem}`;
      const refusal = thrownBy(() => parsePollDefinition(text));
      expect(refusal).to.deep.equal({ code: 'INVALID_ARGUMENT', message, details: { field } });
    });
  }
});
