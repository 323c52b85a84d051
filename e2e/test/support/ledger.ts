/**
 * The channel's blocks and transactions as a peer serves them (qscc and the deliver service through fabric-gateway),
 * decoded with @hyperledger/fabric-protos: just enough for the end-to-end tests to check heights, validation codes,
 * endorsers, ballot writes and orderer signatures themselves. The auditor does the full check.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { readNetwork, runDir } from './network';
import { type Connection, statusName } from './fabric';
import { headerDer } from './resign';

/** The part of google.protobuf.Timestamp used here (google-protobuf ships no typings). */
interface ProtoTimestamp {
  getSeconds(): number;
  getNanos(): number;
}

export interface LedgerTransaction {
  readonly txId: string;
  /** The proposal's timestamp, chosen by its client: milliseconds since the epoch. */
  readonly timestampMs: number;
  readonly validationCode: number;
  /** VALID, MVCC_READ_CONFLICT, … */
  readonly validation: string;
  /** The MSP of each endorsement, in order. */
  readonly endorserMspIds: readonly string[];
  /** The keys written, per chaincode namespace. */
  readonly writes: readonly { readonly namespace: string; readonly key: string }[];
}

/** The query system chaincode on CONN's peer. */
function qscc(conn: Connection) {
  return conn.gateway.getNetwork(readNetwork().channel).getContract('qscc');
}

/** The height of the channel's ledger on CONN's peer. */
export async function chainHeight(conn: Connection): Promise<number> {
  const bytes = await qscc(conn).evaluateTransaction('GetChainInfo', readNetwork().channel);
  return common.BlockchainInfo.deserializeBinary(bytes).getHeight();
}

/** A transaction as CONN's peer committed it (qscc GetTransactionByID): its validation code and contents. */
export async function committedTransaction(conn: Connection, txId: string): Promise<LedgerTransaction> {
  const bytes = await qscc(conn).evaluateTransaction('GetTransactionByID', readNetwork().channel, txId);
  const processed = peer.ProcessedTransaction.deserializeBinary(bytes);
  const envelope = processed.getTransactionenvelope();
  if (envelope === undefined) throw new Error(`the peer returned transaction ${txId} without its envelope`);
  return decodeEnvelope(envelope, processed.getValidationcode());
}

/** The blocks FROM (inclusive) to TO (exclusive), from CONN's peer's deliver service. */
export async function readBlocks(conn: Connection, from: number, to: number): Promise<common.Block[]> {
  const blocks: common.Block[] = [];
  if (from >= to) return blocks;
  const events = await conn.gateway.getNetwork(readNetwork().channel).getBlockEvents({ startBlock: BigInt(from) });
  try {
    for await (const block of events) {
      blocks.push(block);
      if (blockNumber(block) >= to - 1) break;
    }
  } finally {
    events.close();
  }
  return blocks;
}

export function blockNumber(block: common.Block): number {
  return block.getHeader()?.getNumber() ?? -1;
}

/** Every transaction of BLOCK, with the validation code the committing peer set in its metadata. */
export function blockTransactions(block: common.Block): LedgerTransaction[] {
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array(0);
  return (block.getData()?.getDataList_asU8() ?? []).map((bytes, i) =>
    decodeEnvelope(common.Envelope.deserializeBinary(bytes), filter[i] ?? peer.TxValidationCode.NOT_VALIDATED));
}

function decodeEnvelope(envelope: common.Envelope, validationCode: number): LedgerTransaction {
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const channelHeader = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(0));
  const timestamp = channelHeader.getTimestamp() as unknown as ProtoTimestamp | undefined;
  const timestampMs = timestamp === undefined ? 0 : timestamp.getSeconds() * 1000 + Math.floor(timestamp.getNanos() / 1e6);
  const base = { txId: channelHeader.getTxId(), timestampMs, validationCode, validation: statusName(validationCode) };
  if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return { ...base, endorserMspIds: [], writes: [] };
  const endorserMspIds: string[] = [];
  const writes: { namespace: string; key: string }[] = [];
  for (const action of peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()) {
    const endorsed = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()).getAction();
    if (endorsed === undefined) continue;
    for (const endorsement of endorsed.getEndorsementsList()) {
      endorserMspIds.push(msp.SerializedIdentity.deserializeBinary(endorsement.getEndorser_asU8()).getMspid());
    }
    const response = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
    const results = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8()).getResults_asU8();
    for (const ns of ledger.rwset.TxReadWriteSet.deserializeBinary(results).getNsRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      for (const write of kv.getWritesList()) writes.push({ namespace: ns.getNamespace(), key: write.getKey() });
    }
  }
  return { ...base, endorserMspIds, writes };
}

/** The enrollment certificate of each org's orderer node (what a BFT consenter signs blocks with), by org key. */
export function ordererSigningKeys(): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const org of Object.keys(readNetwork().orgs)) {
    const file = path.join(runDir, 'orgs', org, 'orderers', 'orderer0', 'msp', 'signcerts', 'cert.pem');
    if (fs.existsSync(file)) keys.set(org, createPublicKey(fs.readFileSync(file)));
  }
  return keys;
}

