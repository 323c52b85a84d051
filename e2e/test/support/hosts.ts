/**
 * Partitions between the organizations' test hosts. With POLL_LEDGER_HOSTS=netns each org's nodes run in a network
 * namespace of their own (test-network-scripts/lib/hosts.sh): cutOff(org) takes the org's link down, so its host
 * loses every other host, this machine included (packets are dropped, as on a pulled cable; no connection is reset),
 * and heal(org) brings the link back. The default layout (every org on 127.0.0.1) has nothing to cut.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAs } from './fabric';
import { chainHeight } from './ledger';
import { networkScript, readNetwork, runDir } from './network';

export type HostsLayout = 'single' | 'netns';

/** The layout of the running e2e network, from the record `network.sh up` keeps in its run directory. */
export function hostsLayout(): HostsLayout {
  const record = path.join(runDir, 'hosts');
  return fs.existsSync(record) && /^POLL_LEDGER_HOSTS=netns$/m.test(fs.readFileSync(record, 'utf8')) ? 'netns' : 'single';
}

/** Cuts ORG's host off from every other host (`network.sh cut <org>`). */
export async function cutOff(org: string): Promise<void> {
  await networkScript('cut', org);
}

/** Connects ORG's host again (`network.sh heal <org>`); healing a connected org changes nothing. */
export async function heal(org: string): Promise<void> {
  await networkScript('heal', org);
}

/** Heals every org of network.json: what a test does on its way out, whatever failed. */
export async function healAll(): Promise<void> {
  for (const org of Object.keys(readNetwork().orgs)) await heal(org);
}

/** ORG's peer's channel height, through a connection of its own (an old one may still be in its reconnect backoff). */
async function heightOf(org: string): Promise<number | undefined> {
  const conn = connectAs(org, 'auditor');
  try {
    return await chainHeight(conn);
  } catch {
    return undefined;
  } finally {
    conn.close();
  }
}

/**
 * Waits until every org's peer has at least the height the city's peer has now: after a heal, a peer pulls the blocks
 * it missed only once its connection to the orderer is back (the peer retries with a growing backoff). The time it
 * took, in ms.
 */
export async function waitCaughtUp(timeoutMs = 180_000): Promise<number> {
  const started = Date.now();
  const orgs = Object.keys(readNetwork().orgs);
  let target: number | undefined;
  let last = '';
  for (;;) {
    target ??= await heightOf('city');
    if (target !== undefined) {
      const heights = await Promise.all(orgs.map(async (org) => [org, await heightOf(org)] as const));
      if (heights.every(([, h]) => h !== undefined && h >= (target ?? 0))) return Date.now() - started;
      last = heights.map(([org, h]) => `${org} ${h === undefined ? '?' : String(h)}`).join(', ');
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`the peers did not reach height ${String(target ?? '?')} in ${String(timeoutMs / 1000)} s: ${last}`);
    }
    await sleep(1000);
  }
}

/**
 * Whether a TCP connection to ENDPOINT (host:port) opens within TIMEOUT_MS; refused, unreachable and unanswered
 * all count as no.
 */
export function tcpConnects(endpoint: string, timeoutMs = 3000): Promise<boolean> {
  const [host = '', port = ''] = endpoint.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => { done(false); });
    socket.once('connect', () => { done(true); });
    socket.once('error', () => { done(false); });
  });
}
