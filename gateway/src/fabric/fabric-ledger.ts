import { status as GrpcStatus, type Client } from '@grpc/grpc-js';
import type { Commit, Contract, Gateway, Network, Status } from '@hyperledger/fabric-gateway';
import { common, gateway as gatewayProtos, msp } from '@hyperledger/fabric-protos';
import { connectGateway, type SigningIdentity } from '@poll-ledger/fabric-client';
import type { CommitStatus, EventStream, LedgerClient, SubmitOptions, SubmitResult, TxRequest } from '../domain/ledger';
import { ApiError } from '../errors';
import type { FabricInstruments } from '../metrics';
import type { Role } from '../roles';
import { endedAtDeadline, fromFabricError, grpcCodeOf, validationCodeName } from './grpc-errors';
import { submitWithRetry, type RetryPolicy } from './submit';

export interface FabricLedgerOptions {
  /** The one gRPC client to the peer (fabric-client's newPeerClient), shared by every role. */
  readonly client: Client;
  readonly identities: Readonly<Partial<Record<Role, SigningIdentity>>>;
  readonly channel: string;
  readonly chaincode: string;
  readonly timeouts: Readonly<{ evaluateMs: number; endorseMs: number; submitMs: number; commitStatusMs: number }>;
  readonly retry: RetryPolicy;
  readonly instruments: FabricInstruments;
}

function toCommitStatus(txId: string, status: Status): CommitStatus {
  return { txId, validationCode: status.code, validationCodeName: validationCodeName(status.code), valid: status.successful, blockNumber: Number(status.blockNumber) };
}

/** LedgerClient over @hyperledger/fabric-gateway: one Gateway per role, all on one gRPC client. */
export class FabricLedger implements LedgerClient {
  readonly #options: FabricLedgerOptions;
  readonly #gateways = new Map<Role, Gateway>();

  constructor(options: Readonly<FabricLedgerOptions>) {
    this.#options = options;
    for (const [role, who] of Object.entries(options.identities) as [Role, SigningIdentity][]) {
      this.#gateways.set(role, connectGateway(options.client, who, options.timeouts));
    }
  }

  #gateway(role: Role): Gateway {
    const gateway = this.#gateways.get(role);
    if (!gateway) throw new ApiError('INTERNAL', `no Fabric identity is configured for role ${role}`);
    return gateway;
  }

  #network(role: Role): Network {
    return this.#gateway(role).getNetwork(this.#options.channel);
  }

  #contract(role: Role, chaincode = this.#options.chaincode): Contract {
    return this.#network(role).getContract(chaincode);
  }

  async #evaluate(contract: Contract, name: string, args: readonly string[]): Promise<Uint8Array> {
    try {
      return await this.#options.instruments.stage('evaluate', () => contract.evaluate(name, { arguments: [...args] }));
    } catch (err) {
      throw fromFabricError(err);
    }
  }

  async evaluate(request: TxRequest): Promise<Uint8Array> {
    return this.#evaluate(this.#contract(request.role), request.name, request.args);
  }

  async submit(request: TxRequest, options?: SubmitOptions): Promise<SubmitResult> {
    const contract = this.#contract(request.role);
    const newProposal = () => contract.newProposal(request.name, { arguments: [...request.args] });
    return submitWithRetry(newProposal, this.#options.retry, this.#options.instruments, options);
  }

  async resubmit(role: Role, envelope: Uint8Array, waitMs: number): Promise<CommitStatus | undefined> {
    const tx = this.#gateway(role).newTransaction(envelope);
    let commit: Commit;
    try {
      commit = await this.#options.instruments.stage('submit', () => tx.submit());
    } catch (err) {
      // An orderer that took longer than the submit timeout may still order it: "not yet", as below.
      if (grpcCodeOf(err) === GrpcStatus.DEADLINE_EXCEEDED) return undefined;
      throw fromFabricError(err);
    }
    return this.#statusWithin(commit, tx.getTransactionId(), waitMs);
  }

  async commitStatus(role: Role, txId: string, waitMs: number): Promise<CommitStatus | undefined> {
    const gateway = this.#gateway(role);
    const { mspId, credentials } = gateway.getIdentity();
    const creator = new msp.SerializedIdentity();
    creator.setMspid(mspId);
    creator.setIdBytes(credentials);
    const request = new gatewayProtos.CommitStatusRequest();
    request.setChannelId(this.#options.channel);
    request.setTransactionId(txId);
    request.setIdentity(creator.serializeBinary());
    const signed = new gatewayProtos.SignedCommitStatusRequest();
    signed.setRequest(request.serializeBinary());
    return this.#statusWithin(gateway.newCommit(signed.serializeBinary()), txId, waitMs);
  }

  async #statusWithin(commit: Commit, txId: string, waitMs: number): Promise<CommitStatus | undefined> {
    const deadline = Date.now() + waitMs;
    try {
      const status = await this.#options.instruments.stage('commit_status', () => commit.getStatus({ deadline }));
      return toCommitStatus(txId, status);
    } catch (err) {
      // The peer holds the call open until the transaction commits, so a deadline means "not yet".
      if (endedAtDeadline(err, deadline)) return undefined;
      throw fromFabricError(err);
    }
  }

  async blockHeight(role: Role): Promise<number> {
    const bytes = await this.#evaluate(this.#contract(role, 'qscc'), 'GetChainInfo', [this.#options.channel]);
    return common.BlockchainInfo.deserializeBinary(bytes).getHeight();
  }

  async events(role: Role, startBlock?: bigint): Promise<EventStream> {
    const network = this.#network(role);
    const options = startBlock === undefined ? {} : { startBlock };
    const events = await network.getChaincodeEvents(this.#options.chaincode, options).catch((err: unknown) => {
      throw fromFabricError(err);
    });
    return {
      async *[Symbol.asyncIterator]() {
        try {
          for await (const event of events) {
            yield { blockNumber: event.blockNumber, txId: event.transactionId, eventName: event.eventName, payload: event.payload };
          }
        } catch (err) {
          throw fromFabricError(err);
        }
      },
      close: () => {
        events.close();
      },
    };
  }

  close(): void {
    for (const gateway of this.#gateways.values()) gateway.close();
    this.#gateways.clear();
    this.#options.client.close();
  }
}
