#!/usr/bin/env node
'use strict';
/**
 * Writes Caliper's network configuration (v2 format, Fabric connector, peer gateway) for a running poll-ledger
 * network, from the network.json its scripts wrote (schema: protocol/src/network.ts).
 *
 *   node network-config.js --network <runDir>/network.json --out <dir> [--org city]
 *
 * It writes <dir>/networkconfig.yaml and prints its path. The config names one organization (the city by default,
 * whose ballot-relay is the only identity that may cast ballots), its peer's gateway endpoint and TLS root, and two
 * of its identities by their role names: `poll-admin` (creates and opens the polls) and `ballot-relay` (casts).
 * Caliper's peer-gateway connector sends every transaction to that one peer, which endorses, collects the other
 * endorsements the policy needs, and orders, as the REST gateway's client does.
 */
const fs = require('node:fs');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const IDENTITIES = ['poll-admin', 'ballot-relay'];
const USAGE = 'usage: node network-config.js --network <runDir>/network.json --out <dir> [--org city]';

function parseArgs(argv) {
  const options = { org: 'city' };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[(i += 1)];
    if (!['--network', '--out', '--org'].includes(flag) || value === undefined) throw new Error(`bad argument '${argv[i] ?? flag}'\n${USAGE}`);
    options[flag.slice(2)] = value;
  }
  if (options.network === undefined || options.out === undefined) throw new Error(USAGE);
  return options;
}

/** The network description, checked and with absolute file paths, by @poll-ledger/protocol (built: network.sh needs it too). */
function readNetwork(file) {
  let protocol;
  try {
    protocol = require(path.join(repoRoot, 'protocol'));
  } catch (err) {
    throw new Error(`cannot load @poll-ledger/protocol from ${repoRoot}/protocol (run 'npm run build' first): ${err.message}`);
  }
  return protocol.readNetworkFile(file);
}

/** The Caliper network configuration for one org of the network, as a plain object. */
function caliperNetworkConfig(network, orgKey) {
  const org = Object.hasOwn(network.orgs, orgKey) ? network.orgs[orgKey] : undefined;
  if (org === undefined) throw new Error(`no org '${orgKey}' in the network (it has ${Object.keys(network.orgs).join(', ')})`);
  return {
    name: `poll-ledger-${network.mode}`,
    version: '2.0.0',
    caliper: { blockchain: 'fabric', sutOptions: { mutualTls: false } },
    channels: [{ channelName: network.channel, contracts: [{ id: network.chaincode }] }],
    organizations: [
      {
        mspid: org.mspId,
        identities: {
          certificates: IDENTITIES.map((name) => ({
            name,
            clientPrivateKey: { path: org.identities[name].keyPath },
            clientSignedCert: { path: org.identities[name].certPath },
          })),
        },
        peers: [
          {
            endpoint: org.peerEndpoint,
            tlsCACerts: { path: org.tlsCaCert },
            grpcOptions: { 'grpc.ssl_target_name_override': org.peerHostAlias },
          },
        ],
      },
    ],
  };
}

/** YAML for plain data: block style, every string double-quoted (JSON string syntax is a YAML double-quoted scalar). */
function toYaml(value, indent = '') {
  if (Array.isArray(value)) {
    return value.map((item) => {
      const body = toYaml(item, `${indent}  `);
      return isScalar(item) ? `${indent}- ${body}` : `${indent}- ${body.trimStart()}`;
    }).join('\n');
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).map(([key, item]) => {
      const name = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
      return isScalar(item) ? `${indent}${name}: ${toYaml(item)}` : `${indent}${name}:\n${toYaml(item, `${indent}  `)}`;
    }).join('\n');
  }
  return JSON.stringify(value);
}

const isScalar = (value) => value === null || typeof value !== 'object';

function main() {
  const options = parseArgs(process.argv.slice(2));
  const network = readNetwork(path.resolve(options.network));
  const config = caliperNetworkConfig(network, options.org);
  fs.mkdirSync(options.out, { recursive: true });
  const file = path.join(path.resolve(options.out), 'networkconfig.yaml');
  fs.writeFileSync(file, `# Written by e2e/caliper/scripts/network-config.js from ${path.resolve(options.network)}\n${toYaml(config)}\n`, { mode: 0o600 });
  console.log(file);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(`network-config: ${err.message}`);
    process.exit(1);
  }
}

module.exports = { caliperNetworkConfig, toYaml };
