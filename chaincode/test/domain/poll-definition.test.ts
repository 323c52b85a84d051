import { expect } from 'chai';
import { Limits } from '../../src/config';
import { parsePollDefinition } from '../../src/domain/poll-definition';
import { pollInput, pollJson } from '../support/polls';

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

  const refusals: [string, string | Input, RegExp][] = [
    ['pollJson is not JSON', '{', /pollJson is not valid JSON/],
    ['pollJson is an array', '[]', /pollJson must be a JSON object/],
    ['the id has a ~', { id: 'p~1' }, /^INVALID_ARGUMENT: id must match/],
    ['the id is too long', { id: 'p'.repeat(65) }, /id must match/],
    ['the id starts with -', { id: '-p' }, /id must match/],
    ['the title is blank', { title: '  ' }, /title must be a non-empty string/],
    ['the title is too long', { title: 't'.repeat(Limits.titleLength + 1) }, /title must be/],
    ['the description is not a string', { description: 5 }, /description must be a string/],
    ['there are no questions', { questions: [] }, /questions must be an array of 1 to 50 items/],
    ['there are too many questions', { questions: questions(51) }, /questions must be an array of 1 to 50/],
    ['two questions share an id', { questions: [question(0), question(1, { id: 'q1' })] }, /has the id q1 twice/],
    ['a question is not an object', { questions: ['q1'] }, /questions\[0\] must be a JSON object/],
    ['a question id is missing', withQuestion({ id: undefined }), /questions\[0\]\.id must match/],
    ['a question text is empty', withQuestion({ text: '' }), /questions\[0\]\.text must be/],
    ['a question type is unknown', withQuestion({ type: 'ranked' }), /type must be one of "single", "multi"/],
    ['a question has no options', withQuestion({ options: [] }), /questions\[0\]\.options must be an array of 1/],
    ['a question has too many options', withQuestion({ options: options(101) }), /options must be an array of 1 to 100/],
    ['two options share an id', withQuestion({ options: [options(1)[0], options(1)[0]] }), /options has the id o0 twice/],
    ['an option id is invalid', withQuestion({ options: [{ id: 'a b', text: 'A' }] }), /options\[0\]\.id must match/],
    ['an option text is missing', withQuestion({ options: [{ id: 'a' }] }), /options\[0\]\.text must be/],
    ['a single question allows two choices', withQuestion({ maxChoices: 2 }), /maxChoices must be an integer from 1 to 1$/],
    ['maxChoices is 0', withQuestion({ minChoices: 0, maxChoices: 0 }), /maxChoices must be an integer from 1/],
    ['maxChoices exceeds the options', withMulti({ maxChoices: 4 }), /maxChoices must be an integer from 1 to 3/],
    ['minChoices exceeds maxChoices', withMulti({ minChoices: 3, maxChoices: 2 }), /minChoices must be an integer from 0 to 2/],
    ['minChoices is negative', withQuestion({ minChoices: -1 }), /minChoices must be an integer/],
    ['minChoices is fractional', withMulti({ minChoices: 0.5 }), /minChoices must be an integer/],
    ['minChoices is a string', withQuestion({ minChoices: '1' }), /minChoices must be an integer/],
    ['opensAt is missing', { opensAt: undefined }, /opensAt must be an ISO 8601 date-time/],
    ['opensAt has no zone', { opensAt: '2026-01-01T00:00:00' }, /opensAt must be an ISO 8601/],
    ['opensAt is a date only', { opensAt: '2026-01-01' }, /opensAt must be an ISO 8601/],
    ['closesAt is not a calendar date', { closesAt: '2026-02-30T00:00:00Z' }, /closesAt must be an ISO 8601/],
    ['closesAt is free text', { closesAt: 'next Tuesday' }, /closesAt must be an ISO 8601/],
    ['opensAt equals closesAt', { closesAt: '2026-01-01T01:00:00+01:00' }, /opensAt must be before closesAt/],
    ['opensAt is after closesAt', { opensAt: '2027-01-01T00:00:00Z' }, /opensAt must be before closesAt/],
    ['the revote policy is unknown', { revotePolicy: 'first' }, /revotePolicy must be one of "none", "last-counts"/],
    ['the visibility is unknown', { resultsVisibility: 'never' }, /resultsVisibility must be one of "live", "after-close"/],
  ];
  for (const [when, input, message] of refusals) {
    it(`when ${when}, then it is refused as INVALID_ARGUMENT`, () => {
      const text = typeof input === 'string' ? input : pollJson(input);
      expect(() => parsePollDefinition(text))
        .to.throw(/^INVALID_ARGUMENT: /)
        .with.property('message')
        .that.matches(message);
    });
  }
});
