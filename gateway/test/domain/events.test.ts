import { formatEventId, numberEvents, parseEventId, subscribe, type NumberedEvent } from '../../src/domain/events';
import { expect } from '../chai';
import { ballotCastPayload, eventStream, fakeLedger, hexOf, ledgerEvent } from '../fakes';

async function collect(events: AsyncIterable<NumberedEvent>): Promise<string[]> {
  const ids: string[] = [];
  for await (const event of events) ids.push(`${event.id}/${event.txId}`);
  return ids;
}

const BLOCKS = [ledgerEvent(5, 'a'), ledgerEvent(5, 'b'), ledgerEvent(5, 'c'), ledgerEvent(6, 'd'), ledgerEvent(8, 'e'), ledgerEvent(8, 'f')];

describe('events', () => {
  it('when event ids are parsed and formatted, then they round-trip and junk is rejected', () => {
    expect(parseEventId('12:3')).to.deep.equal({ block: 12n, index: 3 });
    expect(formatEventId({ block: 12n, index: 3 })).to.equal('12:3');
    for (const junk of ['', '12', '12:', 'a:1', '1:2:3', '-1:0']) expect(parseEventId(junk)).to.equal(undefined);
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
    for await (const event of numberEvents(eventStream([ledgerEvent(1, 'a', 'PollOpened', opened)], { end: true }))) delivered.push(event);
    expect(delivered).to.deep.equal([{ id: '1:0', blockNumber: 1, txId: 'a', eventName: 'PollOpened', payload: opened }]);
  });

  it('when events do not follow the protocol, then they are not delivered but keep their ordinal, so ids do not shift', async () => {
    const events = [
      { ...ledgerEvent(1, 'a'), payload: Buffer.from('not json') },
      ledgerEvent(1, 'b', 'PollOpened', { pollId: 'p1' }),
      ledgerEvent(1, 'c', 'SomethingNew', ballotCastPayload('c')),
      ledgerEvent(1, 'd'),
      ledgerEvent(1, 'e', 'BallotCast', { ...ballotCastPayload('e'), extra: 1 }),
    ];
    expect(await collect(numberEvents(eventStream(events, { end: true })))).to.deep.equal(['1:3/d']);
  });

  it('when subscribing after an event id, then the stream starts at that block', async () => {
    const ledger = fakeLedger();
    ledger.events.resolves(eventStream([], { end: true }));
    await subscribe(ledger, 'auditor', { after: { block: 9n, index: 0 }, startBlock: 2n });
    expect(ledger.events.firstCall.args).to.deep.equal(['auditor', 9n]);
  });

  it('when subscribing with only a start block, then the stream starts there', async () => {
    const ledger = fakeLedger();
    ledger.events.resolves(eventStream([], { end: true }));
    const subscription = await subscribe(ledger, 'auditor', { startBlock: 2n });
    expect(ledger.events.firstCall.args).to.deep.equal(['auditor', 2n]);
    subscription.close();
  });
});
