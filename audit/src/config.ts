import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { PeerTarget as ClientPeerTarget } from '@poll-ledger/fabric-client';
import {
  IDENTITY_NAMES,
  type IdentityName,
  type Network,
  NetworkFileError,
  type NetworkOrg,
  networkOrg,
  readNetworkFile,
} from '@poll-ledger/protocol';
import { ConfigError, UsageError } from './errors';

/**
 * The command line, parsed and validated in one place: every later module gets typed, complete settings, and every
 * mistake is reported here with the option's name.
 */

export const USAGE = `Usage:
  poll-ledger-audit [audit] [connection] [options]     replay the ledger from the peer and audit every poll
  poll-ledger-audit verify --from-dir <dir> [options]   the same audit over exported block files
  poll-ledger-audit export --out <dir> [connection]     write each block as <dir>/<n>.block (protobuf bytes)
  poll-ledger-audit receipt <receipt.json> [connection | --from-dir <dir>] (--checkpoint <file> | --genesis-hash <hex> | --trust-peer)
                                                        check a ballot receipt { pollId, ballotId, txId, blockNumber, ballotHash[, position] }
  poll-ledger-audit close-due [connection] [--json <file>]
                                                        close every open poll whose closesAt has passed, as this
                                                        organisation (run it on a schedule: closing on time must not
                                                        depend on the city)

Connection (the auditor's own organisation's peer; default: --org observer --identity auditor):
  --network-json <path>    network description (default .run/network.json)
  --org <key>              organisation key in network.json (default observer)
  --identity <name>        identity in network.json: admin, poll-admin, ballot-relay or auditor (default auditor)
  --peer <host:port> --tls-ca <file> --msp-id <id> --cert <file> --key <file> [--peer-host-alias <name>]
                           an explicit peer and identity instead of network.json

Options:
  --channel <name>         channel (default polls)
  --chaincode <name>       chaincode, i.e. the state namespace (default polls)
  --checkpoint <file>      resume from this checkpoint and keep it up to date
  --checkpoint-every <n>   write the checkpoint every n blocks (default 100; always at the end)
  --until-block <n>        stop after block n
  --genesis-hash <hex>     block 0's header hash, published out of band: the root of the config chain (orderers,
                           MSPs). A different block 0 fails the audit; without it the report warns
  --trusted-hash <n>:<hex> block n's header hash as another source states it (repeatable); a difference, or a
                           block the peer does not serve, fails the audit
  --json <file>            also write the report as JSON
  --quiet                  print the summary, the rule changes, and only the polls that MISMATCH or whose
                           rules changed while they were open
  --timeout <seconds>      deadline for each peer request (default 30)
  -h, --help               this text

Receipt trust anchors (who may sign the receipt's block), one of:
  --checkpoint <file>      the verified config chain of a full audit's checkpoint (read only)
  --genesis-hash <hex>     replay the config chain from the pinned genesis block
  --trust-peer             the config block the source itself names: a weaker check, and the report says so

Exit status: 0 every check passes; 1 a mismatch, a broken chain or a failed receipt; 2 usage, configuration or
connection error; 128+n interrupted by signal n (checkpoint saved).`;

/** fabric-client's peer (endpoint, TLS name, TLS CA) plus the identity to use there, every file already read. */
export interface PeerTarget extends ClientPeerTarget {
  readonly tlsCaCert: Buffer;
  readonly mspId: string;
  readonly certificate: Buffer;
  readonly privateKey: Buffer;
  /** For messages and the report: which peer, as whom. */
  readonly label: string;
}

