/**
 * The network itself: the endorsement policy AND(OR('ObserverMSP.peer','WatchdogMSP.peer'),
 * OR('CityMSP.peer','DeptMSP.peer')) is enforced by the real peers at commit time: either observer
 * with either part of the city administration, never the administration alone.
 */
import { expect } from 'chai';
import { StatusCode } from '@hyperledger/fabric-gateway';
import * as fs from 'node:fs';
import { IDENTITY_NAMES } from '@poll-ledger/protocol';
import { connectAs, type Connection, evaluate, refusalOf } from './support/fabric';
import { readNetwork } from './support/network';
import { colourPoll, uniquePollId } from './support/polls';

describe('network: network.json', function () {
  it('when the scripts describe the network, then network.json fits the protocol schema and names files that exist', function () {
    const network = readNetwork(); // throws, naming every bad field, when it does not fit protocol/src/network.ts
    expect(Object.keys(network.orgs)).to.deep.equal(['city', 'dept', 'observer', 'watchdog']);
    for (const org of Object.values(network.orgs)) {
      expect(Object.keys(org.identities)).to.deep.equal([...IDENTITY_NAMES]);
      const files = [org.tlsCaCert, ...Object.values(org.identities).flatMap((id) => [id.certPath, id.keyPath])];
      expect(files.filter((file) => !fs.existsSync(file))).to.deep.equal([]);
    }
  });
});

describe('network: endorsement policy on the real peers', function () {
  let city: Connection;

  before(function () {
    city = connectAs('city', 'poll-admin');
  });
  after(function () {
    city.close();
  });

  const endorsedBy = async (endorsingOrganizations: string[], label: string): Promise<{ id: string; code: number; successful: boolean }> => {
    const id = uniquePollId(label);
    const tx = await city.contract.submitAsync('CreatePoll', { arguments: [JSON.stringify(colourPoll(id))], endorsingOrganizations });
    const status = await tx.getStatus();
    return { id, code: status.code, successful: status.successful };
  };

  for (const orgs of [['CityMSP', 'ObserverMSP'], ['DeptMSP', 'WatchdogMSP']]) {
    it(`when ${orgs.join(' and ')} endorse a transaction, then it commits VALID and its write is visible`, async function () {
      const { id, code, successful } = await endorsedBy(orgs, 'net-ok');

      expect(code).to.equal(StatusCode.VALID);
      expect(successful).to.equal(true);
      const poll = await evaluate(city, 'GetPoll', id);
      expect(poll).to.include({ id, status: 'draft', ownerMsp: 'CityMSP' });
    });
  }

  it('when the city administration together (City and Dept) endorses, then it commits as ENDORSEMENT_POLICY_FAILURE and writes nothing', async function () {
    const { id, code } = await endorsedBy(['CityMSP', 'DeptMSP'], 'net-admin-only');

    expect(code).to.equal(StatusCode.ENDORSEMENT_POLICY_FAILURE);
    expect(await refusalOf(evaluate(city, 'GetPoll', id))).to.equal('NOT_FOUND');
  });

  it('when City alone endorses the same transaction, then it commits as ENDORSEMENT_POLICY_FAILURE and writes nothing', async function () {
    const id = uniquePollId('net-city-only');
    const tx = await city.contract.submitAsync('CreatePoll', {
      arguments: [JSON.stringify(colourPoll(id))],
      endorsingOrganizations: ['CityMSP'],
    });
    const status = await tx.getStatus();

    expect(status.code).to.equal(StatusCode.ENDORSEMENT_POLICY_FAILURE);
    expect(status.code).to.equal(10);
    expect(status.successful).to.equal(false);
    expect(await refusalOf(evaluate(city, 'GetPoll', id))).to.equal('NOT_FOUND');
  });
});
