import { X509Certificate, verify } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { signedBytesOf } from '../../../src/service/signer';
import { type ObserverSignature, ReceiptStatusSchema, SignedCheckpointSchema } from '../../../src/wire';
import { castBallot, hex64 } from '../support/blocks';
import { CERT, DEFAULT_POLLS, NOW, poll, setup } from '../support/app';

/** An observer signature checked as a verifier would: the certificate's key over the statement's canonical JSON. */
function signatureHolds(statement: object, signer: ObserverSignature): boolean {
  const key = new X509Certificate(signer.certificate).publicKey;
  return verify('sha256', signedBytesOf(statement), key, Buffer.from(signer.signature, 'base64'));
}

describe('service http: signed statements', () => {
  describe('GET /v1/checkpoint', () => {
    it('signs the height and the last header hash with the observer key', async () => {
      const { app, chain } = await setup();
      const res = await request(app).get('/v1/checkpoint').expect(200);
      const signed = SignedCheckpointSchema.parse(res.body);
      expect(signed.statement).to.deep.equal({ kind: 'checkpoint', channel: 'polls', height: 6, blockNumber: 5, blockHash: chain.block(5)!.facts.headerHash, observedAt: NOW.toISOString() });
      expect(signed.signer).to.include({ mspId: 'ObserverMSP', certificate: CERT });
      expect(signatureHolds(signed.statement, signed.signer)).to.be.true;
      expect(signatureHolds({ ...signed.statement, height: 7 }, signed.signer)).to.be.false;
    });

    it('gives the same signed checkpoint (and ETag) until the chain grows', async () => {
      const { app } = await setup();
      const first = await request(app).get('/v1/checkpoint').expect(200);
      await request(app).get('/v1/checkpoint').set('If-None-Match', first.headers.etag!).expect(304);
    });
  });

  describe('GET /v1/receipts/{pollId}/{ballotId}', () => {
    const alice = castBallot('secret', 'alice');
    const bob = castBallot('open-live', 'bob', 11);
    const receiptPath = (tx: typeof alice) => `/v1/receipts/${tx.args[1]!}/${tx.args[2]!}?txId=${tx.txId}`;

    it('during an after-close poll, states under the observer signature where the ballot is, and that no proof is out yet', async () => {
      const { app, chain } = await setup();
      const res = await request(app).get(receiptPath(alice)).expect(200);
      const status = ReceiptStatusSchema.parse(res.body);
      if (!status.found) throw new Error('not found');
      expect(status.proofAvailable).to.be.false;
      expect(status.attestation.statement).to.deep.equal({
        kind: 'inclusion',
        channel: 'polls',
        pollId: 'secret',
        ballotId: alice.args[2],
        txId: alice.txId,
        blockNumber: 2,
        txIndex: 0,
        blockHash: chain.block(2)!.facts.headerHash,
        validationCode: 'VALID',
        observedAt: NOW.toISOString(),
      });
      expect(signatureHolds(status.attestation.statement, status.attestation.signer)).to.be.true;
      expect(JSON.stringify(res.body)).not.to.include('red');
    });

    it('reports the validation code as the peer has it, and proofAvailable once the poll is public', async () => {
      const { app, setPolls } = await setup();
      const status = ReceiptStatusSchema.parse((await request(app).get(receiptPath(bob)).expect(200)).body);
      expect(status.found && status.attestation.statement.validationCode).to.equal('MVCC_READ_CONFLICT');
      expect(status.found && status.proofAvailable).to.be.true;
      await setPolls([poll('secret', 'tallied', 'after-close'), DEFAULT_POLLS[1]!]);
      const after = ReceiptStatusSchema.parse((await request(app).get(receiptPath(alice)).expect(200)).body);
      expect(after.found && after.proofAvailable).to.be.true;
    });

    it('says found: false for an unknown transaction, and for a transaction of another ballot or poll', async () => {
      const { app } = await setup();
      const unknown = `/v1/receipts/secret/${alice.args[2]!}?txId=${hex64('nope')}`;
      const otherBallot = `/v1/receipts/secret/${hex64('someone')}?txId=${alice.txId}`;
      const otherPoll = `/v1/receipts/open-live/${alice.args[2]!}?txId=${alice.txId}`;
      for (const path of [unknown, otherBallot, otherPoll]) {
        expect(ReceiptStatusSchema.parse((await request(app).get(path).expect(200)).body).found).to.be.false;
      }
    });

    it('refuses a malformed poll id, ballot id or txId with 400 BAD_REQUEST', async () => {
      const { app } = await setup();
      await request(app).get(`/v1/receipts/secret/${alice.args[2]!}`).expect(400);
      await request(app).get(`/v1/receipts/secret/ABC?txId=${alice.txId}`).expect(400);
      await request(app).get(`/v1/receipts/~bad/${alice.args[2]!}?txId=${alice.txId}`).expect(400);
    });
  });
});