export interface CommonOptions {
  readonly channel: string;
  readonly chaincode: string;
  readonly jsonPath?: string;
  readonly checkpoint?: { readonly file: string; readonly every: number };
  readonly untilBlock?: number;
  readonly trustedHashes: ReadonlyMap<number, string>;
  readonly genesisHash?: string;
  /** receipt only: take the trust anchors from the block source's own config block. */
  readonly trustPeer: boolean;
  readonly quiet: boolean;
  readonly timeoutMs: number;
}

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'audit'; readonly peer: PeerTarget; readonly options: CommonOptions }
  | { readonly kind: 'verify'; readonly fromDir: string; readonly options: CommonOptions }
  | { readonly kind: 'export'; readonly peer: PeerTarget; readonly outDir: string; readonly options: CommonOptions }
  | { readonly kind: 'close-due'; readonly peer: PeerTarget; readonly options: CommonOptions }
  | {
      readonly kind: 'receipt';
      readonly receiptPath: string;
      readonly source: { readonly peer: PeerTarget } | { readonly fromDir: string };
      readonly options: CommonOptions;
    };

const optionSpec = {
  help: { type: 'boolean', short: 'h' },
  'network-json': { type: 'string' },
  org: { type: 'string' },
  identity: { type: 'string' },
  peer: { type: 'string' },
  'peer-host-alias': { type: 'string' },
  'tls-ca': { type: 'string' },
  'msp-id': { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  channel: { type: 'string' },
  chaincode: { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'until-block': { type: 'string' },
  'trusted-hash': { type: 'string', multiple: true },
  'genesis-hash': { type: 'string' },
  'trust-peer': { type: 'boolean' },
  json: { type: 'string' },
  quiet: { type: 'boolean' },
  timeout: { type: 'string' },
  out: { type: 'string' },
  'from-dir': { type: 'string' },
} as const;

type OptionName = keyof typeof optionSpec;
type Values = ReturnType<typeof parseArgs<{ options: typeof optionSpec; allowPositionals: true; strict: true }>>['values'];

const CONNECTION: readonly OptionName[] = ['network-json', 'org', 'identity', 'peer', 'peer-host-alias', 'tls-ca', 'msp-id', 'cert', 'key', 'timeout'];
const REPLAY: readonly OptionName[] = ['channel', 'chaincode', 'checkpoint', 'checkpoint-every', 'until-block', 'trusted-hash', 'genesis-hash', 'json', 'quiet'];
const ALLOWED: Readonly<Record<Exclude<Command['kind'], 'help'>, readonly OptionName[]>> = {
  audit: [...CONNECTION, ...REPLAY],
  verify: [...REPLAY, 'from-dir'],
  export: [...CONNECTION, 'channel', 'until-block', 'out'],
  receipt: [...CONNECTION, 'channel', 'chaincode', 'from-dir', 'json', 'checkpoint', 'genesis-hash', 'trust-peer'],
  'close-due': [...CONNECTION, 'channel', 'chaincode', 'json'],
};

const COMMANDS = ['audit', 'verify', 'export', 'receipt', 'close-due'] as const;
const CHANNEL_NAME = /^[a-z][a-z0-9.-]*$/;
const CHAINCODE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/;

export function parseCommand(argv: readonly string[], cwd: string = process.cwd()): Command {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: optionSpec, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    return { kind: 'help' };
  }
  const [first, ...rest] = positionals;
  const kind = first === undefined ? 'audit' : COMMANDS.find((c) => c === first);
  if (kind === undefined) {
    throw new UsageError(`unknown command '${first ?? ''}' (commands: ${COMMANDS.join(', ')})`);
  }
  const operands = first === undefined ? [] : rest;
  if (kind !== 'receipt' && operands.length > 0) {
    throw new UsageError(`unexpected argument '${operands[0] ?? ''}'`);
  }
  const given = (Object.keys(values) as OptionName[]).filter((name) => values[name] !== undefined);
  const misplaced = given.filter((name) => name !== 'help' && !ALLOWED[kind].includes(name));
  if (misplaced.length > 0) {
    throw new UsageError(`--${misplaced.join(', --')} cannot be used with '${kind}'`);
  }
  const options = commonOptions(values, cwd);
  switch (kind) {
    case 'audit':
    case 'close-due':
      return { kind, peer: peerTarget(values, cwd), options };
    case 'verify':
      return { kind, fromDir: requiredDir(values['from-dir'], '--from-dir', cwd), options };
    case 'export': {
      if (values.out === undefined) {
        throw new UsageError("'export' needs --out <dir>");
      }
      return { kind, peer: peerTarget(values, cwd), outDir: path.resolve(cwd, values.out), options };
    }
    case 'receipt': {
      const [receiptPath, extra] = operands;
      if (receiptPath === undefined || extra !== undefined) {
        throw new UsageError("'receipt' takes exactly one argument: the receipt JSON file");
      }
      const fromDir = values['from-dir'];
      const connection = given.filter((name) => CONNECTION.includes(name));
      if (fromDir !== undefined && connection.length > 0) {
        throw new UsageError(`--from-dir and --${connection.join(', --')} are alternatives`);
      }
      if (options.checkpoint === undefined && options.genesisHash === undefined && !options.trustPeer) {
        throw new UsageError(
          "'receipt' needs verified trust anchors: --checkpoint <file> (written by a full audit) or --genesis-hash <hex> " +
            '(replays the config chain); --trust-peer takes them from the block source itself, a weaker check',
        );
      }
      const source = fromDir === undefined ? { peer: peerTarget(values, cwd) } : { fromDir: requiredDir(fromDir, '--from-dir', cwd) };
      return { kind, receiptPath: path.resolve(cwd, receiptPath), source, options };
    }
  }
}

function commonOptions(values: Values, cwd: string): CommonOptions {
  const channel = values.channel ?? 'polls';
  const chaincode = values.chaincode ?? 'polls';
  if (!CHANNEL_NAME.test(channel)) {
    throw new UsageError(`--channel '${channel}' is not a channel name`);
  }
  if (!CHAINCODE_NAME.test(chaincode)) {
    throw new UsageError(`--chaincode '${chaincode}' is not a chaincode name`);
  }
  const every = values['checkpoint-every'] === undefined ? 100 : integer(values['checkpoint-every'], '--checkpoint-every', 1);
  const untilBlock = values['until-block'] === undefined ? undefined : integer(values['until-block'], '--until-block', 0);
  return {
    channel,
    chaincode,
    ...(values.json === undefined ? {} : { jsonPath: path.resolve(cwd, values.json) }),
    ...(values.checkpoint === undefined ? {} : { checkpoint: { file: path.resolve(cwd, values.checkpoint), every } }),
    ...(untilBlock === undefined ? {} : { untilBlock }),
    trustedHashes: trustedHashes(values['trusted-hash'] ?? []),
    ...(values['genesis-hash'] === undefined ? {} : { genesisHash: hexHash(values['genesis-hash'], '--genesis-hash') }),
    trustPeer: values['trust-peer'] === true,
    quiet: values.quiet === true,
    timeoutMs: (values.timeout === undefined ? 30 : integer(values.timeout, '--timeout', 1)) * 1000,
  };
}

function hexHash(text: string, what: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new UsageError(`${what} '${text}' must be 64 hex digits (a SHA-256 header hash)`);
  }
  return text.toLowerCase();
}

