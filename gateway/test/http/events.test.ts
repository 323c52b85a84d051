import { get, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import request from 'supertest';
import type { EventStream } from '../../src/domain/ledger';
import { LedgerUnavailableError } from '../../src/errors';
import { createApp, type AppConfig } from '../../src/http/app';
import { buildOpenApiDocument } from '../../src/openapi';
import type { Role } from '../../src/roles';
import { expect } from '../chai';
import { eventStream, fakeLedger, hexOf, ledgerEvent, type FakeLedger } from '../fakes';
import { KEYS, appConfig } from '../fixtures';
import { documentedComponent, parseSse } from './documented';
import { errorOf } from './helpers';

interface Sse {
  readonly res: IncomingMessage;
  text: string;
  close(): void;
}

/** A heartbeat period no other timer uses, so the spy can tell the stream's intervals apart. */
const HEARTBEAT_MS = 54_321;

function listen(ledger: FakeLedger, overrides: Partial<AppConfig> = {}, shutdown?: AbortSignal): Promise<Server> {
  const app = createApp({ config: appConfig({ sseHeartbeatMs: HEARTBEAT_MS, ...overrides }), ledger, shutdown });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => { resolve(server); });
  });
}

function start(server: Server, headers: Record<string, string> = {}, path = '/v1/events'): ClientRequest {
  const { port } = server.address() as AddressInfo;
  const req = get({ port, host: '127.0.0.1', path, agent: false, headers: { 'X-API-Key': KEYS.auditor, ...headers } });
  req.on('error', () => undefined);
  return req;
}

function open(server: Server, headers: Record<string, string> = {}, path?: string): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const req = start(server, headers, path);
    req.on('response', (res) => {
      const sse: Sse = { res, text: '', close: () => req.destroy() };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (sse.text += chunk));
      resolve(sse);
    });
    req.on('error', reject);
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).to.equal(true);
}

