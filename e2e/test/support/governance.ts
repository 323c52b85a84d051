/**
 * Governance on the real network: channel config updates through `network.sh config …` (Fabric's
 * peer CLI and configtxlator underneath), the peer CLI as an org's admin (chaincode lifecycle), osnadmin,
 * and fabric-ca-client, all as a city administration trying to act alone would run them.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { networkEnv, readNetwork, repoRoot, runDir } from './network';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together. */
  output: string;
}

/** Runs COMMAND (never through a shell) and collects its output; it does not reject on a non-zero exit. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = networkEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code, stdout, stderr, output: stdout + stderr }); });
  });
}

/** `network.sh ARGS` against the e2e network, collected (not echoed), whatever its exit code. */
export function networkVerb(...args: string[]): Promise<Run> {
  return run('bash', [path.join(repoRoot, 'test-network-scripts', 'network.sh'), ...args]);
}

/** The first line of OUTPUT matching PATTERN (for showing an error in the test output). */
export function lineOf(output: string, pattern: RegExp): string {
  return output.split('\n').find((line) => pattern.test(line))?.trim() ?? '';
}

let fabricBinDir: string | undefined;

/** The directory of Fabric's binaries, found as the network scripts find them (lib/fabric-bin.sh). */
export async function fabricBin(): Promise<string> {
  if (fabricBinDir !== undefined) return fabricBinDir;
  const script = [
    'set -e',
    '. "$POLL_LEDGER_ROOT/network/network.config.sh"',
    '. "$POLL_LEDGER_ROOT/test-network-scripts/lib/utils.sh"',
    '. "$POLL_LEDGER_ROOT/test-network-scripts/lib/fabric-bin.sh"',
    'ensure_fabric_bins >/dev/null 2>&1',
    'printf %s "$FABRIC_BIN"',
  ].join('\n');
  const result = await run('bash', ['-c', script], { ...networkEnv, POLL_LEDGER_ROOT: repoRoot });
  if (result.code !== 0 || result.stdout === '') throw new Error(`cannot find Fabric's binaries: ${result.output}`);
  fabricBinDir = result.stdout;
  return fabricBinDir;
}

/** A scratch directory for one suite; remove it with fs.rmSync(dir, { recursive: true }). */
export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `poll-ledger-${prefix}-`));
}

// ---------------------------------------------------------------------------------------------
// Channel configuration (configtxlator's JSON).

export interface ConfigPolicy {
  mod_policy: string;
  policy: { type: number; value: unknown };
  version: string;
}
export interface ConfigValue {
  mod_policy: string;
  value: Record<string, unknown>;
  version: string;
}
export interface ConfigGroup {
  mod_policy: string;
  groups: Record<string, ConfigGroup>;
  values: Record<string, ConfigValue>;
  policies: Record<string, ConfigPolicy>;
  version: string;
}
export interface ChannelConfig {
  sequence: string;
  channel_group: ConfigGroup;
}

export type PrincipalRole = 'MEMBER' | 'ADMIN' | 'CLIENT' | 'PEER' | 'ORDERER';

/** A signature policy in configtxlator's JSON: N of the PRINCIPALS ([MSP ID, role]). */
export function signaturePolicy(n: number, ...principals: [string, PrincipalRole][]): ConfigPolicy['policy'] {
  return {
    type: 1,
    value: {
      identities: principals.map(([mspId, role]) => ({ principal: { msp_identifier: mspId, role }, principal_classification: 'ROLE' })),
      rule: { n_out_of: { n, rules: principals.map((_, i) => ({ signed_by: i })) } },
      version: 0,
    },
  };
}

/** The group at PATH below /Channel (e.g. ['Application', 'CityMSP']). */
export function groupAt(config: ChannelConfig, ...names: string[]): ConfigGroup {
  let group = config.channel_group;
  for (const name of names) {
    const next = group.groups[name];
    if (next === undefined) throw new Error(`no group ${name} in /Channel/${names.join('/')}`);
    group = next;
  }
  return group;
}

export function cloneConfig(config: ChannelConfig): ChannelConfig {
  return structuredClone(config);
}

let fetches = 0;

