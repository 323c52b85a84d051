import * as path from 'node:path';
import { z } from 'zod';

/**
 * The one schema of the service's settings, read from `VERIFIER_*` environment variables (`rateLimitMax` ←
 * `VERIFIER_RATE_LIMIT_MAX`) and validated at start-up: a bad or unknown variable stops the service with a message
 * naming it, so a typo never silently falls back to a default.
 */

const PREFIX = 'VERIFIER_';
const intSetting = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/** Where the citizen page is built (verifier/dist/web), next to this file's dist/service. */
export const DEFAULT_WEB_DIR = path.resolve(__dirname, '..', 'web');

export const configSchema = z.object({
  /** network.json (protocol/src/network.ts): the observer's peer, TLS CA and identities. */
  networkJson: z.string().min(1),
  /** The organisation whose own peer and `auditor` identity the service uses. */
  org: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be an org key of network.json').default('observer'),
  port: z.coerce.number().int().min(0).max(65535).default(8090),
  host: z.string().min(1).default('0.0.0.0'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  rateLimitWindowMs: intSetting(1, 60_000),
  rateLimitMax: intSetting(1, 300),
  /**
   * Proxies in front of the service whose X-Forwarded-For is believed (Express's `trust proxy` hop count). 0: the
   * peer address is the client, so a forged header cannot dodge the rate limit.
   */
  trustProxyHops: intSetting(0, 0),
  /** The most blocks one `GET /v1/headers` answers with. */
  headersPageMax: intSetting(1, 500),
  /** Deadline of each request to the peer. */
  peerTimeoutMs: intSetting(1, 10_000),
  /** Poll statuses are re-read on every poll transaction the index sees, and at least this often. */
  pollRefreshMs: intSetting(1_000, 30_000),
  /** The built citizen page; served at `/` when the directory exists. */
  webDir: z.string().min(1).default(DEFAULT_WEB_DIR),
  shutdownTimeoutMs: intSetting(0, 5_000),
});

export type Config = z.output<typeof configSchema>;
type ConfigKey = keyof z.input<typeof configSchema>;
const KEYS = Object.keys(configSchema.shape) as ConfigKey[];

/** `rateLimitMax` → `VERIFIER_RATE_LIMIT_MAX`. */
export function envName(key: string): string {
  return PREFIX + key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
}

/** Thrown when settings are missing or invalid; `problems` names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid verification service configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const known = new Set(KEYS.map(envName));
  const problems = Object.keys(env)
    .filter((name) => name.startsWith(PREFIX) && !known.has(name))
    .map((name) => `${name}: unknown setting`);
  const input = Object.fromEntries(KEYS.map((key) => [key, env[envName(key)]]));
  const parsed = configSchema.safeParse(input, { error: (issue) => (issue.input === undefined ? 'is required' : undefined) });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [key] = issue.path.map(String);
      problems.push(`${key === undefined ? 'config' : envName(key)}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return parsed.data;
}
