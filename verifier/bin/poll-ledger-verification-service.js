#!/usr/bin/env node
// Thin launcher: the service lives in dist/service/main.js (built by `npm run build`).
require('../dist/service/main.js').main(process.argv.slice(2)).catch((err) => {
  console.error(`poll-ledger-verification-service: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