/** The channel's current config, fetched by ORG's admin (`network.sh config fetch`). */
export async function fetchConfig(dir: string, org = 'city'): Promise<ChannelConfig> {
  fetches += 1;
  const file = path.join(dir, `config-${String(fetches)}.json`);
  const result = await networkVerb('config', 'fetch', file, org);
  if (result.code !== 0) throw new Error(`network.sh config fetch failed:\n${result.output}`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ChannelConfig;
}

/** The config update envelope from ORIGINAL to MODIFIED (`network.sh config update`); its file. */
export async function configUpdate(dir: string, name: string, original: ChannelConfig, modified: ChannelConfig): Promise<string> {
  const from = path.join(dir, `${name}.original.json`);
  const to = path.join(dir, `${name}.modified.json`);
  const out = path.join(dir, `${name}.pb`);
  fs.writeFileSync(from, JSON.stringify(original));
  fs.writeFileSync(to, JSON.stringify(modified));
  const result = await networkVerb('config', 'update', from, to, out);
  if (result.code !== 0) throw new Error(`network.sh config update failed:\n${result.output}`);
  return out;
}

/** ORG's admin signs the update in FILE (`network.sh config sign`, peer channel signconfigtx). */
export async function signUpdate(file: string, org: string): Promise<void> {
  const result = await networkVerb('config', 'sign', file, org);
  if (result.code !== 0) throw new Error(`network.sh config sign ${org} failed:\n${result.output}`);
}

/** ORG's admin signs and submits FILE (`network.sh config submit`, peer channel update); the orderer's answer. */
export function submitUpdate(file: string, org: string): Promise<Run> {
  return networkVerb('config', 'submit', file, org);
}

/** The orderer's refusal in a `config submit` output, e.g. "… policy for [Policy] /Channel/… not satisfied …". */
export function ordererRefusal(output: string): string {
  return lineOf(output, /got unexpected status/).replace(/^.*?(Error: )/, '$1');
}

// ---------------------------------------------------------------------------------------------
// The peer CLI, osnadmin and fabric-ca-client, as the given org's identities of network.json.

/** Environment for Fabric's peer CLI as ORG's admin against ORG's peer. */
export function peerEnv(org: string): NodeJS.ProcessEnv {
  const o = readNetwork().orgs[org];
  if (o === undefined) throw new Error(`no org ${org} in network.json`);
  return {
    ...networkEnv,
    FABRIC_CFG_PATH: path.join(runDir, 'config'),
    FABRIC_LOGGING_SPEC: 'warning',
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_LOCALMSPID: o.mspId,
    CORE_PEER_MSPCONFIGPATH: path.dirname(path.dirname(o.identities.admin.certPath)),
    CORE_PEER_ADDRESS: o.peerEndpoint,
    CORE_PEER_TLS_ROOTCERT_FILE: o.tlsCaCert,
  };
}

/** `peer ARGS` as ORG's admin. */
export async function peerAs(org: string, args: readonly string[]): Promise<Run> {
  return run(path.join(await fabricBin(), 'peer'), args, peerEnv(org));
}

/** -o/--tls/--cafile of the city's orderer (it runs in both modes). */
export function ordererArgs(): string[] {
  const city = readNetwork().orgs.city;
  if (city === undefined) throw new Error('no city in network.json');
  return ['-o', city.ordererEndpoint, '--tls', '--cafile', city.tlsCaCert];
}

/** --peerAddresses/--tlsRootCertFiles for the peers of ORGS. */
export function peerArgs(...orgs: string[]): string[] {
  const network = readNetwork();
  return orgs.flatMap((org) => {
    const o = network.orgs[org];
    if (o === undefined) throw new Error(`no org ${org} in network.json`);
    return ['--peerAddresses', o.peerEndpoint, '--tlsRootCertFiles', o.tlsCaCert];
  });
}

/** The orderer admin endpoint of ORG's orderer: its orderer port + 3 (docs/network.md, "Ports"). */
export function ordererAdminEndpoint(org = 'city'): string {
  const o = readNetwork().orgs[org];
  if (o === undefined) throw new Error(`no org ${org} in network.json`);
  const [host = '', port = ''] = o.ordererEndpoint.split(':');
  return `${host}:${String(Number(port) + 3)}`;
}

/** osnadmin ARGS against ORG's orderer admin endpoint, with the TLS client certificate CERT and KEY. */
export async function osnadmin(args: readonly string[], cert: string, key: string, org = 'city'): Promise<Run> {
  const caFile = path.join(runDir, 'orgs', org, 'orderers', 'orderer0', 'tls', 'ca.crt');
  return run(path.join(await fabricBin(), 'osnadmin'), [...args, '-o', ordererAdminEndpoint(org), '--ca-file', caFile, '--client-cert', cert, '--client-key', key]);
}

/** The osnadmin client certificate and key of ORG's admin (its admin-TLS CA, lib/ca.sh). */
export function adminTlsIdentity(org: string): { cert: string; key: string } {
  const dir = path.join(runDir, 'orgs', org, 'users', 'admin', 'admin-tls');
  return { cert: path.join(dir, 'client.crt'), key: path.join(dir, 'client.key') };
}

/** The run directory's secrets file of ORG (lib/ca.sh): "<name> <secret>" lines. */
export function secretsFile(org: string): string {
  return path.join(runDir, 'secrets', org);
}

export function readSecrets(org: string): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const line of fs.readFileSync(secretsFile(org), 'utf8').split('\n')) {
    const [name, secret] = line.trim().split(/\s+/);
    if (name !== undefined && name !== '' && secret !== undefined) secrets.set(name, secret);
  }
  return secrets;
}

/**
 * `fabric-ca-client enroll` of NAME with SECRET at ORG's CA into a scratch directory (the URL with the
 * secret in the environment, as the scripts pass it); its result.
 */
export async function enrollWith(org: string, name: string, secret: string): Promise<Run> {
  const o = readNetwork().orgs[org];
  if (o === undefined) throw new Error(`no org ${org} in network.json`);
  const dir = scratchDir('enroll');
  try {
    const url = `https://${name}:${secret}@${new URL(o.caUrl).host}`;
    return await run(path.join(await fabricBin(), 'fabric-ca-client'), [
      'enroll', '-M', path.join(dir, 'msp'), '--caname', `ca-${org}`, '--tls.certfiles', path.join(runDir, 'ca', org, 'tls-cert.pem'),
    ], { ...networkEnv, FABRIC_CA_CLIENT_HOME: dir, FABRIC_CA_CLIENT_URL: url });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The canonical form of a chaincode definition's endorsement policy (test-network-scripts/lib/config-tool.js). */
export async function definitionPolicy(definitionJson: string): Promise<string> {
  const dir = scratchDir('policy');
  try {
    const file = path.join(dir, 'definition.json');
    fs.writeFileSync(file, definitionJson);
    const result = await run(process.execPath, [path.join(repoRoot, 'test-network-scripts', 'lib', 'config-tool.js'), 'policy-of', file]);
    return result.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
