import { createHash } from 'node:crypto';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { headerHashOf } from '../../../src/service/blocks';

/**
 * Blocks built in memory with Fabric's protobufs: the shapes the service reads (config envelopes, endorser
 * transactions with their invocation arguments and write sets, the transactions filter), linked by header hash.
 */

export interface TxSpec {
  readonly txId: string;
  readonly chaincode?: string;
  readonly args: readonly string[];
  readonly writes?: readonly string[];
  /** TxValidationCode; VALID by default. */
  readonly code?: number;
}

export type BlockSpec = { readonly config: true } | { readonly txs: readonly TxSpec[] } | { readonly garbage: true };

function envelope(type: number, txId: string, data: Uint8Array): Uint8Array {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(type);
  channelHeader.setTxId(txId);
  channelHeader.setChannelId('polls');
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(new common.SignatureHeader().serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(data);
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  env.setSignature(Buffer.from('signature'));
  return env.serializeBinary();
}

function endorserTx(tx: TxSpec): Uint8Array {
  const chaincode = tx.chaincode ?? 'polls';
  const input = new peer.ChaincodeInput();
  input.setArgsList(tx.args.map((a) => Buffer.from(a)));
  const id = new peer.ChaincodeID();
  id.setName(chaincode);
  const spec = new peer.ChaincodeSpec();
  spec.setChaincodeId(id);
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const proposalPayload = new peer.ChaincodeProposalPayload();
  proposalPayload.setInput(invocation.serializeBinary());

  const kv = new ledger.rwset.kvrwset.KVRWSet();
  kv.setWritesList(
    (tx.writes ?? []).map((key) => {
      const write = new ledger.rwset.kvrwset.KVWrite();
      write.setKey(key);
      write.setValue(Buffer.from('{}'));
      return write;
    }),
  );
  const ns = new ledger.rwset.NsReadWriteSet();
  ns.setNamespace(chaincode);
  ns.setRwset(kv.serializeBinary());
  const rwset = new ledger.rwset.TxReadWriteSet();
  rwset.setNsRwsetList([ns]);
  const action = new peer.ChaincodeAction();
  action.setResults(rwset.serializeBinary());
  action.setChaincodeId(id);
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setExtension$(action.serializeBinary());
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(responsePayload.serializeBinary());
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposalPayload.serializeBinary());
  actionPayload.setAction(endorsed);
  const txAction = new peer.TransactionAction();
  txAction.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([txAction]);
  return envelope(common.HeaderType.ENDORSER_TRANSACTION, tx.txId, transaction.serializeBinary());
}

/** Blocks 0..n-1 from the specs, each linked to the previous one's header hash. */
export function buildChain(specs: readonly BlockSpec[]): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  let previous = new Uint8Array(0);
  specs.forEach((spec, number) => {
    const entries =
      'config' in spec
        ? [envelope(common.HeaderType.CONFIG, '', Buffer.from('config'))]
        : 'garbage' in spec
          ? [Buffer.from([0xff, 0xff, 0xff])]
          : spec.txs.map(endorserTx);
    const header = new common.BlockHeader();
    header.setNumber(number);
    header.setPreviousHash(previous);
    header.setDataHash(createHash('sha256').update(Buffer.concat(entries)).digest());
    const data = new common.BlockData();
    data.setDataList(entries);
    const filter = 'txs' in spec ? Uint8Array.from(spec.txs.map((t) => t.code ?? peer.TxValidationCode.VALID)) : new Uint8Array(entries.length);
    const metadata = new common.BlockMetadata();
    metadata.setMetadataList([Buffer.from('orderer-signatures'), new Uint8Array(0), filter, new Uint8Array(0), new Uint8Array(0)]);
    const block = new common.Block();
    block.setHeader(header);
    block.setData(data);
    block.setMetadata(metadata);
    blocks.push(block.serializeBinary());
    previous = Buffer.from(headerHashOf(header), 'hex');
  });
  return blocks;
}

/** Distinct 64-hex ids from a label. */
export const hex64 = (label: string): string => createHash('sha256').update(label).digest('hex');

export function castBallot(pollId: string, voter: string, code?: number): TxSpec {
  const ballotId = hex64(`voter:${voter}`);
  return {
    txId: hex64(`tx:${pollId}:${voter}`),
    args: ['CastBallot', pollId, ballotId, '{"q1":["red"]}', '', ''],
    writes: [`ballot~${pollId}~${ballotId}`],
    ...(code === undefined ? {} : { code }),
  };
}

/**
 * A CastBallots transaction of `voters`; it writes the ballots of `written` (default: all of them), as the chaincode
 * writes only the ballots it does not refuse.
 */
export function castBallots(pollId: string, voters: readonly string[], options: { written?: readonly string[]; code?: number } = {}): TxSpec {
  const ballots = voters.map((v) => ({ voterToken: hex64(`voter:${v}`), answers: { q1: ['red'] }, requestId: '', requestedAt: '' }));
  return {
    txId: hex64(`batch:${pollId}:${voters.join(',')}`),
    args: ['CastBallots', pollId, JSON.stringify(ballots)],
    writes: (options.written ?? voters).map((v) => `ballot~${pollId}~${hex64(`voter:${v}`)}`),
    ...(options.code === undefined ? {} : { code: options.code }),
  };
}

export const pollTx = (fn: string, pollId: string): TxSpec => ({ txId: hex64(`tx:${fn}:${pollId}`), args: [fn, pollId], writes: [`poll~${pollId}`] });
