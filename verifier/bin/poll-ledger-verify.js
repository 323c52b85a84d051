#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built by `npm run build`).
require('../dist/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`poll-ledger-verify: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 2; },
);