const connections = (server: Server) => new Promise<number>((resolve) => server.getConnections((_err, count) => { resolve(count); }));
async function untilNoConnections(server: Server): Promise<void> {
  for (let i = 0; i < 400 && (await connections(server)) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(await connections(server)).to.equal(0);
}

/** The heartbeat intervals started while spying, and whether each was cleared. */
function spyHeartbeats() {
  const started = sinon.spy(global, 'setInterval');
  const cleared = sinon.spy(global, 'clearInterval');
  const heartbeats = () => started.getCalls().filter((call) => call.args[1] === HEARTBEAT_MS).map((call) => call.returnValue);
  return { heartbeats, leaked: () => heartbeats().filter((timer) => !cleared.calledWith(timer)) };
}

const ids = (text: string) => [...text.matchAll(/^id: (.+)$/gm)].map((match) => match[1]);
const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('http events (SSE)', () => {
  let server: Server | undefined;

  afterEach(() => {
    sinon.restore();
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  it('when chaincode events arrive, then each is sent with a block:index id and its data', async () => {
    const ledger = fakeLedger();
    const closed = { pollId: 'p1', status: 'closed', txId: hexOf('c') };
    const stream = eventStream([ledgerEvent(5, hexOf('a')), ledgerEvent(5, hexOf('b')), ledgerEvent(6, hexOf('c'), 'PollClosed', closed)]);
    ledger.events.resolves(stream);
    server = await listen(ledger);
    const sse = await open(server);
    await until(() => ids(sse.text).length === 3);
    expect(sse.res.headers['content-type']).to.match(/^text\/event-stream/);
    expect(ids(sse.text)).to.deep.equal(['5:0', '5:1', '6:0']);
    expect(sse.text).to.include(`data: {"id":"6:0","blockNumber":6,"txId":"${hexOf('c')}","eventName":"PollClosed","payload":${JSON.stringify(closed)}}`);
    expect(ledger.events.firstCall.args).to.deep.equal(['auditor', undefined]);
    sse.close();
    await until(() => stream.closed);
  });

  it('when frames are sent, then every one (events and the final error) validates against the documented SseEvent', async () => {
    const ledger = fakeLedger();
    ledger.events.resolves({
      async *[Symbol.asyncIterator]() {
        yield ledgerEvent(7, hexOf('a'));
        yield ledgerEvent(7, hexOf('b'), 'PollOpened', { pollId: 'p1', status: 'open', txId: hexOf('b') });
        await Promise.resolve();
        throw new LedgerUnavailableError('the ledger is not reachable');
      },
      close: () => undefined,
    });
    const res = await request(createApp({ config: appConfig(), ledger })).get('/v1/events').set('X-API-Key', KEYS.auditor);
    const events = parseSse(res.text);
    expect(events.map((event) => event.event ?? event.id)).to.deep.equal(['7:0', '7:1', 'error']);
    const documented = documentedComponent(buildOpenApiDocument(), 'SseEvent');
    for (const event of events) expect(documented.safeParse(event).error?.issues ?? []).to.deep.equal([]);
  });

  it('when a CastBallots transaction’s event arrives, then each ballot is a documented BallotCast frame with a unique id, and Last-Event-ID resumes inside it', async () => {
    const ballots = [0, 1, 2].map((position) => ({ ballotId: hexOf(`b${String(position)}`), ballotHash: hexOf(`h${String(position)}`), position, answers: { q1: ['red'] } }));
    const ledger = fakeLedger();
    ledger.events.callsFake(() => Promise.resolve(eventStream([ledgerEvent(7, hexOf('a'), 'BallotsCast', { pollId: 'p1', txId: hexOf('a'), ballots }), ledgerEvent(7, hexOf('b'))], { end: true })));
    const app = createApp({ config: appConfig(), ledger });
    const res = await request(app).get('/v1/events').set('X-API-Key', KEYS.auditor);
    const events = parseSse(res.text);
    expect(events.map((frame) => frame.id)).to.deep.equal(['7:0:0', '7:0:1', '7:0:2', '7:1']);
    const documented = documentedComponent(buildOpenApiDocument(), 'SseEvent');
    for (const frame of events) expect(documented.safeParse(frame).error?.issues ?? []).to.deep.equal([]);
    const resumed = await request(app).get('/v1/events').set('X-API-Key', KEYS.auditor).set('Last-Event-ID', '7:0:1');
    expect(parseSse(resumed.text).map((frame) => frame.id)).to.deep.equal(['7:0:2', '7:1']);
  });

  it('when reconnecting with Last-Event-ID, then the stream restarts at that block and skips what was delivered', async () => {
    const ledger = fakeLedger();
    ledger.events.resolves(eventStream([ledgerEvent(5, hexOf('a')), ledgerEvent(5, hexOf('b')), ledgerEvent(6, hexOf('c'))]));
    server = await listen(ledger);
    const sse = await open(server, { 'Last-Event-ID': '5:0' });
    await until(() => ids(sse.text).length === 2);
    expect(ids(sse.text)).to.deep.equal(['5:1', '6:0']);
    expect(ledger.events.firstCall.args).to.deep.equal(['auditor', 5n]);
    sse.close();
  });

  for (const role of ['auditor', 'poll-admin'] as const) {
    it(`when ${role} passes ?startBlock, then the stream replays from that block`, async () => {
      const ledger = fakeLedger();
      ledger.events.resolves(eventStream([], { end: true }));
      const res = await request(createApp({ config: appConfig(), ledger })).get('/v1/events?startBlock=0').set('X-API-Key', KEYS[role]);
      expect(res.status).to.equal(200);
      expect(ledger.events.firstCall.args).to.deep.equal([role, 0n]);
    });
  }

  it('when ballot-relay passes ?startBlock, then 403 FORBIDDEN and the peer is not asked', async () => {
    const ledger = fakeLedger();
    const res = await request(createApp({ config: appConfig(), ledger })).get('/v1/events?startBlock=0').set('X-API-Key', KEYS['ballot-relay']);
    expect(res.status).to.equal(403);
    expect(errorOf(res)).to.include({ code: 'FORBIDDEN' });
    expect(ledger.events.called).to.equal(false);
  });

  it('when ballot-relay resumes further back than GATEWAY_SSE_RESUME_MAX_BLOCKS, then 403; within it, the stream resumes', async () => {
    const ledger = fakeLedger();
    ledger.blockHeight.resolves(5000);
    ledger.events.resolves(eventStream([], { end: true }));
    const app = createApp({ config: appConfig({ sseResumeMaxBlocks: 100 }), ledger });
    const relay = (lastEventId: string) => request(app).get('/v1/events').set('X-API-Key', KEYS['ballot-relay']).set('Last-Event-ID', lastEventId);
    const far = await relay('0:0');
    expect(far.status).to.equal(403);
    expect(errorOf(far).details).to.deep.equal({ maxResumeBlocks: 100 });
    expect(ledger.events.called).to.equal(false);
    expect((await relay('4900:3')).status).to.equal(200);
    expect(ledger.events.firstCall.args).to.deep.equal(['ballot-relay', 4900n]);
  });

  for (const startBlock of ['', 'abc', '1e3', '-1', '1.5']) {
    it(`when ?startBlock=${startBlock}, then 400 and the peer is not asked`, async () => {
      const ledger = fakeLedger();
      const res = await request(createApp({ config: appConfig(), ledger })).get(`/v1/events?startBlock=${startBlock}`).set('X-API-Key', KEYS.auditor);
      expect(res.status).to.equal(400);
      expect(ledger.events.called).to.equal(false);
    });
  }

  it('when the stream fails midway, then an error event is sent and the response ends', async () => {
    const ledger = fakeLedger();
    ledger.events.resolves({
      async *[Symbol.asyncIterator]() {
        yield ledgerEvent(1, hexOf('a'));
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
    server = await listen(ledger, {}, shutdown.signal);
    const sse = await open(server);
    let ended = false;
    sse.res.on('end', () => (ended = true));
    await until(() => sse.text.includes(': connected'));
    shutdown.abort();
    await until(() => ended && stream.closed);
  });

  describe('when the client leaves', () => {
    it('while the subscription still awaits the peer, then the ledger stream is closed once it exists, and no heartbeat runs', async () => {
      const ledger = fakeLedger();
      let answer: (stream: EventStream) => void = () => undefined;
      ledger.events.returns(new Promise<EventStream>((resolve) => (answer = resolve)));
      const stream = eventStream([]);
      const close = sinon.spy(stream, 'close');
      server = await listen(ledger);
      const timers = spyHeartbeats();
      const req = start(server);
      await until(() => ledger.events.called);
      req.destroy();
      await untilNoConnections(server);
      answer(stream);
      await until(() => close.called);
      await later(20);
      expect(close.callCount).to.equal(1);
      expect(timers.leaked()).to.deep.equal([]);
    });

    it('while streaming, then the ledger stream is closed exactly once and the heartbeat is cleared', async () => {
      const ledger = fakeLedger();
      const stream = eventStream([ledgerEvent(3, hexOf('a'))]);
      const close = sinon.spy(stream, 'close');
      ledger.events.resolves(stream);
      server = await listen(ledger);
      const timers = spyHeartbeats();
      const sse = await open(server);
      await until(() => ids(sse.text).length === 1);
      expect(timers.heartbeats()).to.have.length(1);
      sse.close();
      await until(() => close.called);
      await later(20);
      expect(close.callCount).to.equal(1);
      expect(timers.leaked()).to.deep.equal([]);
    });

    it('at any moment (authentication, rate limit, subscription, stream), then every ledger stream opened is closed once and every slot freed', async () => {
      const ledger = fakeLedger();
      const streams: (EventStream & { closed: boolean })[] = [];
      const closes: sinon.SinonSpy[] = [];
      ledger.events.callsFake(async () => {
        await later(3);
        const stream = eventStream([ledgerEvent(1, hexOf('a'))]);
        streams.push(stream);
        closes.push(sinon.spy(stream, 'close'));
        return stream;
      });
      server = await listen(ledger, { sseMaxStreamsPerKey: 2 });
      const timers = spyHeartbeats();
      for (const delayMs of [0, 0, 1, 2, 3, 4, 6, 10, 20]) {
        const req = start(server);
        if (delayMs > 0) await later(delayMs);
        else await new Promise((resolve) => setImmediate(resolve));
        req.destroy();
      }
      await untilNoConnections(server);
      await later(30);
      await until(() => streams.every((stream) => stream.closed));
      expect(closes.map((close) => close.callCount)).to.deep.equal(closes.map(() => 1));
      expect(timers.leaked()).to.deep.equal([]);
      // Both of the key's slots are free again.
      const [first, second] = [await open(server), await open(server)];
      expect([first.res.statusCode, second.res.statusCode]).to.deep.equal([200, 200]);
      first.close();
      second.close();
    });
  });

  describe('when one API key opens more streams than GATEWAY_SSE_MAX_STREAMS_PER_KEY', () => {
    it('then 429 RATE_LIMITED with Retry-After, other keys are not affected, and a slot frees when a stream ends', async () => {
      const ledger = fakeLedger();
      const opened: (EventStream & { closed: boolean })[] = [];
      ledger.events.callsFake(() => {
        const stream = eventStream([]);
        opened.push(stream);
        return Promise.resolve(stream);
      });
      server = await listen(ledger, { sseMaxStreamsPerKey: 2 });
      const mine = [await open(server), await open(server)];
      const refused = await request(server).get('/v1/events').set('X-API-Key', KEYS.auditor);
      expect(refused.status).to.equal(429);
      expect(refused.headers['retry-after']).to.equal('10');
      expect(errorOf(refused)).to.deep.equal({ code: 'RATE_LIMITED', message: 'this API key already has 2 open event streams', details: { maxStreams: 2 } });
      expect(opened).to.have.length(2);

      const other = await open(server, { 'X-API-Key': KEYS['poll-admin' satisfies Role] });
      expect(other.res.statusCode).to.equal(200);

      mine[0]?.close();
      await until(() => opened[0]?.closed === true);
      await later(10);
      const again = await open(server);
      expect(again.res.statusCode).to.equal(200);
      for (const sse of [...mine, other, again]) sse.close();
    });
  });
});
