/**
 * Loaded before the tests (.mocharc.json): e2e/test/support/network.ts reads its run directory when it loads, and
 * these tests must never touch a real one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'network-scripts-ts-test-'));
process.env.POLL_LEDGER_E2E_RUN_DIR = path.join(dir, 'run');
process.env.POLL_LEDGER_E2E_QUIET = '1';

export const testDir = dir;

process.on('exit', () => {
  fs.rmSync(dir, { recursive: true, force: true });
});
