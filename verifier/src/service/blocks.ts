import { createHash } from 'node:crypto';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { Args, ballotKey, parseKey } from '@poll-ledger/protocol';
import { codeName } from '../core/walk';

/**
 * What the service must know of a raw block to decide what it may publish: its header hash, whether it is a config
 * block, which polls' ballots its transactions reveal (the arguments of CastBallot and CastBallots, or ballot writes,
 * valid or not: an invalid transaction's content is in the block all the same, and so are the answers of a ballot
 * refused inside a CastBallots transaction), and where each ballot transaction stands.
 * The bytes served are the bytes classified here; nothing else is parsed.
 */

/** The functions whose arguments carry ballots (their answers). */
export const BALLOT_FUNCTIONS: ReadonlySet<string> = new Set(['CastBallot', 'CastBallots']);

/** A ballot a transaction asked for and wrote (so a ballot refused inside CastBallots is not one). */
export interface WrittenBallot {
  readonly ballotId: string;
  /** Its position among the ballots of a CastBallots transaction; absent for CastBallot. */
  readonly position?: number;
}

export interface BallotTx {
  readonly txId: string;
  readonly txIndex: number;
  readonly pollId: string;
  readonly ballots: readonly WrittenBallot[];
  /** Fabric's TxValidationCode name from the block's (peer-written) transactions filter. */
  readonly validationCode: string;
}

export interface BlockFacts {
  readonly number: number;
  /** Lowercase hex SHA-256 of the header's DER encoding. */
  readonly headerHash: string;
  readonly isConfig: boolean;
  /** Polls whose ballot content the block's data carries. */
  readonly ballotPolls: ReadonlySet<string>;
  /** A transaction the service could not read: the block is withheld, since what it hides cannot be known. */
  readonly undecodable: boolean;
  /** It ran a poll transaction other than a ballot (create, open, close, tally...): poll statuses may have moved. */
  readonly touchesPolls: boolean;
  readonly ballots: readonly BallotTx[];
}


function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.of(tag), derLength(content.length), content]);

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes);
}

/** Fabric's header hash: SHA-256 of the ASN.1 DER `SEQUENCE { number INTEGER, previous_hash OCTET STRING, data_hash OCTET STRING }`. */
export function headerHashOf(header: common.BlockHeader): string {
  const der = tlv(
    0x30,
    Buffer.concat([derInteger(BigInt(header.getNumber())), tlv(0x04, Buffer.from(header.getPreviousHash_asU8())), tlv(0x04, Buffer.from(header.getDataHash_asU8()))]),
  );
  return createHash('sha256').update(der).digest('hex');
}

/** The block with its data emptied: header and metadata (orderer signatures, transactions filter) unchanged. */
export function headerOnly(bytes: Uint8Array): Uint8Array {
  const block = common.Block.deserializeBinary(bytes);
  block.setData(new common.BlockData());
  return block.serializeBinary();
}

interface TxFacts {
  readonly config: boolean;
  readonly ballotPolls: readonly string[];
  readonly touchesPolls: boolean;
  readonly ballot?: Omit<BallotTx, 'txIndex' | 'validationCode'>;
}

const utf8 = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));

/** The ballots a ballot call asks for, read with the protocol's argument schemas; none when they do not fit. */
function askedBallots(fn: string, args: readonly (string | undefined)[]): WrittenBallot[] {
  if (fn === 'CastBallot') {
    const ballotId = Args.voterToken.safeParse(args[0]);
    return ballotId.success ? [{ ballotId: ballotId.data }] : [];
  }
  const ballots = Args.ballotsJson.safeParse(args[0]);
  return ballots.success ? ballots.data.map((b, position) => ({ ballotId: b.voterToken, position })) : [];
}

/** envelope → payload → transaction → each action's invocation (function, args) and write set. */
function readTransaction(entry: Uint8Array, chaincode: string): TxFacts {
  const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(entry).getPayload_asU8());
  const header = payload.getHeader();
  if (header === undefined) throw new Error('the payload has no header');
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const type = channelHeader.getType();
  if (type === common.HeaderType.CONFIG) return { config: true, ballotPolls: [], touchesPolls: false };
  if (type !== common.HeaderType.ENDORSER_TRANSACTION) return { config: false, ballotPolls: [], touchesPolls: false };

  const polls = new Set<string>();
  const written = new Set<string>();
  let touchesPolls = false;
  let asked: { readonly pollId: string; readonly ballots: readonly WrittenBallot[] } | undefined;
  for (const action of peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const input = peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8()).getInput_asU8();
    const spec = peer.ChaincodeInvocationSpec.deserializeBinary(input).getChaincodeSpec();
    const [fn, pollId, ...rest] = (spec?.getInput()?.getArgsList_asU8() ?? []).map(utf8);
    if (spec?.getChaincodeId()?.getName() === chaincode) {
      if (fn !== undefined && BALLOT_FUNCTIONS.has(fn)) {
        // Its arguments carry the answers, whatever the peer made of the transaction (an unreadable pollId is '': unknown, so hidden).
        polls.add(pollId ?? '');
        if (pollId !== undefined) asked ??= { pollId, ballots: askedBallots(fn, rest) };
      } else if (fn !== undefined && !fn.startsWith('Get') && fn !== 'ListPolls') {
        touchesPolls = true;
      }
    }
    const responsePayload = actionPayload.getAction()?.getProposalResponsePayload_asU8();
    if (responsePayload === undefined) continue;
    const results = peer.ChaincodeAction.deserializeBinary(peer.ProposalResponsePayload.deserializeBinary(responsePayload).getExtension_asU8()).getResults_asU8();
    for (const ns of ledger.rwset.TxReadWriteSet.deserializeBinary(results).getNsRwsetList()) {
      if (ns.getNamespace() !== chaincode) continue;
      for (const write of ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()).getWritesList()) {
        const key = parseKey(write.getKey());
        if (key.kind === 'ballot') polls.add(key.pollId);
        written.add(write.getKey());
      }
    }
  }
  const call = asked;
  const ballots = call === undefined ? [] : call.ballots.filter((b) => written.has(ballotKey(call.pollId, b.ballotId)));
  const ballot = call === undefined || ballots.length === 0 ? undefined : { txId: channelHeader.getTxId(), pollId: call.pollId, ballots };
  return { config: false, ballotPolls: [...polls], touchesPolls, ...(ballot ? { ballot } : {}) };
}

/** Reads a block's facts; throws only when the bytes are not a block with a header. */
export function readBlock(bytes: Uint8Array, chaincode: string): BlockFacts {
  const block = common.Block.deserializeBinary(bytes);
  const header = block.getHeader();
  if (header === undefined) throw new Error('the block has no header');
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array(0);
  const ballotPolls = new Set<string>();
  const ballots: BallotTx[] = [];
  let isConfig = false;
  let undecodable = false;
  let touchesPolls = false;
  block.getData()?.getDataList_asU8().forEach((entry, txIndex) => {
    let facts: TxFacts;
    try {
      facts = readTransaction(entry, chaincode);
    } catch {
      undecodable = true;
      return;
    }
    isConfig ||= facts.config;
    touchesPolls ||= facts.touchesPolls;
    for (const pollId of facts.ballotPolls) ballotPolls.add(pollId);
    if (facts.ballot) ballots.push({ ...facts.ballot, txIndex, validationCode: codeName(filter[txIndex] ?? peer.TxValidationCode.NOT_VALIDATED) });
  });
  return { number: header.getNumber(), headerHash: headerHashOf(header), isConfig, ballotPolls, undecodable, touchesPolls, ballots };
}
