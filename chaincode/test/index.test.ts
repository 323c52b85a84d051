import { expect } from 'chai';
import { PollContract as Contract, contracts } from '../src';
import * as domain from '../src/domain';

describe('package entry points', () => {
  it('when the chaincode server loads the package, then PollContract is the first (default) contract', () => {
    expect(contracts).to.deep.equal([Contract]);
    expect(new Contract().getName()).to.equal('PollContract');
  });

  it('when an auditor loads the domain entry, then the recomputation helpers are there', () => {
    for (const name of ['canonicalJson', 'ballotHash', 'chainStart', 'chainStep', 'referenceTally', 'validateAnswers']) {
      expect(domain).to.have.property(name).that.is.a('function');
    }
  });
});
