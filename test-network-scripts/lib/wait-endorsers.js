// Waits until the city peer's Gateway can endorse a transaction of the chaincode
// under its real policy, which needs gossip to have discovered the other orgs'
// peers and their installed chaincode. Exits 1 with the last error after the timeout.
// Usage: node wait-endorsers.js <network.json> <org> <timeout seconds>
'use strict';
const fs = require('node:fs');
const crypto = require('node:crypto');
const grpc = require('@grpc/grpc-js');
const { connect, hash, signers } = require('@hyperledger/fabric-gateway');

async function main() {
  const [file, orgKey, timeout] = process.argv.slice(2);
  const net = JSON.parse(fs.readFileSync(file, 'utf8'));
  const org = net.orgs[orgKey];
  const id = org.identities.admin;
  const client = new grpc.Client(org.peerEndpoint, grpc.credentials.createSsl(fs.readFileSync(org.tlsCaCert)), {
    'grpc.ssl_target_name_override': org.peerHostAlias,
  });
  const gateway = connect({
    client,
    identity: { mspId: org.mspId, credentials: fs.readFileSync(id.certPath) },
    signer: signers.newPrivateKeySigner(crypto.createPrivateKey(fs.readFileSync(id.keyPath))),
    hash: hash.sha256,
    endorseOptions: () => ({ deadline: Date.now() + 10_000 }),
  });
  const contract = gateway.getNetwork(net.channel).getContract(net.chaincode);
  const until = Date.now() + Number(timeout) * 1000;
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
    gateway.close();
    client.close();
  }
}

main().then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });
