import { BUNDLE_FORMAT, type Bundle, type HeaderPage, type PollDetail, type PollList, type ReceiptStatus, type SignedCheckpoint } from '../wire';
import { headerOnly } from './blocks';
import type { ChainIndex, StoredBlock } from './chain';
import { type Disclosure, type PollDirectory, resultsPublic } from './disclosure';
import { ServiceFailure } from './errors';
import type { ObserverLedger } from './ledger';
import { type StatementSigner, sha256Hex } from './signer';

/**
 * The service's use cases, with no HTTP in them: what may be published, built from the chain copy, the poll
 * directory and the observer's signature. The HTTP layer adds caching headers and status codes.
 */

export interface ServiceDeps {
  readonly channel: string;
  readonly chaincode: string;
  readonly chain: ChainIndex;
  readonly polls: PollDirectory;
  readonly ledger: ObserverLedger;
  readonly signer: StatementSigner;
  readonly headersPageMax: number;
  readonly now?: () => Date;
}

export interface BlockAnswer {
  readonly bytes: Uint8Array;
  readonly headerHash: string;
}

export interface Tagged<T> {
  readonly body: T;
  /** Strong entity tag: the same tag means byte-identical JSON. */
  readonly etag: string;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

export class VerificationService {
  readonly #deps: ServiceDeps;
  #checkpoint: { readonly height: number; readonly signed: Promise<SignedCheckpoint> } | undefined;

  constructor(deps: ServiceDeps) {
    this.#deps = deps;
  }

  get height(): number {
    return this.#deps.chain.height;
  }

  #now(): string {
    return (this.#deps.now?.() ?? new Date()).toISOString();
  }

  #stored(n: number): StoredBlock {
    const stored = this.#deps.chain.block(n);
    if (stored === undefined) throw new ServiceFailure('NOT_FOUND', `block ${n} is not on the chain yet (height ${this.height})`, { height: this.height });
    return stored;
  }

