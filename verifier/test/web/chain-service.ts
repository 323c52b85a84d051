/**
 * The observer's real verification service (createApp, VerificationService, ChainIndex, PollDirectory and the
 * statement signer) serving a synthetic chain and the built citizen pages, with only the port to the observer's peer
 * stubbed: what the peer's world state says of the poll (GetPoll, ListPolls, GetResults). The page then fetches
 * exactly what a citizen's browser would, through the service's routes, disclosure rule, CSP and caching headers.
 */
import type { KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Poll, Results } from '@poll-ledger/protocol';
import { createApp } from '../../src/service/app';
import { ChainIndex } from '../../src/service/chain';
import { PollDirectory } from '../../src/service/disclosure';
import type { BlockStream, ObserverLedger } from '../../src/service/ledger';
import { VerificationService } from '../../src/service/service';
import { newStatementSigner } from '../../src/service/signer';
import type { ReceiptStatus } from '../../src/wire';
import type { StaticServer } from './static-server';

export interface ServedChain {
  readonly blocks: readonly Uint8Array[];
  readonly genesisHash: string;
  readonly polls: readonly Poll[];
  readonly results: ReadonlyMap<string, Results>;
  /** The observer's auditor identity the service signs checkpoints and statements with (issued by the chain's ObserverMSP CA). */
  readonly auditor: { readonly mspId: string; readonly certificate: string; readonly key: KeyObject };
}

export interface ChainServer extends StaticServer {
  /** The bytes of the poll's bundle as the service serves it (JSON). */
  bundleBytes(pollId: string): Promise<number>;
}

/** The peer port, answering from the fixture; the chain is appended directly (no block stream to follow). */
function stubLedger(chain: ServedChain): ObserverLedger {
  return {
    blocks: () => Promise.reject<BlockStream>(new Error('the browser test appends blocks directly')),
    listPolls: () => Promise.resolve([...chain.polls]),
    getPoll: (id) => Promise.resolve(chain.polls.find((p) => p.id === id)),
    getResults: (id) => Promise.resolve(chain.results.get(id)),
    close: () => undefined,
  };
}

/**
 * Starts the service on 127.0.0.1:0. Its web directory is a copy of dist/web with the chain's genesis-hash.txt
 * (the file the operator publishes next to the page), removed again on close. `tamper` changes the service's receipt
 * answers, as a dishonest service could.
 */
export async function serveChain(chain: ServedChain, builtWebDir: string, tamper?: (answer: ReceiptStatus) => ReceiptStatus): Promise<ChainServer> {
  const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verifier-web-'));
  fs.cpSync(builtWebDir, webDir, { recursive: true });
  fs.writeFileSync(path.join(webDir, 'genesis-hash.txt'), `${chain.genesisHash}\n`);

  const ledger = stubLedger(chain);
  const index = new ChainIndex('polls');
  for (const bytes of chain.blocks) index.append(bytes);
  const polls = new PollDirectory(ledger);
  await polls.refresh();
  const signer = newStatementSigner(chain.auditor.mspId, chain.auditor.certificate, chain.auditor.key);
  const service = new VerificationService({ channel: 'polls', chaincode: 'polls', chain: index, polls, ledger, signer, headersPageMax: 100 });
  if (tamper !== undefined) {
    const honest = service.receipt.bind(service);
    service.receipt = async (...args) => tamper(await honest(...args));
  }
  const app = createApp({ config: { rateLimitWindowMs: 60_000, rateLimitMax: 10_000, trustProxyHops: 0, webDir }, service });

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve).once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bundleBytes: async (pollId) => Buffer.byteLength(JSON.stringify((await service.pollBundle(pollId)).body)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          fs.rmSync(webDir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
