import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const SCRIPT = path.resolve(__dirname, '..', '..', '..', 'test-network-scripts', 'lib', 'postgres.sh');

export interface PgServer {
  readonly url: string;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * A real PostgreSQL server of its own for these tests, started with the same script as the network's
 * (test-network-scripts/lib/postgres.sh) in a fresh directory, and removed by stop().
 */
export async function startPgServer(): Promise<PgServer> {
  const parent = mkdtempSync(path.join(tmpdir(), 'gateway-pg-'));
  chmodSync(parent, 0o755);
  const dir = path.join(parent, 'data');
  const port = await freePort();
  execFileSync('bash', [SCRIPT, 'start', dir, String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = execFileSync('bash', [SCRIPT, 'url', String(port)], { encoding: 'utf8' }).trim();
  return {
    url,
    stop: () => {
      execFileSync('bash', [SCRIPT, 'stop', dir], { stdio: 'ignore' });
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
