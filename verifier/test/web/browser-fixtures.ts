/**
 * What the browser test's servers answer: a public poll with results (for the charts), and real chains (built with
 * the core's synthetic chain builder, real keys and signatures) that the real service serves: a tallied poll the core
 * verifies in the page, and an open after-close poll whose bundle is embargoed, so the page checks the observer's
 * signed inclusion statement against the observer's MSP in the config it derives from the pinned genesis.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Ballot, type Poll, type Results, TallyStateSchema, pollKey, tallyKey } from '@poll-ledger/protocol';
import { ballotHash, canonicalJson } from '../../src/core/canonical';
import { nobleProvider } from '../../src/core/crypto';
import type { PollDetail, PollList, Receipt } from '../../src/wire';
import { raftConfig, signaturePolicy } from '../support/fabric';
import { LedgerBuilder } from '../support/ledger';
import { type TestOrg, orgs, sha256 } from '../support/pki';
import { POLICY, castBallot, pollRecord, tallyTx } from '../support/polls';
import { type BuiltTx, type TxSpec, commitWrites } from '../support/tx';
import type { ServedChain } from './chain-service';
import type { Answer } from './static-server';

export interface ChainFixture {
  readonly pollId: string;
  readonly receipt: Receipt;
  readonly forgedReceipt: Receipt;
  /** Every forgery the page must refuse, by what was forged. */
  readonly forgedReceipts: Readonly<Record<string, Receipt>>;
  /** The chain the real service serves for these receipts. */
  readonly small: PollChain;
  /** An open after-close poll (its bundle embargoed) and a receipt of a ballot in it. */
  readonly sealed: { readonly chain: PollChain; readonly receipt: Receipt };
}

export interface Fixtures {
  readonly api: Map<string, Answer>;
  readonly files: Map<string, string>;
  readonly publicPoll: { readonly id: string; readonly title: string; readonly ballotCount: number };
  readonly chain?: ChainFixture;
  readonly chainMissing?: string;
}

const hex = (c: string): string => c.repeat(64);

function poll(id: string, title: string, status: Poll['status'], resultsVisibility: Poll['resultsVisibility']): Poll {
  return {
    id, title, description: 'A test poll.', status, resultsVisibility, revotePolicy: 'last-counts', ownerMsp: 'DeptMSP',
    opensAt: '2026-05-01T08:00:00.000Z', closesAt: '2026-05-08T20:00:00.000Z', createdTxId: hex('1'), updatedTxId: hex('2'),
    questions: [
      { id: 'colour', text: 'Which colour for the new trams?', type: 'single', minChoices: 1, maxChoices: 1, options: [{ id: 'red', text: 'Red' }, { id: 'green', text: 'Green' }, { id: 'blue', text: 'Blue' }] },
      { id: 'extras', text: 'What should every stop have?', type: 'multi', minChoices: 0, maxChoices: 3, options: [{ id: 'wifi', text: 'Wi-Fi' }, { id: 'usb', text: 'USB charging' }, { id: 'bench', text: 'A bench' }] },
    ],
  };
}

/** A self-made certificate claiming to be the observer's auditor: its own key, signed by itself (openssl). */
export function selfMadeAuditor(): ServedChain['auditor'] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-e2e-'));
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  fs.writeFileSync(path.join(dir, 'key.pem'), key.export({ format: 'pem', type: 'pkcs8' }));
  execFileSync('openssl', ['req', '-x509', '-new', '-key', path.join(dir, 'key.pem'), '-subj', '/O=ObserverMSP/OU=client/CN=auditor-observer', '-days', '1', '-out', path.join(dir, 'cert.pem')]);
  const certificate = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  fs.rmSync(dir, { recursive: true });
  return { mspId: 'ObserverMSP', certificate, key };
}

/** An identity issued by `org`'s CA in the chain's config, as the service's auditor. */
export function auditorOf(org: TestOrg): ServedChain['auditor'] {
  const issued = org.ca.issue(org.mspId, { OU: ['client'], CN: `auditor-${org.key}` });
  return { mspId: issued.mspId, certificate: issued.certificate.toString(), key: issued.key };
}