function trustedHashes(specs: readonly string[]): Map<number, string> {
  const hashes = new Map<number, string>();
  for (const spec of specs) {
    const match = /^(\d+):([0-9a-fA-F]{64})$/.exec(spec);
    if (match?.[1] === undefined || match[2] === undefined) {
      throw new UsageError(`--trusted-hash '${spec}' must be <block number>:<64 hex digits>`);
    }
    hashes.set(Number(match[1]), match[2].toLowerCase());
  }
  return hashes;
}

function peerTarget(values: Values, cwd: string): PeerTarget {
  const explicit = (['peer', 'tls-ca', 'msp-id', 'cert', 'key'] as const).filter((name) => values[name] !== undefined);
  if (explicit.length > 0) {
    const lacking = (['peer', 'tls-ca', 'msp-id', 'cert', 'key'] as const).filter((name) => values[name] === undefined);
    if (lacking.length > 0) {
      throw new UsageError(`an explicit peer needs --peer, --tls-ca, --msp-id, --cert and --key; missing --${lacking.join(', --')}`);
    }
    for (const name of ['network-json', 'org', 'identity'] as const) {
      if (values[name] !== undefined) {
        throw new UsageError(`--${name} cannot be combined with an explicit --peer`);
      }
    }
    const endpoint = values.peer ?? '';
    if (!/^[^\s:]+:\d{1,5}$/.test(endpoint)) {
      throw new UsageError(`--peer '${endpoint}' must be host:port`);
    }
    const mspId = values['msp-id'] ?? '';
    return {
      endpoint,
      ...(values['peer-host-alias'] === undefined ? {} : { hostAlias: values['peer-host-alias'] }),
      tlsCaCert: readConfigFile(values['tls-ca'], '--tls-ca', cwd),
      mspId,
      certificate: readConfigFile(values.cert, '--cert', cwd),
      privateKey: readConfigFile(values.key, '--key', cwd),
      label: `peer ${endpoint} as ${mspId}`,
    };
  }
  if (values['peer-host-alias'] !== undefined) {
    throw new UsageError('--peer-host-alias goes with an explicit --peer');
  }
  const file = path.resolve(cwd, values['network-json'] ?? path.join('.run', 'network.json'));
  const orgKey = values.org ?? 'observer';
  const role = identityName(values.identity ?? 'auditor');
  const org = orgOf(readNetwork(file), orgKey, file);
  const files = org.identities[role];
  // Paths in network.json are relative to the file, so a copied .run directory still works.
  const base = path.dirname(file);
  return {
    endpoint: org.peerEndpoint,
    hostAlias: org.peerHostAlias,
    tlsCaCert: readConfigFile(org.tlsCaCert, `${orgKey}.tlsCaCert`, base),
    mspId: org.mspId,
    certificate: readConfigFile(files.certPath, `${orgKey}.identities.${role}.certPath`, base),
    privateKey: readConfigFile(files.keyPath, `${orgKey}.identities.${role}.keyPath`, base),
    label: `peer ${org.peerEndpoint} (${orgKey}) as ${org.mspId} ${role}`,
  };
}

