import { expect } from 'chai';
import request from 'supertest';
import { common } from '@hyperledger/fabric-protos';
import { HeaderPageSchema, ServiceErrorSchema } from '../../../src/wire';
import { BLOCKS, DEFAULT_POLLS, poll, setup } from '../support/app';

const errorOf = (body: unknown) => ServiceErrorSchema.parse(body).error;

describe('service http: blocks', () => {
  describe('GET /v1/blocks/{n}', () => {
    it('when the block holds no hidden ballots, then it is served as stored, immutable, tagged by its header hash', async () => {
      const { app, chain } = await setup();
      const res = await request(app).get('/v1/blocks/3').responseType('blob').expect(200);
      expect(res.headers['content-type']).to.match(/^application\/octet-stream/);
      expect(Buffer.compare(res.body as Buffer, Buffer.from(BLOCKS[3]!))).to.equal(0);
      expect(res.headers.etag).to.equal(`"${chain.block(3)!.facts.headerHash}"`);
      expect(res.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    });

    it('when the ETag is sent back in If-None-Match, then the answer is 304 with no body', async () => {
      const { app } = await setup();
      const first = await request(app).get('/v1/blocks/0').expect(200);
      const again = await request(app).get('/v1/blocks/0').set('If-None-Match', first.headers.etag!).expect(304);
      expect(again.text).to.equal('');
    });

    it('when the block holds ballots of an open after-close poll, then it is 403 EMBARGOED with the poll and why', async () => {
      const { app } = await setup();
      const res = await request(app).get('/v1/blocks/2').expect(403);
      const error = errorOf(res.body);
      expect(error.code).to.equal('EMBARGOED');
      expect(error.details).to.deep.include({ block: 2, headerOnly: '/v1/blocks/2/header-only' });
      expect(error.details?.polls).to.deep.equal([{ pollId: 'secret', status: 'open', resultsVisibility: 'after-close', reason: 'results are shown after close and the poll is open' }]);
      expect(res.headers['cache-control']).to.equal('no-store');
    });

    it('when a block mixes a live poll and an open after-close one, then it is withheld', async () => {
      const { app } = await setup();
      await request(app).get('/v1/blocks/4').expect(403);
    });

    it('when the after-close poll has closed, then its ballot blocks are served', async () => {
      const { app, setPolls } = await setup();
      await setPolls([poll('secret', 'closed', 'after-close'), DEFAULT_POLLS[1]!]);
      await request(app).get('/v1/blocks/2').expect(200);
      await request(app).get('/v1/blocks/4').expect(200);
    });

    it('when the poll is not known to the service, then its ballots are withheld (fail closed)', async () => {
      const { app, setPolls } = await setup();
      await setPolls([DEFAULT_POLLS[0]!]);
      expect(errorOf((await request(app).get('/v1/blocks/3').expect(403)).body).details?.polls).to.deep.equal([
        { pollId: 'open-live', reason: 'the poll is not known to the service yet' },
      ]);
    });

    it('serves config blocks always', async () => {
      const { app } = await setup();
      await request(app).get('/v1/blocks/5').expect(200);
    });

    it('answers 404 NOT_FOUND beyond the height and 400 BAD_REQUEST for a malformed number', async () => {
      const { app } = await setup();
      expect(errorOf((await request(app).get('/v1/blocks/6').expect(404)).body).code).to.equal('NOT_FOUND');
      for (const bad of ['-1', '1e3', 'x', '01', '99999999999999999']) {
        const res = await request(app).get(`/v1/blocks/${bad}`).expect(400);
        expect(errorOf(res.body).code).to.equal('BAD_REQUEST');
        expect(JSON.stringify(res.body)).not.to.match(/at .*\.ts/);
      }
    });
  });

  describe('GET /v1/blocks/{n}/header-only', () => {
    it('serves an embargoed block with its data emptied, header and metadata intact', async () => {
      const { app, chain } = await setup();
      const res = await request(app).get('/v1/blocks/2/header-only').responseType('blob').expect(200);
      const block = common.Block.deserializeBinary(res.body as Buffer);
      const full = common.Block.deserializeBinary(BLOCKS[2]!);
      expect(block.getData()?.getDataList()).to.have.length(0);
      expect(block.getHeader()?.serializeBinary()).to.deep.equal(full.getHeader()?.serializeBinary());
      expect(block.getMetadata()?.serializeBinary()).to.deep.equal(full.getMetadata()?.serializeBinary());
      expect(res.headers.etag).to.equal(`"${chain.block(2)!.facts.headerHash}.header-only"`);
      await request(app).get('/v1/blocks/2/header-only').set('If-None-Match', res.headers.etag!).expect(304);
    });
  });

  describe('GET /v1/headers', () => {
    it('pages header-only blocks, bounded, and parses as HeaderPage', async () => {
      const { app, chain } = await setup();
      const res = await request(app).get('/v1/headers?from=1&to=3').expect(200);
      const page = HeaderPageSchema.parse(res.body);
      expect(page).to.include({ from: 1, to: 3, height: 6 });
      expect(page.headers.map((h) => h.blockHash)).to.deep.equal([1, 2, 3].map((n) => chain.block(n)!.facts.headerHash));
      expect(res.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    });

    it('when to is left out or beyond the height, then the page is cut there and must be revalidated', async () => {
      const { app } = await setup();
      const res = await request(app).get('/v1/headers?from=4').expect(200);
      expect(HeaderPageSchema.parse(res.body)).to.include({ from: 4, to: 5 });
      expect(res.headers['cache-control']).to.equal('no-cache');
    });

    it('refuses a page over the bound, an inverted range, and a start beyond the height', async () => {
      const { app } = await setup();
      expect(errorOf((await request(app).get('/v1/headers?from=0&to=4').expect(400)).body).details).to.include({ max: 4 });
      await request(app).get('/v1/headers?from=3&to=2').expect(400);
      await request(app).get('/v1/headers').expect(400);
      await request(app).get('/v1/headers?from=6').expect(404);
    });
  });
});
