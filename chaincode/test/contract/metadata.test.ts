import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TRANSACTION_NAMES, type TransactionName, Transactions, decodeChaincodeError } from '@poll-ledger/protocol';
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

  it('when the protocol lists the transactions, then they are exactly the contract’s, kind and arguments', () => {
    const transactions = loadChaincode().metadata.contracts.PollContract?.transactions ?? [];
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as { PollContract: { transactions: { name: string }[] } };
    const sorted = (names: readonly string[]) => [...names].sort();
    expect(sorted(transactions.map((t) => t.name))).to.deep.equal(sorted(TRANSACTION_NAMES));
    expect(sorted(golden.PollContract.transactions.map((t) => t.name))).to.deep.equal(sorted(TRANSACTION_NAMES));
    for (const t of transactions) {
      const spec = Transactions[t.name as TransactionName];
      const args = (t.parameters ?? []).map((p) => p.name);
      expect({ name: t.name, submit: t.tag.includes('SUBMIT'), args }).to.deep.equal(
        { name: t.name, submit: spec.kind === 'submit', args: spec.args },
      );
    }
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

    const refused = await invokeThroughShim(ledger, admin, 'tx3', ['CastBallot', 'p1', voter(1), answersJson(), '', '']);
    expect(refused.status).to.equal(500);
    expect(decodeChaincodeError(refused.message ?? '')).to.deep.equal(
      { code: 'FORBIDDEN', message: 'poll-admin of CityMSP may not cast ballots' },
    );

    const cast = await invokeThroughShim(ledger, relay, 'tx4', ['CastBallot', 'p1', voter(1), answersJson(), '', '']);
    expect(cast.status).to.equal(200);
    expect(Buffer.from(cast.payload ?? []).toString()).to.match(/^\{"ballotHash":"[0-9a-f]{64}","ballotId":/);
  });

  const admin = { mspId: 'CityMSP', role: 'poll-admin' } as const;

  it('when a transaction gets the wrong number of arguments, then the shim refuses it', async () => {
    const response = await invokeThroughShim(new FakeLedger(), admin, 'tx1', ['OpenPoll']);
    expect(response).to.include({ status: 500, message: 'Expected 1 parameters, but 0 have been supplied' });
    expect(decodeChaincodeError(response.message ?? '')).to.equal(undefined);
  });

  it('when anyone asks the system contract for the metadata, then it answers with every transaction', async () => {
    // fabric-contract-api serializes it with class-transformer's classToPlain, which 0.4.1 (allowed by its ^0.4.0)
    // no longer has: the repo pins 0.4.0, and this fails with "classToPlain is not a function" without the pin.
    const response = await invokeThroughShim(new FakeLedger(), admin, 'tx1', ['org.hyperledger.fabric:GetMetadata']);
    expect(response.status, response.message).to.equal(200);
    const metadata = JSON.parse(Buffer.from(response.payload ?? new Uint8Array()).toString('utf8')) as { contracts: Record<string, { transactions: { name: string }[] }> };
    const names = metadata.contracts.PollContract?.transactions.map((t) => t.name) ?? [];
    expect(names).to.include.members(['CastBallot', 'CastBallots', 'TallyPoll']);
  });

  it('when an unknown transaction is invoked, then it is INVALID_ARGUMENT', async () => {
    const response = await invokeThroughShim(new FakeLedger(), admin, 'tx1', ['DropPoll']);
    expect(response.status).to.equal(500);
    expect(decodeChaincodeError(response.message ?? '')).to.deep.equal(
      { code: 'INVALID_ARGUMENT', message: 'no transaction named DropPoll' },
    );
  });
});