function identityName(name: string): IdentityName {
  const known = IDENTITY_NAMES.find((n) => n === name);
  if (known === undefined) {
    throw new UsageError(`--identity '${name}' is not one of ${IDENTITY_NAMES.join(', ')}`);
  }
  return known;
}

/** network.json through the protocol's reader and schema; what it refuses is a ConfigError. */
function readNetwork(file: string): Network {
  try {
    return readNetworkFile(file);
  } catch (err) {
    // The protocol's message names the file and every wrong field: it is the whole story.
    if (err instanceof NetworkFileError) {
      throw new ConfigError(err.message, { file });
    }
    throw new ConfigError(`cannot read the network description ${file} (is the network up? see --network-json)`, { file }, { cause: err });
  }
}

function orgOf(network: Network, orgKey: string, file: string): NetworkOrg {
  try {
    return networkOrg(network, orgKey);
  } catch (err) {
    throw new ConfigError(`${file}: ${err instanceof Error ? err.message : String(err)}`, { file });
  }
}

function readConfigFile(file: string | undefined, what: string, base: string): Buffer {
  const resolved = path.resolve(base, file ?? '');
  try {
    return fs.readFileSync(resolved);
  } catch (err) {
    throw new ConfigError(`cannot read ${what} (${resolved})`, { file: resolved }, { cause: err });
  }
}

function requiredDir(dir: string | undefined, what: string, cwd: string): string {
  if (dir === undefined) {
    throw new UsageError(`${what} <dir> is required`);
  }
  const resolved = path.resolve(cwd, dir);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isDirectory()) {
    throw new ConfigError(`${what} ${resolved} is not a directory`);
  }
  return resolved;
}

function integer(text: string, what: string, min: number): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new UsageError(`${what} must be an integer >= ${min}, not '${text}'`);
  }
  return Number(text);
}
