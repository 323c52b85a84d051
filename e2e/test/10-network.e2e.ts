/**
 * The network itself (issue: monorepo foundation and a real Fabric network): the
 * endorsement policy AND('ObserverMSP.peer', OR('CityMSP.peer','DeptMSP.peer')) is
 * enforced by the real peers at commit time.
 */
import { expect } from 'chai';
import { StatusCode } from '@hyperledger/fabric-gateway';
import { connectAs, Connection, utf8 } from './support/fabric';
import { colourPoll, uniquePollId } from './support/polls';

describe('network: endorsement policy on the real peers', function () {
  let city: Connection;

  before(function () {
    city = connectAs('city', 'poll-admin');
  });
  after(function () {
    city.close();
  });

  it('when Observer and City endorse a transaction, then it commits VALID and its write is visible', async function () {
    const id = uniquePollId('net-ok');
    const tx = await city.contract.submitAsync('CreatePoll', {
      arguments: [JSON.stringify(colourPoll(id))],
      endorsingOrganizations: ['CityMSP', 'ObserverMSP'],
    });
    const status = await tx.getStatus();

    expect(status.code).to.equal(StatusCode.VALID);
    expect(status.successful).to.equal(true);
    const poll = JSON.parse(utf8.decode(await city.contract.evaluateTransaction('GetPoll', id))) as { id: string; status: string };
    expect(poll).to.include({ id, status: 'draft' });
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
    await expect(city.contract.evaluateTransaction('GetPoll', id)).to.be.rejectedWith(/NOT_FOUND/);
  });
});
