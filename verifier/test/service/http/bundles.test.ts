import { expect } from 'chai';
import request from 'supertest';
import { common } from '@hyperledger/fabric-protos';
import { type Bundle, BundleSchema, PollDetailSchema, PollListSchema, ServiceErrorSchema } from '../../../src/wire';
import { BLOCKS, DEFAULT_POLLS, poll, results, setup } from '../support/app';

const dataCount = (b64: string): number => common.Block.deserializeBinary(Buffer.from(b64, 'base64')).getData()?.getDataList().length ?? 0;
const withheld = (bundle: Bundle): number[] => bundle.blocks.flatMap((b, n) => (dataCount(b) === 0 ? [n] : []));

describe('service http: polls and bundles', () => {
  describe('GET /v1/polls/{id}/bundle', () => {
    it('when the poll is open and after-close, then it is 403 EMBARGOED', async () => {
      const { app } = await setup();
      const res = await request(app).get('/v1/polls/secret/bundle').expect(403);
      expect(ServiceErrorSchema.parse(res.body).error.code).to.equal('EMBARGOED');
    });

    it("for a live poll, serves every block, withholding those with another poll's hidden ballots", async () => {
      const { app } = await setup();
      const res = await request(app).get('/v1/polls/open-live/bundle').expect(200);
      const bundle = BundleSchema.parse(res.body);
      expect(bundle).to.include({ format: 'poll-ledger-bundle/1', channel: 'polls', chaincode: 'polls', pollId: 'open-live', height: 6 });
      expect(bundle.blocks).to.have.length(6);
      expect(withheld(bundle)).to.deep.equal([2, 4]);
      expect(Buffer.from(bundle.blocks[3]!, 'base64')).to.deep.equal(Buffer.from(BLOCKS[3]!));
      expect(bundle.checkpoint?.statement).to.include({ height: 6 });
      await request(app).get('/v1/polls/open-live/bundle').set('If-None-Match', res.headers.etag!).expect(304);
    });

    it('once the after-close poll is closed, serves its bundle with nothing withheld', async () => {
      const { app, setPolls } = await setup();
      await setPolls([poll('secret', 'closed', 'after-close'), DEFAULT_POLLS[1]!]);
      const bundle = BundleSchema.parse((await request(app).get('/v1/polls/secret/bundle').expect(200)).body);
      expect(withheld(bundle)).to.deep.equal([]);
    });

    it('answers 404 for an unknown poll', async () => {
      const { app } = await setup();
      await request(app).get('/v1/polls/nope/bundle').expect(404);
    });
  });

  describe('GET /v1/bundle', () => {
    it('serves the whole chain with the same withholding rule', async () => {
      const { app } = await setup();
      const bundle = BundleSchema.parse((await request(app).get('/v1/bundle').expect(200)).body);
      expect(bundle.pollId).to.equal(undefined);
      expect(withheld(bundle)).to.deep.equal([2, 4]);
    });
  });

  describe('GET /v1/polls', () => {
    it('lists every poll with whether its results are public', async () => {
      const { app } = await setup();
      const list = PollListSchema.parse((await request(app).get('/v1/polls').expect(200)).body);
      expect(list.polls.map((p) => [p.id, p.resultsPublic])).to.deep.equal([
        ['open-live', true],
        ['secret', false],
      ]);
    });
  });

  describe('GET /v1/polls/{id}', () => {
    it('when the results may not be public, then it gives the poll without asking for them', async () => {
      const { app, ledger } = await setup();
      const detail = PollDetailSchema.parse((await request(app).get('/v1/polls/secret').expect(200)).body);
      expect(detail).to.deep.include({ resultsPublic: false });
      expect(detail.results).to.equal(undefined);
      expect(ledger.getResults.called).to.be.false;
    });

    it('when the poll is tallied, then it includes the on-chain results', async () => {
      const { app, ledger, setPolls } = await setup();
      await setPolls([poll('secret', 'tallied', 'after-close')]);
      ledger.getResults.resolves(results('secret'));
      const detail = PollDetailSchema.parse((await request(app).get('/v1/polls/secret').expect(200)).body);
      expect(detail.results).to.deep.equal(results('secret'));
    });

    it('answers 404 NOT_FOUND for an unknown poll and 400 for a malformed id', async () => {
      const { app } = await setup();
      await request(app).get('/v1/polls/nope').expect(404);
      await request(app).get('/v1/polls/no~pe').expect(400);
    });
  });
});