  #height(): number {
    if (this.height === 0) throw new ServiceFailure('UNAVAILABLE', 'the service has not read the chain from its peer yet');
    return this.height;
  }

  /** Signed once per height: the same checkpoint (and so the same bundle bytes) until the chain grows. */
  checkpoint(): Promise<SignedCheckpoint> {
    const height = this.#height();
    if (this.#checkpoint?.height !== height) {
      const { headerHash } = this.#stored(height - 1).facts;
      const statement = { kind: 'checkpoint', channel: this.#deps.channel, height, blockNumber: height - 1, blockHash: headerHash, observedAt: this.#now() } as const;
      const signed = this.#deps.signer.sign(statement);
      // A failed signature is not cached: the next request tries again.
      signed.catch(() => { if (this.#checkpoint?.signed === signed) this.#checkpoint = undefined; });
      this.#checkpoint = { height, signed };
    }
    return this.#checkpoint.signed;
  }

  /** The raw block, or EMBARGOED with the polls that hold it back. */
  block(n: number): BlockAnswer {
    const { bytes, facts } = this.#stored(n);
    const disclosure = this.#deps.polls.disclosure(facts);
    if (!disclosure.public) {
      throw new ServiceFailure('EMBARGOED', `block ${n} holds content that is not public yet; its header-only form is public`, {
        block: n,
        reason: disclosure.reason,
        polls: disclosure.hiddenPolls,
        headerOnly: `/v1/blocks/${n}/header-only`,
      });
    }
    return { bytes, headerHash: facts.headerHash };
  }

  headerOnlyBlock(n: number): BlockAnswer {
    const { bytes, facts } = this.#stored(n);
    return { bytes: headerOnly(bytes), headerHash: facts.headerHash };
  }

  /** Blocks from..to header-only; `to` defaults to a full page and is cut at the height. */
  headers(from: number, to: number | undefined): { page: HeaderPage; complete: boolean } {
    const height = this.#height();
    const max = this.#deps.headersPageMax;
    const last = to ?? from + max - 1;
    if (last < from) throw new ServiceFailure('BAD_REQUEST', 'to must not be below from', { from, to: last });
    if (last - from + 1 > max) throw new ServiceFailure('BAD_REQUEST', `at most ${max} headers per request`, { from, to: last, max });
    if (from >= height) throw new ServiceFailure('NOT_FOUND', `block ${from} is not on the chain yet (height ${height})`, { height });
    const end = Math.min(last, height - 1);
    const headers = [];
    for (let n = from; n <= end; n += 1) {
      const answer = this.headerOnlyBlock(n);
      headers.push({ number: n, blockHash: answer.headerHash, block: b64(answer.bytes) });
    }
    // The page can never change once every block it asked for exists.
    return { page: { channel: this.#deps.channel, height, from, to: end, headers }, complete: to !== undefined && to === end };
  }

  listPolls(): PollList {
    const polls = [...this.#deps.polls.polls].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      polls: polls.map((p) => ({ id: p.id, title: p.title, status: p.status, resultsVisibility: p.resultsVisibility, opensAt: p.opensAt, closesAt: p.closesAt, resultsPublic: resultsPublic(p) })),
    };
  }

  async poll(pollId: string): Promise<PollDetail> {
    const poll = await this.#deps.ledger.getPoll(pollId);
    if (poll === undefined) throw new ServiceFailure('NOT_FOUND', `no poll ${pollId}`, { pollId });
    // The peer is ahead of the directory (a close just committed): catch up, so blocks follow soon.
    if (this.#deps.polls.poll(pollId)?.status !== poll.status) this.#deps.polls.refreshInBackground();
    const isPublic = resultsPublic(poll);
    const results = isPublic ? await this.#deps.ledger.getResults(pollId) : undefined;
    return { poll, resultsPublic: isPublic, ...(results ? { results } : {}) };
  }

  async pollBundle(pollId: string): Promise<Tagged<Bundle>> {
    const poll = this.#deps.polls.poll(pollId);
    if (poll === undefined) throw new ServiceFailure('NOT_FOUND', `no poll ${pollId}`, { pollId });
    const hidden = this.#deps.polls.hidden(pollId);
    if (hidden) throw new ServiceFailure('EMBARGOED', `the ballots of poll ${pollId} are not public before it closes`, { polls: [hidden] });
    return this.#bundle(pollId);
  }

  chainBundle(): Promise<Tagged<Bundle>> {
    return this.#bundle(undefined);
  }

  async #bundle(pollId: string | undefined): Promise<Tagged<Bundle>> {
    const height = this.#height();
    const checkpoint = await this.checkpoint();
    const withheld: number[] = [];
    const blocks: string[] = [];
    for (let n = 0; n < height; n += 1) {
      const { bytes, facts } = this.#stored(n);
      const disclosure: Disclosure = this.#deps.polls.disclosure(facts);
      if (!disclosure.public) withheld.push(n);
      blocks.push(b64(disclosure.public ? bytes : headerOnly(bytes)));
    }
    const body: Bundle = {
      format: BUNDLE_FORMAT,
      channel: this.#deps.channel,
      chaincode: this.#deps.chaincode,
      ...(pollId === undefined ? {} : { pollId }),
      height,
      blocks,
      // Asked for before the first await, so it is the checkpoint at `height`.
      checkpoint,
    };
    const etag = sha256Hex(`${pollId ?? ''}|${height}|${checkpoint.statement.blockHash}|${checkpoint.statement.observedAt}|${withheld.join(',')}`);
    return { body, etag };
  }

  /** Where a ballot transaction stands, under the observer's signature; never the ballot itself. */
  async receipt(pollId: string, ballotId: string, txId: string): Promise<ReceiptStatus> {
    const tx = this.#deps.chain.ballotTx(txId);
    // A transaction of another poll or ballot is "not found": the answer must not say whose it is. So is one that
    // asked for this ballot but did not write it (refused inside CastBallots).
    const ballot = tx?.pollId === pollId ? tx.ballots.find((b) => b.ballotId === ballotId) : undefined;
    if (tx === undefined || ballot === undefined) return { found: false, pollId, ballotId, txId };
    const { facts } = this.#stored(tx.blockNumber);
    const statement = {
      kind: 'inclusion',
      channel: this.#deps.channel,
      pollId,
      ballotId,
      txId,
      blockNumber: tx.blockNumber,
      txIndex: tx.txIndex,
      ...(ballot.position === undefined ? {} : { position: ballot.position }),
      blockHash: facts.headerHash,
      validationCode: tx.validationCode,
      observedAt: this.#now(),
    } as const;
    const attestation = await this.#deps.signer.sign(statement);
    const proofAvailable = this.#deps.polls.hidden(pollId) === undefined && this.#deps.polls.disclosure(facts).public;
    return { found: true, attestation, proofAvailable };
  }
}
