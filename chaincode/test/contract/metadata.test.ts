import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FakeLedger } from '../support/fake-ledger';
import { answersJson, pollJson, voter } from '../support/polls';
import { invokeThroughShim, loadChaincode } from '../support/shim';

const GOLDEN = path.join(__dirname, 'metadata.golden.json');

/** What other packages rely on: names, submit or evaluate, and parameter names in order. */
function summary() {
  const { contracts } = loadChaincode().metadata;
  return Object.fromEntries(
    Object.entries(contracts)
      .filter(([name]) => name !== 'org.hyperledger.fabric')
      .map(([name, contract]) => [
        name,
        {
          default: contract.contractInstance.default === true,
          transactions: contract.transactions.map((t) => ({
            name: t.name,
            submit: t.tag.includes('SUBMIT'),
            parameters: (t.parameters ?? []).map((p) => `${p.name}: ${p.schema.type ?? '?'}`),
            returns: t.returns?.type ?? 'nothing',
          })),
        },
      ]),
  );
}

describe('PollContract metadata', () => {
  // After an intended change of the interface, regenerate with UPDATE_GOLDEN=1 and update docs/chaincode-api.md.
  it('when the shim reads the contract, then its transactions match the golden file', () => {
    const actual = summary();
    if (process.env.UPDATE_GOLDEN === '1') {
      writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
    }
    expect(actual).to.deep.equal(JSON.parse(readFileSync(GOLDEN, 'utf8')));
  });

  it('when the shim reads the contract, then PollContract is the default, so bare names route to it', () => {
    expect(loadChaincode().metadata.contracts.PollContract?.contractInstance.default).to.equal(true);
  });
});

describe('PollContract through the shim router', () => {
  it('when bare transaction names are invoked with real certificates, then the role attribute decides', async () => {
    const ledger = new FakeLedger();
    const relay = { mspId: 'CityMSP', role: 'ballot-relay' } as const;

    const created = await invokeThroughShim(ledger, admin, 'tx1', ['CreatePoll', pollJson()]);
    expect(created.status).to.equal(200);
    expect(JSON.parse(Buffer.from(created.payload ?? []).toString())).to.include({ id: 'p1', status: 'draft' });
    expect((await invokeThroughShim(ledger, admin, 'tx2', ['OpenPoll', 'p1'])).status).to.equal(200);

    const refused = await invokeThroughShim(ledger, admin, 'tx3', ['CastBallot', 'p1', voter(1), answersJson(), '']);
    expect(refused).to.include({ status: 500, message: 'FORBIDDEN: poll-admin of CityMSP may not cast ballots' });

    const cast = await invokeThroughShim(ledger, relay, 'tx4', ['CastBallot', 'p1', voter(1), answersJson(), '']);
    expect(cast.status).to.equal(200);
    expect(Buffer.from(cast.payload ?? []).toString()).to.match(/^\{"ballotHash":"[0-9a-f]{64}","ballotId":/);
  });

  const admin = { mspId: 'CityMSP', role: 'poll-admin' } as const;

  it('when a transaction gets the wrong number of arguments, then the shim refuses it', async () => {
    const response = await invokeThroughShim(new FakeLedger(), admin, 'tx1', ['OpenPoll']);
    expect(response).to.include({ status: 500, message: 'Expected 1 parameters, but 0 have been supplied' });
  });

  it('when an unknown transaction is invoked, then it is INVALID_ARGUMENT', async () => {
    const response = await invokeThroughShim(new FakeLedger(), admin, 'tx1', ['DropPoll']);
    expect(response).to.include({ status: 500, message: 'INVALID_ARGUMENT: no transaction named DropPoll' });
  });
});