/** A poll's chain as the polls chaincode writes it, with what the observer's peer says of it. */
export interface PollChain extends ServedChain {
  readonly pollId: string;
  readonly title: string;
  readonly ballotCount: number;
  /** Every transaction on the chain: the genesis config, then lifecycle, poll changes, ballots and the tally. */
  readonly transactions: number;
  /** Receipts by voter index: the ballot counted for that voter. */
  readonly receipts: readonly Receipt[];
  /** A receipt of a ballot its voter replaced later (last-counts): on the ledger as cast, but not counted. */
  readonly replaced?: Receipt;
}

const CHOICES = ['red', 'blue', 'red'] as const;

function pollTx(b: LedgerBuilder, poll: Poll, fn: string): TxSpec {
  return { fn, creator: orgs.city.client, reads: [{ key: pollKey(poll.id), version: b.version(pollKey(poll.id)) }], writes: [{ key: pollKey(poll.id), value: canonicalJson(poll) }] };
}

/**
 * A last-counts poll with the core's synthetic chain builder (test/support/): the chaincode definition committed
 * through _lifecycle with the two-observer policy, the poll created and opened, `voters` ballots in blocks of
 * `perBlock` (each endorsed by ObserverMSP and CityMSP), the first voter's re-vote, the poll closed, and one final
 * tally with a range read over every ballot key. GetResults answers the tally state the chain records.
 */
export function pollChain(pollId: string, title: string, voters: number, perBlock: number): PollChain {
  const record = (status: Poll['status']): Poll => ({ ...pollRecord(pollId, status), title });
  const b = new LedgerBuilder();
  b.addBlock([{ namespace: '_lifecycle', fn: 'CommitChaincodeDefinition', creator: orgs.city.admin, writes: commitWrites('polls', 1, signaturePolicy(POLICY)) }]);
  b.addBlock([pollTx(b, record('draft'), 'CreatePoll')]);
  b.addBlock([pollTx(b, record('open'), 'OpenPoll')]);
  const counted: (BuiltTx & { ballot: Ballot })[] = [];
  for (let from = 0; from < voters; from += perBlock) {
    const txs = [];
    for (let i = from; i < Math.min(from + perBlock, voters); i += 1) txs.push(castBallot(b, pollId, `${pollId}-voter-${i}`, CHOICES[i % 3] ?? 'red', i % 50));
    b.addBlock(txs);
    counted.push(...txs);
  }
  const first = counted[0];
  let replaced: Receipt | undefined;
  if (first !== undefined) {
    const revote = castBallot(b, pollId, `${pollId}-voter-0`, 'blue', 55);
    b.addBlock([revote]);
    replaced = receiptOf(first);
    counted[0] = revote;
  }
  const closed = record('closed');
  b.addBlock([pollTx(b, closed, 'ClosePoll')]);
  const auditor = auditorOf(orgs.observer);
  const tally = tallyTx(b, closed, counted.map((t) => t.ballot));
  b.addBlock([tally]);
  const state = TallyStateSchema.parse(JSON.parse(String(tally.writes?.find((w) => w.key === tallyKey(pollId))?.value)));
  const results: Results = { pollId, status: 'tallied', final: true, ballotCount: state.ballotCount, counts: state.counts, ballotsRoot: state.ballotsRoot };
  return {
    pollId, title, blocks: b.blocks, genesisHash: b.genesisHash, auditor,
    polls: [record('tallied')],
    results: new Map([[pollId, results]]),
    ballotCount: counted.length,
    transactions: b.txs.size + 1,
    receipts: counted.map(receiptOf),
    ...(replaced ? { replaced } : {}),
  };
}

const receiptOf = (tx: { txId: string; ballot: Ballot }): Receipt => ({ pollId: tx.ballot.pollId, ballotId: tx.ballot.ballotId, txId: tx.txId, ballotHash: tx.ballot.ballotHash });

/**
 * An after-close poll still open: its ballots are sealed, so the service embargoes its bundle and answers a receipt
 * with a signed inclusion statement. A config block adds the Watchdog to the channel after the chaincode definition,
 * so the page follows a config chain, not just the genesis config.
 */
