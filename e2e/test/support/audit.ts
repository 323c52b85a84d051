/** poll-ledger-audit as a citizen-side observer runs it, against this network's network.json. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { networkJsonFile, repoRoot } from './network';

export const auditCli = path.join(repoRoot, 'audit', 'bin', 'poll-ledger-audit.js');

export interface AuditRun {
  code: number | null;
  /** Empty when the output was inherited. */
  stdout: string;
  stderr: string;
}

/**
 * Runs the auditor with ARGS, plus `--network-json` of this network unless the command works offline
 * (`verify`, or `--from-dir`). INHERIT shows its output instead of collecting it.
 */
export function runAudit(args: readonly string[], options: { readonly inherit?: boolean } = {}): Promise<AuditRun> {
  const offline = args[0] === 'verify' || args.includes('--from-dir');
  const argv = [auditCli, ...args, ...(offline ? [] : ['--network-json', networkJsonFile])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', options.inherit ? 'inherit' : 'pipe', options.inherit ? 'inherit' : 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code, stdout, stderr }); });
  });
}
