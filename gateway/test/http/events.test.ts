import { get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { LedgerUnavailableError } from '../../src/errors';
import { createApp } from '../../src/http/app';
import { expect } from '../chai';
import { eventStream, fakeLedger, hexOf, ledgerEvent, type FakeLedger } from '../fakes';
import { KEYS, appConfig } from '../fixtures';
import { errorOf } from './helpers';

interface Sse {
  readonly res: IncomingMessage;
  text: string;
  close(): void;
}

function listen(ledger: FakeLedger, shutdown?: AbortSignal): Promise<Server> {
  const app = createApp({ config: appConfig(), ledger, shutdown });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => { resolve(server); });
  });
}

function open(server: Server, headers: Record<string, string> = {}): Promise<Sse> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = get({ port, host: '127.0.0.1', path: '/v1/events', headers: { 'X-API-Key': KEYS.auditor, ...headers } }, (res) => {
      const sse: Sse = { res, text: '', close: () => req.destroy() };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (sse.text += chunk));
      resolve(sse);
    });
    req.on('error', reject);
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).to.equal(true);
}

const ids = (text: string) => [...text.matchAll(/^id: (.+)$/gm)].map((match) => match[1]);

describe('http events (SSE)', () => {
  let server: Server | undefined;

  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('when chaincode events arrive, then each is sent with a block:index id and its data', async () => {
    const ledger = fakeLedger();
    const closed = { pollId: 'p1', status: 'closed', txId: hexOf('c') };
    const stream = eventStream([ledgerEvent(5, 'a'), ledgerEvent(5, 'b'), ledgerEvent(6, 'c', 'PollClosed', closed)]);
    ledger.events.resolves(stream);
    server = await listen(ledger);
    const sse = await open(server);
    await until(() => ids(sse.text).length === 3);
    expect(sse.res.headers['content-type']).to.match(/^text\/event-stream/);
    expect(ids(sse.text)).to.deep.equal(['5:0', '5:1', '6:0']);
    expect(sse.text).to.include(`data: {"id":"6:0","blockNumber":6,"txId":"c","eventName":"PollClosed","payload":${JSON.stringify(closed)}}`);
    expect(ledger.events.firstCall.args).to.deep.equal(['auditor', undefined]);
    sse.close();
    await until(() => stream.closed);
  });

  it('when reconnecting with Last-Event-ID, then the stream restarts at that block and skips what was delivered', async () => {
    const ledger = fakeLedger();
    ledger.events.resolves(eventStream([ledgerEvent(5, 'a'), ledgerEvent(5, 'b'), ledgerEvent(6, 'c')]));
    server = await listen(ledger);
    const sse = await open(server, { 'Last-Event-ID': '5:0' });
    await until(() => ids(sse.text).length === 2);
    expect(ids(sse.text)).to.deep.equal(['5:1', '6:0']);
    expect(ledger.events.firstCall.args).to.deep.equal(['auditor', 5n]);
    sse.close();
  });

  it('when ?startBlock is given, then the stream replays from that block', async () => {
    const ledger = fakeLedger();
    ledger.events.resolves(eventStream([], { end: true }));
    const res = await request(createApp({ config: appConfig(), ledger })).get('/v1/events?startBlock=3').set('X-API-Key', KEYS.auditor);
    expect(res.status).to.equal(200);
    expect(ledger.events.firstCall.args).to.deep.equal(['auditor', 3n]);
  });

  it('when the stream fails midway, then an error event is sent and the response ends', async () => {
    const ledger = fakeLedger();
    ledger.events.resolves({
      async *[Symbol.asyncIterator]() {
        yield ledgerEvent(1, 'a');
        await Promise.resolve();
        throw new LedgerUnavailableError('the ledger is not reachable');
      },
      close: () => undefined,
    });
    const res = await request(createApp({ config: appConfig(), ledger })).get('/v1/events').set('X-API-Key', KEYS.auditor);
    expect(res.text).to.include('id: 1:0').and.include('event: error\ndata: {"error":{"code":"LEDGER_UNAVAILABLE"');
  });

  it('when the peer cannot be reached at subscribe time, then 503 JSON instead of a stream', async () => {
    const ledger = fakeLedger();
    ledger.events.rejects(new LedgerUnavailableError('the ledger is not reachable'));
    const res = await request(createApp({ config: appConfig(), ledger })).get('/v1/events').set('X-API-Key', KEYS.auditor);
    expect(res.status).to.equal(503);
    expect(errorOf(res).code).to.equal('LEDGER_UNAVAILABLE');
  });

  it('when Last-Event-ID is malformed, then 400', async () => {
    const ledger = fakeLedger();
    const res = await request(createApp({ config: appConfig(), ledger })).get('/v1/events').set('X-API-Key', KEYS.auditor).set('Last-Event-ID', 'abc');
    expect(res.status).to.equal(400);
    expect(ledger.events.called).to.equal(false);
  });

  it('when the server shuts down, then open streams are ended', async () => {
    const ledger = fakeLedger();
    const stream = eventStream([]);
    ledger.events.resolves(stream);
    const shutdown = new AbortController();
    server = await listen(ledger, shutdown.signal);
    const sse = await open(server);
    let ended = false;
    sse.res.on('end', () => (ended = true));
    await until(() => sse.text.includes(': connected'));
    shutdown.abort();
    await until(() => ended && stream.closed);
  });
});
