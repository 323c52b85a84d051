import { readFileSync } from 'node:fs';
import type { SignerKind } from '@poll-ledger/fabric-client';
import { Limits, Sha256HexSchema } from '@poll-ledger/protocol';
import { z } from 'zod';
import { RoleSchema } from './roles';

const PREFIX = 'GATEWAY_';
const FILE_VAR = `${PREFIX}CONFIG_FILE`;

/** JSON-valued settings arrive as text from the environment and as objects from the config file. */
function jsonValue<T extends z.ZodType>(schema: T) {
  return z.preprocess((value: unknown, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not valid JSON', input: value });
      return z.NEVER;
    }
  }, schema);
}

const intSetting = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

const identitySchema = z.object({
  certPath: z.string().min(1),
  keyPath: z.string().min(1),
  /** Defaults to GATEWAY_MSP_ID. */
  mspId: z.string().min(1).optional(),
});

const apiKeySchema = z.object({
  id: z.string().min(1).max(64),
  sha256: Sha256HexSchema,
  role: RoleSchema,
});

/** The one schema of every setting; each key `fooBar` is read from `GATEWAY_FOO_BAR`. */
export const configSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    host: z.string().default('0.0.0.0'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    peerEndpoint: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port'),
    peerHostAlias: z.string().min(1).optional(),
    tlsCaCert: z.string().min(1),
    mspId: z.string().min(1),
    identities: jsonValue(z.partialRecord(RoleSchema, identitySchema)),
    apiKeys: jsonValue(z.array(apiKeySchema).min(1)),
    voterTokenSecret: z.string().min(32, 'must be at least 32 characters'),
    channel: z.string().min(1).default('polls'),
    chaincode: z.string().min(1).default('polls'),
    signer: z.enum(['node-crypto', 'fabric-default'] as const satisfies readonly SignerKind[]).default('node-crypto'),
    evaluateTimeoutMs: intSetting(1, 5_000),
    endorseTimeoutMs: intSetting(1, 15_000),
    submitTimeoutMs: intSetting(1, 5_000),
    commitStatusTimeoutMs: intSetting(1, 10_000),
    statusQueryWaitMs: intSetting(1, 1_000),
    mvccRetries: intSetting(0, 3),
    resubmitRetries: intSetting(0, 2),
    rateLimitWindowMs: intSetting(1, 60_000),
    // 12,000 a minute: one ballot-relay key carrying every citizen's ballots at 200/s, about 12× Moscow's peak of 17/s.
    rateLimitMax: intSetting(1, 12_000),
    bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/, 'must look like 64kb').default('64kb'),
    idempotencyMaxEntries: intSetting(1, 100_000),
    idempotencyTtlMs: intSetting(1, 24 * 60 * 60 * 1000),
    idempotencyLeaseMs: intSetting(1, 30_000),
    /** PostgreSQL for the state replicas share (postgres://…); without it that state is kept in memory. */
    databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
    databasePoolMax: intSetting(1, 10),
    pendingSweepMs: intSetting(100, 1_000),
    pendingMaxResubmits: intSetting(0, 4),
    pendingRetryBaseMs: intSetting(100, 2_000),
    /**
     * Ballots per transaction: concurrent ballots of one poll are gathered into CastBallots transactions of at most
     * this many. 1: every ballot is its own CastBallot transaction, as before CastBallots existed.
     */
    ballotBatchMax: z.coerce.number().int().min(Limits.castBatch.min).max(Limits.castBatch.max).default(Limits.castBatch.max),
    /** Bytes of the ballots' JSON per CastBallots transaction (a larger single ballot goes alone). */
    ballotBatchMaxBytes: intSetting(1024, 512 * 1024),
    /** CastBallots transactions of one poll in flight; while this many are, ballots are gathered instead of sent. */
    ballotBatchInFlight: intSetting(1, 16),
    /**
     * The least time between two CastBallots transactions of one poll (50: at most 20 a second). Ballots arriving
     * faster gather, so Fabric's per-transaction cost is bounded whatever the load; a ballot arriving after a quiet
     * spell goes at once.
     */
    ballotBatchIntervalMs: z.coerce.number().int().min(0).max(1_000).default(50),
    /** How long a ballot that could be sent at once waits for more; 0: only those arriving in the same event-loop turn. */
    ballotBatchWaitMs: z.coerce.number().int().min(0).max(1_000).default(0),
    /**
     * Where a live poll's running results come from: `running-count`, kept from the chain's events by this process
     * (a request costs the same whatever the number of ballots), or `recount`, the chaincode reading every ballot.
     */
    liveResults: z.enum(['running-count', 'recount']).default('running-count'),
    /** The least time between two snapshots of a changing poll's running count (also spaced by 20× their cost). */
    liveResultsSnapshotMs: intSetting(0, 1_000),
    // The largest step by default: each step waits for its block, so fewer steps tally faster (docs/performance.md).
    tallyBatchSize: z.coerce.number().int().min(Limits.tallyBatch.min).max(Limits.tallyBatch.max).default(Limits.tallyBatch.max),
    tallyMaxBatches: intSetting(1, 20),
    sseHeartbeatMs: intSetting(100, 15_000),
    /** Open GET /v1/events streams per API key (per gateway process). */
    sseMaxStreamsPerKey: intSetting(1, 4),
    /** How far behind the chain a role that may not replay can resume with Last-Event-ID. */
    sseResumeMaxBlocks: intSetting(0, 1000),
    /** The operations listener (/healthz, /readyz, /metrics), kept off the public one. */
    opsPort: z.coerce.number().int().min(0).max(65535).default(8081),
    opsHost: z.string().default('127.0.0.1'),
    /** /readyz asks the peer at most once per this many ms; callers in between share the answer. */
    readyCacheMs: intSetting(0, 2_000),
    shutdownTimeoutMs: intSetting(0, 10_000),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.apiKeys.forEach((key, index) => {
      if (!config.identities[key.role]) {
        ctx.addIssue({ code: 'custom', path: ['apiKeys', index, 'role'], message: `role ${key.role} has no identity in GATEWAY_IDENTITIES` });
      }
      for (const unique of [`id:${key.id}`, `sha256:${key.sha256}`]) {
        if (seen.has(unique)) ctx.addIssue({ code: 'custom', path: ['apiKeys', index], message: `duplicate ${unique.split(':')[0] ?? ''}` });
        seen.add(unique);
      }
    });
  });

