import { expect } from 'chai';
import { canonicalJson } from '../../src/domain/canonical';
import { Ids, TestNetwork } from '../support/network';
import { openPoll, pollJson } from '../support/polls';
import { refusalOf } from '../support/refusals';

const event = (net: TestNetwork) => net.lastTx?.event;
const writes = (net: TestNetwork) => net.lastTx?.writes.map((w) => [w.key, w.value]);

describe('PollContract poll lifecycle', () => {
  let net: TestNetwork;
  beforeEach(() => {
    net = new TestNetwork();
  });

  describe('CreatePoll', () => {
    it('when a city poll-admin creates a poll, then it is an indexed draft owned by CityMSP', async () => {
      const poll = await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson());
      const txId = net.lastTx?.txId;
      expect(poll).to.include({ id: 'p1', status: 'draft', ownerMsp: 'CityMSP', createdTxId: txId, updatedTxId: txId });
      expect(writes(net)).to.deep.equal([
        ['poll~p1', canonicalJson(poll)],
        ['pollstatus~draft~p1', '{}'],
      ]);
      expect(event(net)).to.deep.equal(
        { name: 'PollCreated', payload: canonicalJson({ pollId: 'p1', status: 'draft', txId }) },
      );
    });

    it('when a poll is created, then the reply is the canonical JSON of the stored record', async () => {
      await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson());
      expect(net.lastReply).to.equal(net.ledger.value('poll~p1'));
      expect(net.lastReply).to.equal(canonicalJson(JSON.parse(net.lastReply)));
    });

    it('when a department poll-admin creates a poll, then the department owns it', async () => {
      expect(await net.submit(Ids.deptAdmin, 'CreatePoll', pollJson())).to.include({ ownerMsp: 'DeptMSP' });
    });

    it('when the poll has no id, then its id is p- and the first 20 characters of the tx id', async () => {
      const poll = await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson({ id: undefined }));
      expect(poll.id).to.equal(`p-${net.lastTx?.txId.slice(0, 20) ?? ''}`);
    });

    it('when a poll with that id exists, then it is ALREADY_EXISTS and nothing is written', async () => {
      await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson());
      expect(await refusalOf(net.submit(Ids.deptAdmin, 'CreatePoll', pollJson()))).to.deep.equal(
        { code: 'ALREADY_EXISTS', message: 'poll p1 already exists' },
      );
      expect(net.lastTx?.writes).to.deep.equal([]);
    });

    it('when the definition is invalid, then it is INVALID_ARGUMENT naming the field', async () => {
      expect(await refusalOf(net.submit(Ids.cityAdmin, 'CreatePoll', pollJson({ questions: [] })))).to.deep.equal({
        code: 'INVALID_ARGUMENT',
        message: 'pollJson.questions must have at least 1 item',
        details: { field: 'pollJson.questions' },
      });
      expect(net.lastTx?.writes).to.deep.equal([]);
    });

    it('when the input carries unknown fields, then the stored record is exactly the known ones', async () => {
      const input = pollJson({ id: undefined, description: undefined, x: 1 });
      const poll = await net.submit(Ids.cityAdmin, 'CreatePoll', input);
      const txId = net.lastTx?.txId ?? '';
      const question = (id: string, text: string, type: string, max: number, options: string) =>
        `{"id":"${id}","maxChoices":${max},"minChoices":1,"options":[${options}],"text":"${text}","type":"${type}"}`;
      const colours = '{"id":"red","text":"Red"},{"id":"green","text":"Green"},{"id":"blue","text":"Blue"}';
      const ports = '{"id":"usb","text":"USB"},{"id":"hdmi","text":"HDMI"},{"id":"wifi","text":"Wi-Fi"}';
      expect(net.ledger.value(`poll~${poll.id}`)).to.equal(
        `{"closesAt":"2026-12-31T00:00:00.000Z","createdTxId":"${txId}","description":"",` +
          `"id":"p-${txId.slice(0, 20)}","opensAt":"2026-01-01T00:00:00.000Z","ownerMsp":"CityMSP",` +
          `"questions":[${question('q1', 'Favourite colour?', 'single', 1, colours)},` +
          `${question('q2', 'Which ports?', 'multi', 2, ports)}],"resultsVisibility":"live","revotePolicy":"none",` +
          `"status":"draft","title":"Colours and ports","updatedTxId":"${txId}"}`,
      );
    });
  });

  describe('UpdatePoll', () => {
    beforeEach(async () => {
      await net.submit(Ids.deptAdmin, 'CreatePoll', pollJson());
    });

    it('when a draft is updated, then only the poll record is rewritten and PollUpdated is emitted', async () => {
      const input = pollJson({ title: 'Better title', ownerMsp: 'CityMSP' });
      const poll = await net.submit(Ids.deptAdmin, 'UpdatePoll', input);
      expect(poll).to.include(
        { title: 'Better title', ownerMsp: 'DeptMSP', status: 'draft', updatedTxId: net.lastTx?.txId },
      );
      expect(poll.createdTxId).not.to.equal(poll.updatedTxId);
      expect(writes(net)).to.deep.equal([['poll~p1', canonicalJson(poll)]]);
      expect(event(net)?.name).to.equal('PollUpdated');
    });

    it('when the city updates a department poll, then it is allowed', async () => {
      expect(await net.submit(Ids.cityAdmin, 'UpdatePoll', pollJson({ title: 'City edit' }))).to.include(
        { title: 'City edit' },
      );
    });

    it('when the poll is no longer a draft, then it is INVALID_STATE', async () => {
      await net.submit(Ids.deptAdmin, 'OpenPoll', 'p1');
      expect(await refusalOf(net.submit(Ids.deptAdmin, 'UpdatePoll', pollJson()))).to.deep.equal(
        { code: 'INVALID_STATE', message: 'poll p1 is open; only a draft poll can be updated' },
      );
    });

    it('when the definition has no id, then it is INVALID_ARGUMENT', async () => {
      expect(await refusalOf(net.submit(Ids.deptAdmin, 'UpdatePoll', pollJson({ id: undefined })))).to.deep.equal({
        code: 'INVALID_ARGUMENT',
        message: 'pollJson.id is required to update a poll',
        details: { field: 'pollJson.id' },
      });
    });

    it('when no poll has that id, then it is NOT_FOUND', async () => {
      expect(await refusalOf(net.submit(Ids.deptAdmin, 'UpdatePoll', pollJson({ id: 'p2' })))).to.deep.equal(
        { code: 'NOT_FOUND', message: 'no poll p2' },
      );
    });
  });

  describe('OpenPoll, ClosePoll and CancelPoll', () => {
    it('when a poll moves on, then the poll record and its status index entry move together', async () => {
      await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson());
      const opened = await net.submit(Ids.cityAdmin, 'OpenPoll', 'p1');
      expect(opened).to.include({ status: 'open', updatedTxId: net.lastTx?.txId });
      expect(writes(net)).to.deep.equal([
        ['poll~p1', canonicalJson(opened)],
        ['pollstatus~draft~p1', null],
        ['pollstatus~open~p1', '{}'],
      ]);
      expect(event(net)).to.deep.equal({
        name: 'PollOpened',
        payload: canonicalJson({ pollId: 'p1', status: 'open', txId: net.lastTx?.txId }),
      });
      await net.submit(Ids.cityAdmin, 'ClosePoll', 'p1');
      expect(event(net)?.name).to.equal('PollClosed');
      expect(net.ledger.keys('pollstatus~')).to.deep.equal(['pollstatus~closed~p1']);
    });

    it('when an open poll is cancelled, then it is cancelled and PollCancelled is emitted', async () => {
      await openPoll(net);
      expect(await net.submit(Ids.cityAdmin, 'CancelPoll', 'p1')).to.include({ status: 'cancelled' });
      expect(event(net)?.name).to.equal('PollCancelled');
      expect(net.ledger.keys('pollstatus~')).to.deep.equal(['pollstatus~cancelled~p1']);
    });

    it('when a move is not allowed from the current status, then it is INVALID_STATE, writing nothing', async () => {
      await net.submit(Ids.cityAdmin, 'CreatePoll', pollJson());
      expect(await refusalOf(net.submit(Ids.cityAdmin, 'ClosePoll', 'p1'))).to.deep.equal(
        { code: 'INVALID_STATE', message: 'cannot close poll p1: it is draft' },
      );
      expect(net.lastTx?.writes).to.deep.equal([]);
      await net.submit(Ids.cityAdmin, 'CancelPoll', 'p1');
      expect(await refusalOf(net.submit(Ids.cityAdmin, 'OpenPoll', 'p1'))).to.include({ code: 'INVALID_STATE' });
      expect(await refusalOf(net.submit(Ids.cityAdmin, 'CancelPoll', 'p1'))).to.include({ code: 'INVALID_STATE' });
    });

    it('when the poll does not exist, then it is NOT_FOUND', async () => {
      expect(await refusalOf(net.submit(Ids.cityAdmin, 'OpenPoll', 'nope'))).to.deep.equal(
        { code: 'NOT_FOUND', message: 'no poll nope' },
      );
    });

    it('when the poll id is malformed, then it is INVALID_ARGUMENT', async () => {
      expect(await refusalOf(net.submit(Ids.cityAdmin, 'OpenPoll', 'a~b'))).to.deep.equal({
        code: 'INVALID_ARGUMENT',
        message: 'pollId must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
        details: { field: 'pollId' },
      });
    });
  });
});
