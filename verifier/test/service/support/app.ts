import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import sinon from 'sinon';
import type { Poll, PollStatus, Results, ResultsVisibility } from '@poll-ledger/protocol';
import { type AppConfig, createApp } from '../../../src/service/app';
import { ChainIndex } from '../../../src/service/chain';
import { PollDirectory } from '../../../src/service/disclosure';
import type { ObserverLedger } from '../../../src/service/ledger';
import { createLogger } from '../../../src/service/logger';
import { VerificationService } from '../../../src/service/service';
import { newStatementSigner } from '../../../src/service/signer';
import { type BlockSpec, buildChain, castBallot, hex64, pollTx } from './blocks';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');
export const CERT = readFileSync(path.join(FIXTURES, 'observer-auditor.crt'), 'utf8');
const KEY = readFileSync(path.join(FIXTURES, 'observer-auditor.key'), 'utf8');
export const NOW = new Date('2026-12-01T10:00:00.000Z');

export function poll(id: string, status: PollStatus, resultsVisibility: ResultsVisibility): Poll {
  return {
    id,
    title: `Poll ${id}`,
    description: '',
    questions: [{ id: 'q1', text: 'Which colour?', type: 'single', minChoices: 1, maxChoices: 1, options: [{ id: 'red', text: 'Red' }, { id: 'blue', text: 'Blue' }] }],
    revotePolicy: 'none',
    resultsVisibility,
    opensAt: '2026-11-01T00:00:00.000Z',
    closesAt: '2026-12-31T00:00:00.000Z',
    ownerMsp: 'DeptMSP',
    status,
    createdTxId: hex64(`created:${id}`),
    updatedTxId: hex64(`updated:${id}`),
  };
}

export const results = (pollId: string): Results => ({ pollId, status: 'tallied', final: true, ballotCount: 1, counts: { q1: { red: 1, blue: 0 } }, ballotsRoot: hex64('root') });

/**
 * The chain every HTTP test starts from: `secret` is an after-close poll still open, `open-live` a live one.
 *   0 config · 1 CreatePoll+OpenPoll · 2 ballot of secret · 3 ballot of open-live · 4 ballots of both · 5 config
 */
export const CHAIN: readonly BlockSpec[] = [
  { config: true },
  { txs: [pollTx('CreatePoll', 'secret'), pollTx('OpenPoll', 'secret')] },
  { txs: [castBallot('secret', 'alice')] },
  { txs: [castBallot('open-live', 'bob', 11)] },
  { txs: [castBallot('open-live', 'carol'), castBallot('secret', 'dave')] },
  { config: true },
];
export const BLOCKS = buildChain(CHAIN);

export interface TestApp {
  readonly app: Express;
  readonly ledger: sinon.SinonStubbedInstance<ObserverLedger>;
  readonly chain: ChainIndex;
  readonly polls: PollDirectory;
  readonly logs: string[];
  /** Sets what the peer says about polls and re-reads them. */
  readonly setPolls: (polls: Poll[]) => Promise<void>;
}

export const DEFAULT_POLLS = [poll('secret', 'open', 'after-close'), poll('open-live', 'open', 'live')];

export async function setup(overrides: Partial<AppConfig> = {}, blocks: readonly Uint8Array[] = BLOCKS): Promise<TestApp> {
  const ledger: sinon.SinonStubbedInstance<ObserverLedger> = {
    blocks: sinon.stub(),
    listPolls: sinon.stub(),
    getPoll: sinon.stub(),
    getResults: sinon.stub(),
    close: sinon.stub(),
  };
  const chain = new ChainIndex('polls');
  for (const bytes of blocks) chain.append(bytes);
  const polls = new PollDirectory(ledger);
  const setPolls = async (list: Poll[]) => {
    ledger.listPolls.resolves(list);
    ledger.getPoll.callsFake((id) => Promise.resolve(list.find((p) => p.id === id)));
    await polls.refresh();
  };
  await setPolls(DEFAULT_POLLS);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const service = new VerificationService({
    channel: 'polls',
    chaincode: 'polls',
    chain,
    polls,
    ledger,
    signer: newStatementSigner('ObserverMSP', CERT, KEY),
    headersPageMax: 4,
    now: () => NOW,
  });
  const config: AppConfig = { rateLimitWindowMs: 60_000, rateLimitMax: 1000, trustProxyHops: 0, webDir: path.join(FIXTURES, 'no-web'), ...overrides };
  return { app: createApp({ config, service, logger: createLogger('debug', sink) }), ledger, chain, polls, logs, setPolls };
}

