/**
 * A client that behaves as the city's platform does with the REST gateway: a steady stream of ballots from distinct
 * citizens, each one request with its own Idempotency-Key, retried with that same key (and backoff) on a 202, a
 * 5xx, a 429, a timeout or a dropped connection, until a 201 (or a 200 replay) or a 4xx. What each citizen got is
 * kept, so a fault test can hold the ledger to it afterwards (fault-check.ts).
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Answers } from '@poll-ledger/protocol';
import { answersFor, type Receipt } from './polls';

export interface CitizenOutcome {
  readonly citizenId: string;
  readonly answers: Answers;
  readonly idempotencyKey: string;
  readonly startedAt: number;
  /** Requests sent for this citizen (1 = no retry). */
  attempts: number;
  /** Answers before the last, by kind: "202", "503 LEDGER_UNAVAILABLE", "timeout", "connection" … */
  readonly retriedOn: string[];
  /** The receipt of a 201 or 200 replay. */
  receipt?: Receipt;
  /** A final 4xx: its status and code. */
  refusal?: string;
  settledAt?: number;
}

export interface PlatformClientOptions {
  /** The gateway, or the one address in front of its replicas. */
  readonly baseUrl: () => string;
  readonly relayKey: string;
  readonly pollId: string;
  /** Citizens started per second. */
  readonly rate: number;
  /** Citizen ids are `${label}-${i}`. */
  readonly label: string;
  /** One request's deadline. */
  readonly requestTimeoutMs?: number;
  /** A citizen still unsettled after this long is left unsettled (and reported). */
  readonly giveUpAfterMs?: number;
}

export interface PlatformLoad {
  readonly outcomes: readonly CitizenOutcome[];
  /** Stops starting new citizens; resolves once every started one has settled or given up. */
  finish(): Promise<void>;
  /** Stops everything at once (a scenario that failed): no new citizen, no retry, no request left open. */
  abort(): Promise<void>;
}

const BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 4_000;

function retryAfterMs(res: Response): number | undefined {
  const value = Number(res.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? value * 1000 : undefined;
}

async function castUntilSettled(outcome: CitizenOutcome, options: PlatformClientOptions, aborted: AbortSignal): Promise<void> {
  const giveUpAt = outcome.startedAt + (options.giveUpAfterMs ?? 180_000);
  for (let backoff = BACKOFF_MS; Date.now() < giveUpAt && !aborted.aborted; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
    outcome.attempts++;
    let wait = backoff;
    try {
      const res = await fetch(`${options.baseUrl()}/v1/polls/${options.pollId}/ballots`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': options.relayKey, 'idempotency-key': outcome.idempotencyKey },
        body: JSON.stringify({ citizenId: outcome.citizenId, answers: outcome.answers }),
        signal: AbortSignal.any([aborted, AbortSignal.timeout(options.requestTimeoutMs ?? 30_000)]),
      });
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown> & { error?: { code?: string } };
      if (res.status === 201 || res.status === 200) {
        outcome.receipt = body as unknown as Receipt;
        outcome.settledAt = Date.now();
        return;
      }
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        outcome.refusal = `${String(res.status)} ${body.error?.code ?? ''}`;
        outcome.settledAt = Date.now();
        return;
      }
      outcome.retriedOn.push(res.status === 202 ? '202' : `${String(res.status)} ${body.error?.code ?? ''}`);
      wait = retryAfterMs(res) ?? backoff;
    } catch (err) {
      outcome.retriedOn.push(err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'connection');
    }
    await sleep(Math.min(wait, Math.max(0, giveUpAt - Date.now())), undefined, { signal: aborted }).catch(() => undefined);
  }
}

/** Starts the load: citizen i starts at i / rate seconds, each retried on its own until it settles. */
export function startPlatformLoad(options: PlatformClientOptions): PlatformLoad {
  const outcomes: CitizenOutcome[] = [];
  const running: Promise<void>[] = [];
  const control = { stopped: false };
  const abort = new AbortController();
  // Every citizen in flight listens to it: thousands in a soak.
  setMaxListeners(0, abort.signal);
  const started = Date.now();
  const starter = (async () => {
    for (let i = 0; !control.stopped; i++) {
      const due = started + (i * 1000) / options.rate;
      if (due > Date.now()) await sleep(due - Date.now(), undefined, { signal: abort.signal }).catch(() => undefined);
      if (abort.signal.aborted) break;
      const outcome: CitizenOutcome = {
        citizenId: `${options.label}-${String(i)}`,
        answers: answersFor(i),
        idempotencyKey: randomUUID(),
        startedAt: Date.now(),
        attempts: 0,
        retriedOn: [],
      };
      outcomes.push(outcome);
      running.push(castUntilSettled(outcome, options, abort.signal));
    }
  })();
  return {
    outcomes,
    finish: async () => {
      control.stopped = true;
      await starter;
      await Promise.all(running);
    },
    abort: async () => {
      control.stopped = true;
      abort.abort();
      await starter;
      await Promise.all(running);
    },
  };
}
