// Waits until an org peer's Gateway can endorse a transaction of the chaincode under its
// real policy, which needs gossip to have discovered the other orgs' peers and their
// installed chaincode. Exits 1 with the last error after the timeout.
// Usage: node wait-endorsers.js <network.json> <org> <timeout seconds>
// network.json is read with @poll-ledger/protocol's schema, and the peer is reached as the
// org's admin through @poll-ledger/fabric-client (the one TLS client and signer).
'use strict';
const { connectAs } = require('@poll-ledger/fabric-client');
const { readNetworkFile } = require('@poll-ledger/protocol');

async function main() {
  const [file, orgKey, timeout] = process.argv.slice(2);
  const seconds = Number(timeout);
  if (file === undefined || orgKey === undefined || !(seconds > 0)) {
    console.error('usage: node wait-endorsers.js <network.json> <org> <timeout seconds>');
    return 2;
  }
  const network = readNetworkFile(file);
  const connection = connectAs(network, orgKey, 'admin', { deadlines: { endorseMs: 10_000 } });
  const contract = connection.gateway.getNetwork(network.channel).getContract(network.chaincode);
  const until = Date.now() + seconds * 1000;
  let last;
  try {
    while (Date.now() < until) {
      try {
        // Endorsed (by every org the policy needs) but never submitted: no ledger change.
        await contract.newProposal('ListPolls', { arguments: ['', '1', ''] }).endorse();
        return 0;
      } catch (err) {
        last = err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    console.error(`endorsers not discoverable after ${timeout}s: ${last && last.message}`);
    return 1;
  } finally {
    connection.close();
  }
}

main().then((code) => process.exit(code), (err) => { console.error(err instanceof Error ? err.message : err); process.exit(1); });
