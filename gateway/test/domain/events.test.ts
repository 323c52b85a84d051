import sinon from 'sinon';
import { formatEventId, numberEvents, parseEventId, subscribe, type NumberedEvent, type ReplayPolicy } from '../../src/domain/events';
import { expect } from '../chai';
import { ballotCastEvent, ballotCastPayload, eventStream, fakeLedger, hexOf, ledgerEvent } from '../fakes';

const TAGS = new Map(['a', 'b', 'c', 'd', 'e', 'f'].map((tag) => [hexOf(tag), tag]));

/** A protocol event of the transaction named `tag` (its txId is hexOf(tag)). */
const event = (block: number, tag: string, ...rest: [string?, unknown?]) => ledgerEvent(block, hexOf(tag), ...rest);

async function collect(events: AsyncIterable<NumberedEvent>): Promise<string[]> {
  const ids: string[] = [];
  for await (const numbered of events) ids.push(`${numbered.id}/${TAGS.get(numbered.txId) ?? numbered.txId}`);
  return ids;
}

const BLOCKS = [event(5, 'a'), event(5, 'b'), event(5, 'c'), event(6, 'd'), event(8, 'e'), event(8, 'f')];
const OPEN: ReplayPolicy = { replayRoles: ['auditor', 'poll-admin', 'ballot-relay'], maxResumeBlocks: 0 };
const AUDIT_ONLY: ReplayPolicy = { replayRoles: ['auditor'], maxResumeBlocks: 10 };