export interface BlockSigners {
  /** The orgs whose orderer made a signature of BLOCK that verifies, each once. */
  readonly orgs: readonly string[];
  /** The consenter id each signature claims (BFT identifier header), in order. */
  readonly consenterIds: readonly number[];
  /** Signatures that verify with no orderer's key. */
  readonly unverified: number;
}

/**
 * Who signed BLOCK among the orderers of KEYS. A BFT signature names its consenter by id and signs the SIGNATURES
 * metadata value ‖ its identifier header ‖ the header's DER (fabric protoutil BlockSignatureVerifier): it counts for
 * the org whose orderer key verifies it. The id → node mapping of the config is not checked here (the auditor does).
 */
export function blockSigners(block: common.Block, keys: ReadonlyMap<string, KeyObject>): BlockSigners {
  const header = block.getHeader();
  const bytes = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES];
  if (header === undefined || bytes === undefined || bytes.length === 0) return { orgs: [], consenterIds: [], unverified: 0 };
  const metadata = common.Metadata.deserializeBinary(bytes);
  const der = headerDer(header);
  const orgs = new Set<string>();
  const consenterIds: number[] = [];
  let unverified = 0;
  for (const signature of metadata.getSignaturesList()) {
    const identifier = signature.getIdentifierHeader_asU8();
    if (identifier.length > 0) consenterIds.push(common.IdentifierHeader.deserializeBinary(identifier).getIdentifier());
    const signerHeader = identifier.length > 0 ? identifier : signature.getSignatureHeader_asU8();
    const signed = Buffer.concat([metadata.getValue_asU8(), signerHeader, der]);
    const org = [...keys].find(([, key]) => verify('sha256', signed, key, signature.getSignature_asU8()))?.[0];
    if (org === undefined) unverified += 1;
    else orgs.add(org);
  }
  return { orgs: [...orgs].sort(), consenterIds, unverified };
}

/** SmartBFT's quorum of N consenters: ⌈(n + f + 1) / 2⌉ with f = ⌊(n − 1) / 3⌋ (3 of 4). */
export function bftQuorum(n: number): number {
  return Math.ceil((n + Math.floor((n - 1) / 3) + 1) / 2);
}

/**
 * What is wrong with the orderer signatures of BLOCKS (none of them the unsigned genesis block): a signature that no
 * orderer of KEYS made, two naming one consenter, or fewer distinct signers than the BFT quorum of KEYS. Empty when
 * every block is sealed by a quorum.
 */
export function signatureProblems(blocks: readonly common.Block[], keys: ReadonlyMap<string, KeyObject>): string[] {
  const quorum = bftQuorum(keys.size);
  return blocks.flatMap((block) => {
    const signers = blockSigners(block, keys);
    const problems = [
      ...(signers.unverified > 0 ? [`${String(signers.unverified)} signature(s) no orderer made`] : []),
      ...(new Set(signers.consenterIds).size < signers.consenterIds.length ? [`consenter ids ${signers.consenterIds.join(', ')}`] : []),
      ...(signers.orgs.length < quorum ? [`signed by ${String(signers.orgs.length)} orderer(s) (${signers.orgs.join(', ')}), the quorum is ${String(quorum)}`] : []),
    ];
    return problems.map((problem) => `block ${String(blockNumber(block))}: ${problem}`);
  });
}

export interface ArrivedBlock {
  readonly number: number;
  /** When the block reached this process (Date.now()). */
  readonly arrivedAt: number;
  readonly transactions: readonly LedgerTransaction[];
}

export interface BlockWatch {
  /** Every block received so far, in order. */
  readonly blocks: readonly ArrivedBlock[];
  /** The first block that arrived after AT. */
  firstAfter(at: number): ArrivedBlock | undefined;
  /** The first block after AT (arrived then) holding a transaction proposed after AT: ordering works again. */
  firstOrderedAfter(at: number): ArrivedBlock | undefined;
  /** Waits up to TIMEOUT_MS for FIND to find a block. */
  waitFor(find: (watch: BlockWatch) => ArrivedBlock | undefined, timeoutMs: number): Promise<ArrivedBlock | undefined>;
  close(): void;
}

/** Follows CONN's peer's blocks from FROM on, noting when each arrives, until closed. */
export async function watchBlocks(conn: Connection, from: number): Promise<BlockWatch> {
  const events = await conn.gateway.getNetwork(readNetwork().channel).getBlockEvents({ startBlock: BigInt(from) });
  const blocks: ArrivedBlock[] = [];
  const closing = new AbortController();
  void (async () => {
    try {
      for await (const block of events) {
        blocks.push({ number: blockNumber(block), arrivedAt: Date.now(), transactions: blockTransactions(block) });
      }
    } catch (err) {
      if (!closing.signal.aborted) console.log(`      (the block stream stopped: ${String(err)})`);
    }
  })();
  const watch: BlockWatch = {
    blocks,
    firstAfter: (at) => blocks.find((b) => b.arrivedAt > at),
    firstOrderedAfter: (at) => blocks.find((b) => b.arrivedAt > at && b.transactions.some((tx) => tx.timestampMs > at)),
    waitFor: async (find, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      let found = find(watch);
      while (found === undefined && Date.now() < deadline) {
        await sleep(100);
        found = find(watch);
      }
      return found;
    },
    close: () => {
      closing.abort();
      events.close();
    },
  };
  return watch;
}
