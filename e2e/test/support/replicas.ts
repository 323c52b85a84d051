/**
 * Gateway replicas as processes: a second gateway started from the same gateway.json (same peer, keys, secret and
 * PostgreSQL database as the one gateway.sh runs), and one address in front of them that sends each request to the
 * next replica in turn, like a load balancer without health checks: a dead replica's turn fails and the platform
 * retries.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, runDir } from './network';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => { if (typeof address === 'object' && address) resolve(address.port); else reject(new Error('no port')); });
    });
  });
}

export interface GatewayProcess {
  readonly url: string;
  readonly process: ChildProcess;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Another gateway process on ports of its own, ready when its /readyz answers 200. It runs here, on this machine's
 * loopback, where freePort found its ports (in the netns layout gateway.json names the city's address, which only the
 * city's host holds); it reaches the same peer and database as the first one, over the bridge in that layout.
 */
export async function startGatewayReplica(): Promise<GatewayProcess> {
  const [port, opsPort] = [await freePort(), await freePort()];
  const log = fs.openSync(path.join(runDir, 'logs', `gateway-replica-${String(port)}.log`), 'a');
  const child = spawn(process.execPath, [path.join(repoRoot, 'gateway', 'dist', 'server.js')], {
    env: {
      ...process.env,
      GATEWAY_CONFIG_FILE: path.join(runDir, 'gateway.json'),
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      GATEWAY_OPS_HOST: '127.0.0.1',
      GATEWAY_OPS_PORT: String(opsPort),
    },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`the gateway replica exited with ${String(child.exitCode)}`);
    const ready = await fetch(`http://127.0.0.1:${String(opsPort)}/readyz`).then((r) => r.ok, () => false);
    if (ready) return { url: `http://127.0.0.1:${String(port)}`, process: child, kill: (signal) => { child.kill(signal); } };
    await sleep(500);
  }
  child.kill('SIGKILL');
  throw new Error('the gateway replica did not become ready in 60 s');
}

export interface OneAddress {
  readonly url: string;
  close(): Promise<void>;
}

/** One address in front of BACKENDS, each request to the next in turn; a backend that cannot be reached is a 502. */
export async function roundRobin(backends: readonly string[]): Promise<OneAddress> {
  let next = 0;
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/', backends[next++ % backends.length]);
    const forward = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BAD_GATEWAY', message: 'replica unreachable' } }));
    });
    req.pipe(forward);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => { resolve(); });
      server.closeAllConnections();
    }),
  };
}
