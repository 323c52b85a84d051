import { Readable } from 'node:stream';
import { Metadata, status as GrpcStatus, type Client, type ServiceError } from '@grpc/grpc-js';
import { common, gateway, google, peer } from '@hyperledger/fabric-protos';
import { serviceError } from '../fakes';

/**
 * A stand-in for the peer's Gateway gRPC service, under the real fabric-gateway client: requests
 * are recorded and answers are scripted per method.
 */

/** A response message, a ServiceError, or a function of the request giving either. */
export type Answer = unknown;
type Callback = (err: ServiceError | null, value?: unknown) => void;

export interface Invocation {
  readonly chaincode: string;
  readonly args: string[];
}

/** The chaincode name and arguments inside a signed proposal. */
export function invocationOf(signed: peer.SignedProposal): Invocation {
  const proposal = peer.Proposal.deserializeBinary(signed.getProposalBytes_asU8());
  const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8()).getChaincodeSpec();
  const args = spec?.getInput()?.getArgsList_asU8() ?? [];
  return { chaincode: spec?.getChaincodeId()?.getName() ?? '', args: args.map((arg) => Buffer.from(arg).toString()) };
}

/** A ServiceError whose metadata carries gateway ErrorDetails, as a Fabric 2.5 peer sends them. */
export function peerError(code: GrpcStatus, message: string, detailMessages: readonly string[]): ServiceError {
  const status = new google.rpc.Status();
  status.setCode(code);
  status.setMessage(message);
  for (const text of detailMessages) {
    const detail = new gateway.ErrorDetail();
    detail.setAddress('peer0.city.example.com:7051');
    detail.setMspId('CityMSP');
    detail.setMessage(text);
    // google-protobuf's Any has no typings here, so describe the two setters used.
    const any = status.addDetails() as unknown as { setTypeUrl(url: string): void; setValue(value: Uint8Array): void };
    any.setTypeUrl('type.googleapis.com/gateway.ErrorDetail');
    any.setValue(detail.serializeBinary());
  }
  const metadata = new Metadata();
  metadata.add('grpc-status-details-bin', Buffer.from(status.serializeBinary()));
  return Object.assign(serviceError(code, message), { metadata });
}

export function evaluateResponse(payload: Uint8Array): gateway.EvaluateResponse {
  const result = new peer.Response();
  result.setStatus(200);
  result.setPayload(payload);
  const response = new gateway.EvaluateResponse();
  response.setResult(result);
  return response;
}

/** Answers an Endorse with an envelope carrying `result` under the txId the client proposed. */
export function endorsing(result: string): (request: gateway.EndorseRequest) => gateway.EndorseResponse {
  return (request) => endorseResponse(request.getTransactionId(), request.getChannelId(), Buffer.from(result));
}

/** An endorsed transaction envelope carrying `result`, shaped as fabric-gateway parses it. */
export function endorseResponse(txId: string, channel: string, result: Uint8Array): gateway.EndorseResponse {
  const response = new peer.Response();
  response.setStatus(200);
  response.setPayload(result);
  const chaincodeAction = new peer.ChaincodeAction();
  chaincodeAction.setResponse(response);
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setExtension$(chaincodeAction.serializeBinary());
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(responsePayload.serializeBinary());
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setAction(endorsed);
  const action = new peer.TransactionAction();
  action.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([action]);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setChannelId(channel);
  channelHeader.setTxId(txId);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(transaction.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  const endorseResult = new gateway.EndorseResponse();
  endorseResult.setPreparedTransaction(envelope);
  return endorseResult;
}

export function commitStatusResponse(code: number, blockNumber: number): gateway.CommitStatusResponse {
  const response = new gateway.CommitStatusResponse();
  response.setResult(code as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
  response.setBlockNumber(blockNumber);
  return response;
}

export function chaincodeEventsResponse(blockNumber: number, txIds: readonly string[]): gateway.ChaincodeEventsResponse {
  const response = new gateway.ChaincodeEventsResponse();
  response.setBlockNumber(blockNumber);
  response.setEventsList(
    txIds.map((txId) => {
      const event = new peer.ChaincodeEvent();
      event.setTxId(txId);
      event.setChaincodeId('polls');
      event.setEventName('BallotCast');
      event.setPayload(Buffer.from(JSON.stringify({ txId })));
      return event;
    }),
  );
  return response;
}

export class FakeGrpc {
  readonly requests: { method: string; request: unknown }[] = [];
  readonly answers = new Map<string, Answer[]>();
  streamResponses: unknown[] = [];
  cancelled = false;
  closed = false;

  /** Queues answers (a message, or a ServiceError) for `/gateway.Gateway/<method>`. */
  answer(method: string, ...answers: Answer[]): this {
    this.answers.set(`/gateway.Gateway/${method}`, [...(this.answers.get(`/gateway.Gateway/${method}`) ?? []), ...answers]);
    return this;
  }

  requestsTo(method: string): unknown[] {
    return this.requests.filter((r) => r.method === `/gateway.Gateway/${method}`).map((r) => r.request);
  }

  /** Typed as grpc-js's Client (what fabric-client's connectGateway takes); only these three methods are used. */
  asClient(): Client {
    const client = {
      makeUnaryRequest: (method: string, _s: unknown, _d: unknown, request: unknown, _options: unknown, callback: Callback) => {
        this.requests.push({ method, request });
        const scripted = this.answers.get(method)?.shift();
        const next: unknown = typeof scripted === 'function' ? (scripted as (r: unknown) => unknown)(request) : scripted;
        setImmediate(() => {
          if (next instanceof Error) callback(next as ServiceError);
          else if (next === undefined) callback(serviceError(GrpcStatus.UNIMPLEMENTED, `no answer scripted for ${method}`));
          else callback(null, next);
        });
      },
      makeServerStreamRequest: (method: string, _s: unknown, _d: unknown, request: unknown) => {
        this.requests.push({ method, request });
        const responses = this.streamResponses;
        return {
          [Symbol.asyncIterator]: () => Readable.from(responses)[Symbol.asyncIterator](),
          cancel: () => {
            this.cancelled = true;
          },
        };
      },
      close: () => {
        this.closed = true;
      },
    };
    return client as unknown as Client;
  }
}
