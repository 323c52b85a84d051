import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temporary directory per test, removed by `cleanup`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poll-ledger-audit-'));
  return { dir, cleanup: () => { fs.rmSync(dir, { recursive: true, force: true }); } };
}
