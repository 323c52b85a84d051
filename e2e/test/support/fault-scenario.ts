/**
 * One fault scenario through the REST gateway: a fresh poll, the platform-like load (platform-client.ts), the fault
 * after LOAD_SECONDS, LOAD_SECONDS more of load, then the ledger held to the receipts (fault-check.ts). Shared by the
 * quick-mode suite (test/80-faults) and the BFT one (test-bft/25-rest-orderer-fault).
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkAfterFault, faultTable, type FaultFigures, type LedgerReader } from './fault-check';
import { isAlive, runDir } from './network';
import { startPlatformLoad } from './platform-client';
import { colourPoll, uniquePollId } from './polls';
import { apiKeys, call, gatewayUrl } from './rest';

/** Citizens started per second, and seconds of load before and after each fault. */
export const RATE = Number(process.env.POLL_LEDGER_E2E_FAULT_RATE ?? '5');
export const LOAD_SECONDS = Number(process.env.POLL_LEDGER_E2E_FAULT_SECONDS ?? '5');
/** How long a killed node stays down. */
export const DOWN_MS = Number(process.env.POLL_LEDGER_E2E_FAULT_DOWN_MS ?? '4000');

function pidOf(name: string): number {
  return Number(fs.readFileSync(path.join(runDir, 'pids', `${name}.pid`), 'utf8').trim());
}

/** SIGKILL of a node the scripts started, returning once it is gone. */
export async function kill(name: string): Promise<void> {
  const pid = pidOf(name);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) throw new Error(`${name} (pid ${String(pid)}) is still alive 10 s after SIGKILL`);
}

export interface FaultRunner {
  readonly admin: LedgerReader;
  readonly rows: readonly FaultFigures[];
  /** Runs a scenario and asserts the ledger holds exactly what was receipted. */
  scenario(name: string, fault: () => Promise<void>, baseUrl?: () => string): Promise<FaultFigures>;
  /** Every scenario's row, for the suite's `after`. */
  printAll(): void;
}

/** Reads the API keys gateway.sh made; call once the gateway has started. */
export function faultRunner(): FaultRunner {
  const keys = apiKeys();
  const rows: FaultFigures[] = [];
  const as = (key: string): LedgerReader => ({
    get: async (url) => {
      const reply = await call<Record<string, unknown>>('GET', url, { key });
      return { status: reply.status, body: reply.body };
    },
    post: async (url, body) => {
      const reply = await call<Record<string, unknown>>('POST', url, { key, ...(body === undefined ? {} : { body }) });
      return { status: reply.status, body: reply.body };
    },
  });
  const admin = as(keys['poll-admin']);

  async function openPoll(label: string): Promise<string> {
    const id = uniquePollId(label);
    expect((await admin.post('/v1/polls', colourPoll(id))).status).to.equal(201);
    expect((await admin.post(`/v1/polls/${id}/open`)).status).to.equal(200);
    return id;
  }

  return {
    admin,
    rows,
    scenario: async (name, fault, baseUrl = gatewayUrl) => {
      const pollId = await openPoll(name.replace(/[^a-z]+/g, '-').slice(0, 20));
      const load = startPlatformLoad({ baseUrl, relayKey: keys['ballot-relay'], pollId, rate: RATE, label: `${name.slice(0, 12)}-citizen` });
      let faultAt: number;
      try {
        await sleep(LOAD_SECONDS * 1000);
        faultAt = Date.now();
        await fault();
        await sleep(LOAD_SECONDS * 1000);
      } catch (err) {
        // Without this the load would go on starting citizens for ever, and mocha would never exit.
        await load.abort();
        throw err;
      }
      await load.finish();
      const figures = await checkAfterFault(name, pollId, load.outcomes, faultAt, admin);
      rows.push(figures);
      console.log(faultTable([figures]).replace(/^/gm, '      '));
      expect(figures.problems, figures.problems.join('\n')).to.deep.equal([]);
      expect(figures.receipts).to.be.greaterThan(0);
      return figures;
    },
    printAll: () => {
      if (rows.length === 0) return;
      console.log(`\n      fault scenarios (rate ${String(RATE)}/s, ${String(LOAD_SECONDS)} s of load each side of the fault)\n${faultTable(rows).replace(/^/gm, '      ')}\n`);
    },
  };
}
