import { expect } from 'chai';
import { PollContract as Contract, contracts } from '../src';
import * as domain from '../src/domain';

describe('package entry points', () => {
  it('when the chaincode server loads the package, then PollContract is the first (default) contract', () => {
    expect(contracts).to.deep.equal([Contract]);
    expect(new Contract().getName()).to.equal('PollContract');
  });

  it('when the domain entry is loaded, then the implementations of the protocol rules are there', () => {
    const rules = ['canonicalJson', 'ballotHash', 'ballotHashText', 'chainStart', 'chainStep', 'referenceTally'];
    for (const name of [...rules, 'validateAnswers', 'parsePollDefinition']) {
      expect(domain).to.have.property(name).that.is.a('function');
    }
  });
});
