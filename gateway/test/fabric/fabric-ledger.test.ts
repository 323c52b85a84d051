import { generateKeyPairSync, verify } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { StatusCode } from '@hyperledger/fabric-gateway';
import { common, gateway } from '@hyperledger/fabric-protos';
import { createSigning } from '@poll-ledger/fabric-client';
import { loadVectors } from '@poll-ledger/protocol';
import { ApiError, ChaincodeError, CommitPendingError, ERROR_STATUS, LedgerUnavailableError } from '../../src/errors';
import { FabricLedger } from '../../src/fabric/fabric-ledger';
import { createMetrics } from '../../src/metrics';
import { expect } from '../chai';
import { serviceError } from '../fakes';
import { FakeGrpc, chaincodeEventsResponse, commitStatusResponse, endorsing, evaluateResponse, invocationOf, peerError } from './fake-grpc';
import { payloadMessage } from './peer-errors';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const CERT = Buffer.from('-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');
const relay = 'ballot-relay' as const;

describe('FabricLedger', () => {
  let grpc: FakeGrpc;
  let ledger: FabricLedger;

  beforeEach(() => {
    grpc = new FakeGrpc();
    ledger = new FabricLedger({
      client: grpc.asClient(),
      identities: { [relay]: { identity: { mspId: 'CityMSP', credentials: CERT }, signing: createSigning('node-crypto', privateKey) } },
      channel: 'polls',
      chaincode: 'polls',
      timeouts: { evaluateMs: 1000, endorseMs: 1000, submitMs: 1000, commitStatusMs: 1000 },
      retry: { mvccRetries: 1, resubmitRetries: 1 },
      instruments: createMetrics(),
    });
  });

  const submitted = () => grpc.requestsTo('Submit') as gateway.SubmitRequest[];

  describe('evaluate', () => {
    it('when evaluating, then the chaincode gets the name and args and its payload is returned', async () => {
      grpc.answer('Evaluate', evaluateResponse(Buffer.from('{"id":"p1"}')));
      const result = await ledger.evaluate({ role: relay, name: 'GetPoll', args: ['p1'] });
      expect(Buffer.from(result).toString()).to.equal('{"id":"p1"}');
      const request = grpc.requestsTo('Evaluate')[0] as gateway.EvaluateRequest;
      expect(invocationOf(request.getProposedTransaction()!)).to.deep.equal({ chaincode: 'polls', args: ['GetPoll', 'p1'] });
    });

    it('when the chaincode refuses, then the error payload in the peer error details becomes a typed error', async () => {
      const message = payloadMessage('NOT_FOUND', 'poll p9 does not exist');
      grpc.answer('Evaluate', peerError(GrpcStatus.UNKNOWN, 'evaluate call to endorser returned error', [`chaincode response 500, ${message}`]));
      const error = await ledger.evaluate({ role: relay, name: 'GetPoll', args: ['p9'] }).catch((err: unknown) => err);
      expect(error).to.be.instanceOf(ChaincodeError).and.include({ code: 'NOT_FOUND', message: 'poll p9 does not exist' });
    });

    it('when the peer is unreachable, then it is LEDGER_UNAVAILABLE', async () => {
      grpc.answer('Evaluate', serviceError(GrpcStatus.UNAVAILABLE, 'connect ECONNREFUSED'));
      await expect(ledger.evaluate({ role: relay, name: 'GetPoll', args: [] })).to.be.rejectedWith(LedgerUnavailableError);
    });

    it('when the role has no identity, then it fails before touching the network', async () => {
      await expect(ledger.evaluate({ role: 'auditor', name: 'GetPoll', args: [] })).to.be.rejectedWith(/no Fabric identity/);
      expect(grpc.requests).to.have.length(0);
    });
  });

  describe('submit', () => {
    it('when submitted, then the envelope is signed with node:crypto over the raw payload and the block is returned', async () => {
      grpc.answer('Endorse', endorsing('{"ok":true}')).answer('Submit', new gateway.SubmitResponse()).answer('CommitStatus', commitStatusResponse(StatusCode.VALID, 12));
      const outcome = await ledger.submit({ role: relay, name: 'CastBallot', args: ['p1', 't', '{}', ''] });
      expect(Buffer.from(outcome.result).toString()).to.equal('{"ok":true}');
      expect(outcome.blockNumber).to.equal(12);
      const envelope = submitted()[0]!.getPreparedTransaction()!;
      const signatureOk = verify('sha256', envelope.getPayload_asU8(), { key: publicKey, dsaEncoding: 'der' }, envelope.getSignature_asU8());
      expect(signatureOk).to.equal(true);
      expect(outcome.txId).to.equal(submitted()[0]!.getTransactionId());
    });

    it('when the submit times out, then the byte-identical signed envelope is sent again, with one endorsement', async () => {
      grpc
        .answer('Endorse', endorsing('{}'))
        .answer('Submit', serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline'), new gateway.SubmitResponse())
        .answer('CommitStatus', commitStatusResponse(StatusCode.VALID, 3));
      await ledger.submit({ role: relay, name: 'OpenPoll', args: ['p1'] });
      const [first, second] = submitted();
      expect(Buffer.from(second!.getPreparedTransaction()!.serializeBinary())).to.deep.equal(Buffer.from(first!.getPreparedTransaction()!.serializeBinary()));
      expect(grpc.requestsTo('Endorse')).to.have.length(1);
    });

    it('when the commit status stays unknown, then it is CommitPendingError for that txId', async () => {
      const timeout = serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline');
      grpc.answer('Endorse', endorsing('{}')).answer('Submit', new gateway.SubmitResponse(), new gateway.SubmitResponse()).answer('CommitStatus', timeout, timeout);
      const error = await ledger.submit({ role: relay, name: 'OpenPoll', args: ['p1'] }).catch((err: unknown) => err);
      expect(error).to.be.instanceOf(CommitPendingError);
      expect((error as CommitPendingError).txId).to.equal(submitted()[0]!.getTransactionId());
    });

    it('when the commit is an MVCC conflict, then a new proposal with a new txId is endorsed', async () => {
      grpc
        .answer('Endorse', endorsing('{}'), endorsing('{}'))
        .answer('Submit', new gateway.SubmitResponse(), new gateway.SubmitResponse())
        .answer('CommitStatus', commitStatusResponse(StatusCode.MVCC_READ_CONFLICT, 4), commitStatusResponse(StatusCode.VALID, 5));
      const outcome = await ledger.submit({ role: relay, name: 'TallyPoll', args: ['p1', '10'] });
      const txIds = submitted().map((request) => request.getTransactionId());
      expect(new Set(txIds).size).to.equal(2);
      expect(outcome).to.include({ txId: txIds[1], blockNumber: 5 });
    });

    it('when endorsement is refused with a real peer error, then the chaincode code is mapped', async () => {
      const message = payloadMessage('POLL_NOT_OPEN', 'poll p1 is closed');
      grpc.answer('Endorse', peerError(GrpcStatus.ABORTED, 'failed to endorse transaction, see attached details for more info', [`chaincode response 500, ${message}`]));
      const error = await ledger.submit({ role: relay, name: 'CastBallot', args: [] }).catch((err: unknown) => err);
      expect(error).to.be.instanceOf(ChaincodeError).and.include({ code: 'POLL_NOT_OPEN', httpStatus: 409 });
      expect(submitted()).to.have.length(0);
    });

    for (const [index, vector] of loadVectors('error-payloads').entries()) {
      const expected = vector.payload?.code ?? 'LEDGER_ERROR';
      it(`when endorsement is refused with error vector #${index} "${vector.name}", then HTTP ${ERROR_STATUS[expected]} ${expected}`, async () => {
        grpc.answer('Endorse', peerError(GrpcStatus.ABORTED, 'failed to endorse transaction', [`chaincode response 500, ${vector.message}`]));
        const error = await ledger.submit({ role: relay, name: 'CastBallot', args: [] }).catch((err: unknown) => err);
        expect(error).to.include({ code: expected, httpStatus: ERROR_STATUS[expected] });
      });
    }
  });

  describe('commitStatus', () => {
    it('when the transaction committed, then its code and block come back from a request for that txId', async () => {
      grpc.answer('CommitStatus', commitStatusResponse(StatusCode.VALID, 8));
      const status = await ledger.commitStatus(relay, 'f'.repeat(64), 100);
      expect(status).to.deep.equal({ txId: 'f'.repeat(64), validationCode: 0, validationCodeName: 'VALID', valid: true, blockNumber: 8 });
      const signed = grpc.requestsTo('CommitStatus')[0] as gateway.SignedCommitStatusRequest;
      const request = gateway.CommitStatusRequest.deserializeBinary(signed.getRequest_asU8());
      expect([request.getChannelId(), request.getTransactionId()]).to.deep.equal(['polls', 'f'.repeat(64)]);
      expect(signed.getSignature_asU8().length).to.be.greaterThan(0);
    });

    it('when the peer holds the call past the wait, then the status is undefined (not yet committed)', async () => {
      grpc.answer('CommitStatus', serviceError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline'));
      expect(await ledger.commitStatus(relay, 'f'.repeat(64), 10)).to.equal(undefined);
    });

    it('when the peer resets the call with CANCEL at the wait\'s end (its own deadline fired first), then the status is undefined too', async () => {
      grpc.answer('CommitStatus', serviceError(GrpcStatus.CANCELLED, 'Call cancelled'));
      expect(await ledger.commitStatus(relay, 'f'.repeat(64), 10)).to.equal(undefined);
    });

    it('when the call is CANCELLED long before the wait ends, then that is a ledger error, not "not yet"', async () => {
      grpc.answer('CommitStatus', serviceError(GrpcStatus.CANCELLED, 'Call cancelled'));
      const error = await ledger.commitStatus(relay, 'f'.repeat(64), 60_000).catch((err: unknown) => err);
      expect(error).to.be.instanceOf(ApiError).and.to.include({ code: 'LEDGER_ERROR' });
    });
  });

  describe('blockHeight', () => {
    it('when asked, then qscc GetChainInfo is evaluated and the height decoded', async () => {
      const info = new common.BlockchainInfo();
      info.setHeight(42);
      grpc.answer('Evaluate', evaluateResponse(info.serializeBinary()));
      expect(await ledger.blockHeight(relay)).to.equal(42);
      const request = grpc.requestsTo('Evaluate')[0] as gateway.EvaluateRequest;
      expect(invocationOf(request.getProposedTransaction()!)).to.deep.equal({ chaincode: 'qscc', args: ['GetChainInfo', 'polls'] });
    });
  });

  describe('events', () => {
    it('when subscribing from a block, then the request starts there and events carry block and txId', async () => {
      grpc.streamResponses = [chaincodeEventsResponse(7, ['t1', 't2'])];
      const stream = await ledger.events(relay, 7n);
      const seen: string[] = [];
      for await (const event of stream) seen.push(`${event.blockNumber.toString()}:${event.txId}:${event.eventName}`);
      expect(seen).to.deep.equal(['7:t1:BallotCast', '7:t2:BallotCast']);
      const signed = grpc.requests[0]!.request as gateway.SignedChaincodeEventsRequest;
      const request = gateway.ChaincodeEventsRequest.deserializeBinary(signed.getRequest_asU8());
      expect(request.getStartPosition()?.getSpecified()?.getNumber()).to.equal(7);
      stream.close();
      expect(grpc.cancelled).to.equal(true);
    });
  });

  describe('close', () => {
    it('when closed, then the shared gRPC client is closed', () => {
      ledger.close();
      expect(grpc.closed).to.equal(true);
    });
  });
});