export type Config = z.output<typeof configSchema>;
export type ConfigKey = keyof z.input<typeof configSchema>;

/** `peerEndpoint` → `GATEWAY_PEER_ENDPOINT`. */
export function envName(key: string): string {
  return PREFIX + key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
}

const KEYS = Object.keys(configSchema.shape) as ConfigKey[];

/** Thrown when settings are missing or invalid; `problems` names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid gateway configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type ReadFile = (path: string) => string;

function readConfigFile(path: string, readFile: ReadFile): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(path));
  } catch (err) {
    throw new ConfigError([`${FILE_VAR}: cannot read ${path} as JSON (${(err as Error).message})`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`${FILE_VAR}: ${path} must hold a JSON object`]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads settings from `GATEWAY_CONFIG_FILE` (a JSON object of GATEWAY_* keys) and then the
 * environment, which wins. Unknown GATEWAY_* names are errors, so a typo cannot silently fall back
 * to a default.
 */
export function loadConfig(env: NodeJS.ProcessEnv, readFile: ReadFile = (p) => readFileSync(p, 'utf8')): Config {
  const filePath = env[FILE_VAR];
  const fromFile = filePath ? readConfigFile(filePath, readFile) : {};
  const fromEnv = Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith(PREFIX) && name !== FILE_VAR));
  const merged: Record<string, unknown> = { ...fromFile, ...fromEnv };

  const known = new Set(KEYS.map(envName));
  const problems = Object.keys(merged)
    .filter((name) => !known.has(name))
    .map((name) => `${name}: unknown setting`);
  const input = Object.fromEntries(KEYS.map((key) => [key, merged[envName(key)]]));
  const parsed = configSchema.safeParse(input, { error: (issue) => (issue.input === undefined ? 'is required' : undefined) });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [key, ...rest] = issue.path.map(String);
      const where = key ? envName(key) + rest.map((part) => `[${part}]`).join('') : 'config';
      problems.push(`${where}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}
