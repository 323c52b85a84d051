/**
 * The ordering nodes of the full network (one SmartBFT orderer per founding org): crash one, start it again, and
 * read what each reports on its operations endpoint (Prometheus metrics: Fabric's orderer/consensus/smartbft
 * metrics.go and the ledger's blockchain height).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, networkScript, readNetwork, runDir } from './network';

const CHANNEL_LABEL = '{channel="polls"}';

/** The process name of ORG's orderer, as its pid and log files are named. */
export const ordererName = (org: string): string => `orderer0.${org}`;

/** The orgs that run an orderer, in network.json's order (full mode: every founding org). */
export function ordererOrgs(): string[] {
  return Object.keys(readNetwork().orgs).filter((org) => fs.existsSync(pidFile(org)));
}

function pidFile(org: string): string {
  return path.join(runDir, 'pids', `${ordererName(org)}.pid`);
}

/** The operations endpoint of ORG's orderer: its orderer port + 7 (docs/network.md, "Ports"). */
export function ordererOperationsUrl(org: string): string {
  const o = readNetwork().orgs[org];
  if (o === undefined) throw new Error(`no org ${org} in network.json`);
  const [host = '', port = ''] = o.ordererEndpoint.split(':');
  return `http://${host}:${String(Number(port) + 7)}`;
}

export interface OrdererMetrics {
  /** ledger_blockchain_height: blocks in the node's ledger. */
  readonly height: number;
  /** consensus_BFT_is_leader: whether the node is the leader, as of its latest committed block. */
  readonly isLeader: boolean;
  /** consensus_BFT_leader_id: the consenter id of the leader it follows. */
  readonly leaderId: number;
  /** consensus_smartbft_pool_count_of_elements: requests in its pool, received and not yet ordered. */
  readonly pooled: number;
}

/** ORG's orderer's metrics for the channel; undefined when it does not answer (stopped, or still starting). */
export async function ordererMetrics(org: string): Promise<OrdererMetrics | undefined> {
  let text: string;
  try {
    const res = await fetch(`${ordererOperationsUrl(org)}/metrics`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return undefined;
    text = await res.text();
  } catch {
    return undefined;
  }
  const gauge = (name: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}${CHANNEL_LABEL} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const height = gauge('ledger_blockchain_height');
  const isLeader = gauge('consensus_BFT_is_leader');
  const leaderId = gauge('consensus_BFT_leader_id');
  const pooled = gauge('consensus_smartbft_pool_count_of_elements');
  if (height === undefined || isLeader === undefined || leaderId === undefined || pooled === undefined) return undefined;
  return { height, isLeader: isLeader === 1, leaderId, pooled };
}

/**
 * The org whose orderer leads the BFT cluster, once every running orderer names the same leader and exactly one of
 * them says it is that leader (the gauges change when a block commits, so a node that just restarted may still
 * report its old view for a moment).
 */
export async function bftLeader(timeoutMs = 30_000): Promise<{ org: string; id: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const reports = (await Promise.all(ordererOrgs().map(async (org) => [org, await ordererMetrics(org)] as const)))
      .filter((r): r is readonly [string, OrdererMetrics] => r[1] !== undefined);
    const leaders = reports.filter(([, m]) => m.isLeader);
    const ids = new Set(reports.map(([, m]) => m.leaderId));
    const [leader] = leaders;
    if (leaders.length === 1 && ids.size === 1 && leader !== undefined) return { org: leader[0], id: leader[1].leaderId };
    last = reports.map(([org, m]) => `${org}: leader ${String(m.leaderId)}${m.isLeader ? ' (self)' : ''}`).join(', ');
    if (Date.now() > deadline) throw new Error(`the orderers do not agree on a leader: ${last}`);
    await sleep(500);
  }
}

/** Crashes ORG's orderer: SIGKILL to its process group (the scripts start every node with setsid). */
export async function killOrderer(org: string): Promise<void> {
  const pid = Number(fs.readFileSync(pidFile(org), 'utf8').trim());
  process.kill(-pid, 'SIGKILL');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) throw new Error(`${ordererName(org)} (pid ${String(pid)}) is still alive after SIGKILL`);
}

/** Starts ORG's stopped orderer again from its kept state (`network.sh start orderer0.<org>`). */
export async function startOrderer(org: string): Promise<void> {
  await networkScript('start', ordererName(org));
}

/** Starts every orderer that is not running: what a test does on its way out, whatever failed, to leave the network whole. */
export async function startStoppedOrderers(): Promise<void> {
  for (const org of ordererOrgs()) {
    if (!isAlive(Number(fs.readFileSync(pidFile(org), 'utf8').trim()))) await startOrderer(org);
  }
}

/**
 * Waits until ORG's orderer holds as many blocks as the least advanced of the other running orderers (read just
 * before it, so under load it has caught up with where they were a moment earlier).
 */
export async function waitCaughtUp(org: string, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  const others = ordererOrgs().filter((o) => o !== org);
  for (;;) {
    const heights = (await Promise.all(others.map(ordererMetrics))).flatMap((m) => (m === undefined ? [] : [m.height]));
    const own = await ordererMetrics(org);
    if (own !== undefined && heights.length > 0 && own.height >= Math.min(...heights)) return;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${ordererName(org)} did not catch up in ${String(timeoutMs / 1000)} s: height ${String(own?.height ?? '?')}, the others ${heights.join(', ')}`);
    }
    await sleep(250);
  }
}

/**
 * Waits until no running orderer holds a request it has not ordered (a transaction the peer's Gateway reported as
 * failed may still sit in some pools and be ordered later), and all of them are at one height; that height.
 */
export async function orderingIdle(timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reports = (await Promise.all(ordererOrgs().map(ordererMetrics))).filter((m): m is OrdererMetrics => m !== undefined);
    const heights = new Set(reports.map((m) => m.height));
    const [height] = heights;
    if (reports.length > 0 && heights.size === 1 && height !== undefined && reports.every((m) => m.pooled === 0)) return height;
    if (Date.now() > deadline) {
      throw new Error(`the orderers are not idle after ${String(timeoutMs / 1000)} s: ${reports.map((m) => `height ${String(m.height)}, ${String(m.pooled)} pooled`).join('; ')}`);
    }
    await sleep(500);
  }
}
