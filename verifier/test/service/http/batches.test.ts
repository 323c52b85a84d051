import { expect } from 'chai';
import request from 'supertest';
import { common } from '@hyperledger/fabric-protos';
import { BundleSchema, ReceiptStatusSchema, ServiceErrorSchema } from '../../../src/wire';
import { DEFAULT_POLLS, poll, setup } from '../support/app';
import { buildChain, castBallot, castBallots, hex64 } from '../support/blocks';

/**
 * CastBallots transactions under the embargo rule: `secret` (after-close, open) and `open-live` (live).
 *   0 config · 1 CastBallots of secret · 2 CastBallots of secret, every ballot refused · 3 CastBallots of open-live
 *   4 CastBallots of secret, invalid (MVCC) · 5 CastBallot of open-live
 */
const BATCH = castBallots('secret', ['ann', 'ben', 'cat'], { written: ['ann', 'cat'] });
const BLOCKS = buildChain([
  { config: true },
  { txs: [BATCH] },
  { txs: [castBallots('secret', ['dan', 'eve'], { written: [] })] },
  { txs: [castBallots('open-live', ['fay', 'gus'])] },
  { txs: [castBallots('secret', ['hal'], { code: 11 })] },
  { txs: [castBallot('open-live', 'ivy')] },
]);

const dataCount = (b64: string): number => common.Block.deserializeBinary(Buffer.from(b64, 'base64')).getData()?.getDataList().length ?? 0;
const voterId = (name: string): string => hex64(`voter:${name}`);

describe('service http: CastBallots transactions', () => {
  it('before an after-close poll closes, its CastBallots blocks are EMBARGOED, even with every ballot refused or the transaction invalid', async () => {
    const { app } = await setup({}, BLOCKS);
    for (const n of [1, 2, 4]) {
      const res = await request(app).get(`/v1/blocks/${n}`).expect(403);
      expect(ServiceErrorSchema.parse(res.body).error.details?.polls).to.deep.equal([
        { pollId: 'secret', status: 'open', resultsVisibility: 'after-close', reason: 'results are shown after close and the poll is open' },
      ]);
    }
    await request(app).get('/v1/blocks/3').expect(200);
  });

  it('withholds them from bundles of other polls, and serves them once the poll has closed', async () => {
    const { app, setPolls } = await setup({}, BLOCKS);
    const live = BundleSchema.parse((await request(app).get('/v1/polls/open-live/bundle').expect(200)).body);
    expect(live.blocks.flatMap((b, n) => (dataCount(b) === 0 ? [n] : []))).to.deep.equal([1, 2, 4]);
    await request(app).get('/v1/polls/secret/bundle').expect(403);
    await setPolls([poll('secret', 'closed', 'after-close'), DEFAULT_POLLS[1]!]);
    const closed = BundleSchema.parse((await request(app).get('/v1/polls/secret/bundle').expect(200)).body);
    expect(closed.blocks.every((b, n) => n === 0 || dataCount(b) === 1)).to.be.true;
  });

  it('answers a receipt of a batched ballot with its position, under the observer signature', async () => {
    const { app } = await setup({}, BLOCKS);
    const status = ReceiptStatusSchema.parse((await request(app).get(`/v1/receipts/secret/${voterId('cat')}?txId=${BATCH.txId}`).expect(200)).body);
    if (!status.found) throw new Error('not found');
    expect(status.attestation.statement).to.deep.include({ ballotId: voterId('cat'), txId: BATCH.txId, blockNumber: 1, txIndex: 0, position: 2, validationCode: 'VALID' });
    expect(status.proofAvailable).to.be.false;
  });

  it('says found: false for a ballot the transaction asked for but did not write (refused), or never asked for', async () => {
    const { app } = await setup({}, BLOCKS);
    for (const name of ['ben', 'zoe']) {
      const res = await request(app).get(`/v1/receipts/secret/${voterId(name)}?txId=${BATCH.txId}`).expect(200);
      expect(ReceiptStatusSchema.parse(res.body).found).to.be.false;
    }
  });
});