export function sealedPollChain(pollId: string, voters: number): { chain: PollChain; receipt: Receipt } {
  const record = (status: Poll['status']): Poll => ({ ...pollRecord(pollId, status), title: 'Participatory budget 2026 (sealed until it closes)' });
  const b = new LedgerBuilder();
  b.addBlock([{ namespace: '_lifecycle', fn: 'CommitChaincodeDefinition', creator: orgs.city.admin, writes: commitWrites('polls', 1, signaturePolicy(POLICY)) }]);
  b.addConfigBlock({ ...raftConfig, application: [...raftConfig.application, orgs.watchdog] });
  b.addBlock([pollTx(b, record('draft'), 'CreatePoll')]);
  b.addBlock([pollTx(b, record('open'), 'OpenPoll')]);
  // castBallot gives each its CastBallot arguments, which the service reads to index ballot transactions.
  const ballots = Array.from({ length: voters }, (_, i) => castBallot(b, pollId, `${pollId}-voter-${i}`, CHOICES[i % 3] ?? 'red', i % 50));
  b.addBlock(ballots);
  const first = ballots[0];
  if (first === undefined) throw new Error('a sealed poll needs a ballot');
  const chain: PollChain = {
    pollId, title: record('open').title, blocks: b.blocks, genesisHash: b.genesisHash, auditor: auditorOf(orgs.observer),
    polls: [record('open')], results: new Map(), ballotCount: voters, transactions: b.txs.size + 2, receipts: ballots.map(receiptOf),
  };
  return { chain, receipt: receiptOf(first) };
}

/**
 * The real bundle of a small poll (5 ballots and a re-vote, tallied) that the core verifies, a genuine receipt of a
 * counted ballot, and forged ones: the same ballot with the hash of another answer (a ballot "cast" as it was not),
 * and a transaction id that is on no block.
 */
function chainFixture(): { chain?: ChainFixture; reason?: string } {
  const small = pollChain('tram-colours', 'Colour of the new trams (real ledger)', 5, 3);
  const genuine = small.receipts[1];
  if (genuine === undefined) return { reason: 'the small poll has no ballots' };
  // The same ballot (voter, time, transaction) with the other answer: the hash a receipt of an altered ballot carries.
  const hashOf = (choice: string): string =>
    ballotHash({ pollId: genuine.pollId, ballotId: genuine.ballotId, answers: { q1: [choice] }, castAt: '2026-06-01T12:01:07.123Z', txId: genuine.txId }, nobleProvider);
  const otherHash = ['red', 'blue'].map(hashOf).find((h) => h !== genuine.ballotHash);
  if (otherHash === undefined || !['red', 'blue'].map(hashOf).includes(genuine.ballotHash ?? '')) return { reason: 'the forged ballot hash is not a hash of the same ballot with another answer' };
  const forgedReceipts: Readonly<Record<string, Receipt>> = {
    'a ballot hash of another answer': { ...genuine, ballotHash: otherHash },
    'a transaction id on no block': { ...genuine, txId: sha256(`no such transaction ${genuine.txId}`).toString('hex') },
  };
  const forgedReceipt = forgedReceipts['a ballot hash of another answer'];
  if (forgedReceipt === undefined) return { reason: 'no forged receipt' };
  return { chain: { pollId: small.pollId, receipt: genuine, forgedReceipt, forgedReceipts, small, sealed: sealedPollChain('budget', 3) } };
}

export function fixtures(): Fixtures {
  const api = new Map<string, Answer>();
  const files = new Map<string, string>([['genesis-hash.txt', `${hex('e')}\n`]]);

  const open = poll('trams', 'Colours of the new trams', 'tallied', 'live');
  const results: Results = {
    pollId: open.id, status: 'tallied', final: true, ballotCount: 1204, ballotsRoot: hex('a'),
    counts: { colour: { red: 640, green: 312, blue: 252 }, extras: { wifi: 903, usb: 455, bench: 1010 } },
  };
  const list: PollList = {
    polls: [open].map((p) => ({ id: p.id, title: p.title, status: p.status, resultsVisibility: p.resultsVisibility, opensAt: p.opensAt, closesAt: p.closesAt, resultsPublic: true })),
  };
  api.set('/v1/polls', { status: 200, body: list });
  api.set(`/v1/polls/${open.id}`, { status: 200, body: { poll: open, resultsPublic: true, results } satisfies PollDetail });

  const { chain, reason } = chainFixture();
  return {
    api, files,
    publicPoll: { id: open.id, title: open.title, ballotCount: results.ballotCount },
    ...(chain ? { chain } : {}),
    ...(reason ? { chainMissing: reason } : {}),
  };
}