describe('events', () => {
  it('when event ids are parsed and formatted, then they round-trip and junk is rejected', () => {
    expect(parseEventId('12:3')).to.deep.equal({ block: 12n, index: 3 });
    expect(formatEventId({ block: 12n, index: 3 })).to.equal('12:3');
    expect(parseEventId('12:3:7')).to.deep.equal({ block: 12n, index: 3, position: 7 });
    expect(formatEventId({ block: 12n, index: 3, position: 7 })).to.equal('12:3:7');
    for (const junk of ['', '12', '12:', 'a:1', '1:2:3:4', '1:2:100', '-1:0']) expect(parseEventId(junk)).to.equal(undefined);
  });

  it('when events arrive, then each is numbered by its block and its ordinal in that block', async () => {
    expect(await collect(numberEvents(eventStream(BLOCKS, { end: true })))).to.deep.equal(['5:0/a', '5:1/b', '5:2/c', '6:0/d', '8:0/e', '8:1/f']);
  });

  it('when resuming after an event, then nothing at or before it is delivered again and nothing after it is lost', async () => {
    const ids = await collect(numberEvents(eventStream(BLOCKS, { end: true }), { block: 5n, index: 1 }));
    expect(ids).to.deep.equal(['5:2/c', '6:0/d', '8:0/e', '8:1/f']);
  });

  it('when an event follows the protocol, then its payload is delivered decoded and checked', async () => {
    const opened = { pollId: 'p1', status: 'open', txId: hexOf('a') };
    const delivered: unknown[] = [];
    for await (const numbered of numberEvents(eventStream([event(1, 'a', 'PollOpened', opened)], { end: true }))) delivered.push(numbered);
    expect(delivered).to.deep.equal([{ id: '1:0', blockNumber: 1, txId: hexOf('a'), eventName: 'PollOpened', payload: opened }]);
  });

  it('when a BallotCast arrives, then the stream sends its receipt fields, not its count change', async () => {
    const delivered: NumberedEvent[] = [];
    const events = [event(2, 'a', 'BallotCast', ballotCastEvent('a', { q1: ['red'] }, { q1: ['blue'] }))];
    for await (const numbered of numberEvents(eventStream(events, { end: true }))) delivered.push(numbered);
    expect(delivered.map((numbered) => numbered.payload)).to.deep.equal([ballotCastPayload('a')]);
  });

  it('when events do not follow the protocol, then they are not delivered but keep their ordinal, so ids do not shift', async () => {
    const events = [
      { ...event(1, 'a'), payload: Buffer.from('not json') },
      event(1, 'b', 'PollOpened', { pollId: 'p1' }),
      event(1, 'c', 'SomethingNew', ballotCastPayload('c')),
      event(1, 'd'),
      event(1, 'e', 'BallotCast', { ...ballotCastEvent('e'), extra: 1 }),
      // A BallotCast without its count change is not this protocol's.
      event(1, 'e', 'BallotCast', ballotCastPayload('e')),
      // A txId that is no Fabric txId would break the documented LedgerEvent: not sent either.
      ledgerEvent(1, 'not-a-tx-id'),
      event(1, 'f'),
    ];
    expect(await collect(numberEvents(eventStream(events, { end: true })))).to.deep.equal(['1:3/d', '1:7/f']);
  });

  it('when a BallotsCast event arrives, then each ballot it wrote is a BallotCast with its position, under an id of its own that resumes', async () => {
    const ballots = [0, 2, 3].map((position) => ({ ballotId: hexOf(`ballot ${String(position)}`), ballotHash: hexOf(`hash ${String(position)}`), position, answers: { q1: ['red'] } }));
    const blocks = () => eventStream([event(4, 'a', 'BallotsCast', { pollId: 'p1', txId: hexOf('a'), ballots }), event(4, 'b')], { end: true });
    const delivered: NumberedEvent[] = [];
    for await (const numbered of numberEvents(blocks())) delivered.push(numbered);
    expect(delivered.map((numbered) => numbered.id)).to.deep.equal(['4:0:0', '4:0:2', '4:0:3', '4:1']);
    expect(delivered[1]).to.deep.equal({
      id: '4:0:2',
      blockNumber: 4,
      txId: hexOf('a'),
      position: 2,
      eventName: 'BallotCast',
      payload: { pollId: 'p1', ballotId: hexOf('ballot 2'), ballotHash: hexOf('hash 2'), txId: hexOf('a') },
    });
    expect(await collect(numberEvents(blocks(), parseEventId('4:0:2')))).to.deep.equal(['4:0:3/a', '4:1/b']);
    expect(await collect(numberEvents(blocks(), parseEventId('4:0'))), 'an id without position: after the whole event').to.deep.equal(['4:1/b']);
  });

  describe('subscribe', () => {
    it('when subscribing after an event id, then the stream starts at that block', async () => {
      const ledger = fakeLedger();
      ledger.events.resolves(eventStream([], { end: true }));
      await subscribe(ledger, 'auditor', { after: { block: 9n, index: 0 }, startBlock: 2n }, OPEN);
      expect(ledger.events.firstCall.args).to.deep.equal(['auditor', 9n]);
    });

    it('when subscribing with only a start block, then the stream starts there', async () => {
      const ledger = fakeLedger();
      ledger.events.resolves(eventStream([], { end: true }));
      const subscription = await subscribe(ledger, 'auditor', { startBlock: 2n }, OPEN);
      expect(ledger.events.firstCall.args).to.deep.equal(['auditor', 2n]);
      subscription.close();
    });

    it('when the subscription is closed twice, then the ledger stream is closed once', async () => {
      const ledger = fakeLedger();
      const stream = eventStream([]);
      const close = sinon.spy(stream, 'close');
      ledger.events.resolves(stream);
      const subscription = await subscribe(ledger, 'auditor', {}, OPEN);
      subscription.close();
      subscription.close();
      expect(close.callCount).to.equal(1);
    });

    it('when a role that may not replay passes a start block, then FORBIDDEN and the peer is not asked', async () => {
      const ledger = fakeLedger();
      await expect(subscribe(ledger, 'ballot-relay', { startBlock: 0n }, AUDIT_ONLY)).to.be.rejectedWith(/may not replay/).and.eventually.include({ code: 'FORBIDDEN' });
      expect(ledger.events.called).to.equal(false);
    });

    it('when a role that may not replay resumes within maxResumeBlocks of the height, then the stream starts there', async () => {
      const ledger = fakeLedger();
      ledger.blockHeight.resolves(20);
      ledger.events.resolves(eventStream([], { end: true }));
      await subscribe(ledger, 'ballot-relay', { after: { block: 10n, index: 2 } }, AUDIT_ONLY);
      expect(ledger.events.firstCall.args).to.deep.equal(['ballot-relay', 10n]);
    });

    it('when a role that may not replay resumes further back than maxResumeBlocks, then FORBIDDEN', async () => {
      const ledger = fakeLedger();
      ledger.blockHeight.resolves(21);
      const refused = subscribe(ledger, 'ballot-relay', { after: { block: 10n, index: 2 } }, AUDIT_ONLY);
      await expect(refused).to.be.rejectedWith(/at most 10 blocks back/).and.eventually.deep.include({ code: 'FORBIDDEN', details: { maxResumeBlocks: 10 } });
      expect(ledger.events.called).to.equal(false);
    });

    it('when a role that may replay passes any start, then the height is not even asked', async () => {
      const ledger = fakeLedger();
      ledger.events.resolves(eventStream([], { end: true }));
      await subscribe(ledger, 'auditor', { after: { block: 0n, index: 0 } }, AUDIT_ONLY);
      await subscribe(ledger, 'auditor', { startBlock: 0n }, AUDIT_ONLY);
      expect(ledger.blockHeight.called).to.equal(false);
      expect(ledger.events.args).to.deep.equal([['auditor', 0n], ['auditor', 0n]]);
    });
  });
});
