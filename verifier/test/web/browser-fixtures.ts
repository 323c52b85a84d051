/**
 * What the browser test's server answers: a public poll with results (for the charts), an after-close poll whose
 * bundle is embargoed with receipts the observer signs (with the service's own signer), and, when the core's chain
 * builder exists, a real bundle of a poll that the core verifies.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Poll, Results } from '@poll-ledger/protocol';
import { newStatementSigner } from '../../src/service/signer';
import type { InclusionStatement, PollDetail, PollList, Receipt, ReceiptStatus } from '../../src/wire';
import type { Answer } from './static-server';

export interface ChainFixture {
  readonly pollId: string;
  readonly receipt: Receipt;
  readonly forgedReceipt: Receipt;
}

export interface Fixtures {
  readonly api: Map<string, Answer>;
  readonly files: Map<string, string>;
  readonly publicPoll: { readonly id: string; readonly title: string; readonly ballotCount: number };
  readonly embargoed: { readonly receipt: Receipt; readonly forgedReceipt: Receipt };
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

function observerIdentity(): { certificate: string; key: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-e2e-'));
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  fs.writeFileSync(path.join(dir, 'key.pem'), key);
  execFileSync('openssl', ['req', '-x509', '-new', '-key', path.join(dir, 'key.pem'), '-subj', '/O=ObserverMSP/CN=observer', '-days', '1', '-out', path.join(dir, 'cert.pem')]);
  const certificate = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  fs.rmSync(dir, { recursive: true });
  return { certificate, key };
}

const receiptPath = (r: Receipt): string => `/v1/receipts/${r.pollId}/${r.ballotId}?txId=${r.txId}`;

/**
 * TODO(core fixtures): a real bundle built with the core's synthetic chain builder in test/support/, once it exists:
 * a poll with ballots and a final tally, its bundle at /v1/polls/{id}/bundle, its poll and results at
 * /v1/polls/{id}, its genesis hash in genesis-hash.txt, a receipt of one of its ballots, and a forged one.
 */
function chainFixture(): { chain?: ChainFixture; reason?: string } {
  return { reason: 'the core\'s synthetic chain builder (verifier/test/support/) is not there yet' };
}

export async function fixtures(): Promise<Fixtures> {
  const api = new Map<string, Answer>();
  const files = new Map<string, string>([['genesis-hash.txt', `${hex('e')}\n`]]);

  const open = poll('trams', 'Colours of the new trams', 'tallied', 'live');
  const results: Results = {
    pollId: open.id, status: 'tallied', final: true, ballotCount: 1204, ballotsRoot: hex('a'),
    counts: { colour: { red: 640, green: 312, blue: 252 }, extras: { wifi: 903, usb: 455, bench: 1010 } },
  };
  const sealed = poll('budget', 'Participatory budget 2026', 'open', 'after-close');
  const list: PollList = {
    polls: [open, sealed].map((p) => ({ id: p.id, title: p.title, status: p.status, resultsVisibility: p.resultsVisibility, opensAt: p.opensAt, closesAt: p.closesAt, resultsPublic: p === open })),
  };
  api.set('/v1/polls', { status: 200, body: list });
  api.set(`/v1/polls/${open.id}`, { status: 200, body: { poll: open, resultsPublic: true, results } satisfies PollDetail });
  api.set(`/v1/polls/${sealed.id}`, { status: 200, body: { poll: sealed, resultsPublic: false } satisfies PollDetail });
  api.set(`/v1/polls/${sealed.id}/bundle`, { status: 403, body: { error: { code: 'EMBARGOED', message: 'the ballots of poll budget are sealed until it closes' } } });

  const identity = observerIdentity();
  const signer = newStatementSigner('ObserverMSP', identity.certificate, identity.key);
  const receipt: Receipt = { pollId: sealed.id, ballotId: hex('b'), txId: hex('c') };
  const statement: InclusionStatement = {
    kind: 'inclusion', channel: 'polls', ...receipt, blockNumber: 42, txIndex: 3, blockHash: hex('d'), validationCode: 'VALID', observedAt: '2026-05-02T10:00:00.000Z',
  };
  const signed = await signer.sign(statement);
  api.set(receiptPath(receipt), { status: 200, body: { found: true, attestation: signed, proofAvailable: false } satisfies ReceiptStatus });
  // A forged answer: another transaction's statement carrying the genuine statement's signature.
  const forgedReceipt: Receipt = { ...receipt, txId: hex('f') };
  const forged = { found: true, attestation: { statement: { ...statement, txId: forgedReceipt.txId }, signer: signed.signer }, proofAvailable: false } satisfies ReceiptStatus;
  api.set(receiptPath(forgedReceipt), { status: 200, body: forged });
  api.set('/v1/checkpoint', { status: 200, body: await signer.sign({ kind: 'checkpoint', channel: 'polls', height: 43, blockNumber: 42, blockHash: hex('d'), observedAt: '2026-05-02T10:00:00.000Z' }) });

  const { chain, reason } = chainFixture();
  return {
    api, files,
    publicPoll: { id: open.id, title: open.title, ballotCount: results.ballotCount },
    embargoed: { receipt, forgedReceipt },
    ...(chain ? { chain } : {}),
    ...(reason ? { chainMissing: reason } : {}),
  };
}
