import { once } from 'node:events';
import type { Response } from 'express';
import type { EventSubscription } from '../domain/events';
import type { StreamLeases } from '../domain/state';
import { RetryLaterError, toApiError } from './error-handler';
import type { SseEvent } from './routes';

export interface SseOptions {
  readonly heartbeatMs: number;
  /** Aborted on server shutdown, so open streams end and the server can close. */
  readonly shutdown?: AbortSignal;
}

/** How long a caller refused a stream slot is told to wait: streams end when their clients leave, at no set time. */
export const STREAM_RETRY_AFTER_SECONDS = 10;

/** One frame of the documented SseEvent: `id:`, `event:` and one `data:` line of JSON. */
export function encodeSseEvent(event: SseEvent): string {
  const lines = 'id' in event ? [`id: ${event.id}`] : [`event: ${event.event}`];
  lines.push(`data: ${JSON.stringify(event.data)}`);
  return `${lines.join('\n')}\n\n`;
}

/**
 * A slot's lease in the shared state, renewed while its stream lasts: the slots of a replica that died without
 * releasing them free themselves within this time.
 */
export const STREAM_LEASE_MS = 30_000;

/**
 * The open event streams of each API key, at most `maxPerKey` each across every replica on the shared state: every
 * stream holds a peer stream and a socket, so one key cannot take them all.
 */
export class StreamSlots {
  readonly #leases: StreamLeases;

  constructor(
    leases: StreamLeases,
    readonly maxPerKey: number,
  ) {
    this.#leases = leases;
  }

  /** Takes one of `key`'s slots, or throws 429 RATE_LIMITED; the returned release frees it, once. */
  async take(key: string): Promise<() => void> {
    const id = await this.#leases.take(key, this.maxPerKey, STREAM_LEASE_MS);
    if (id === undefined) {
      throw new RetryLaterError(`this API key already has ${this.maxPerKey} open event streams`, STREAM_RETRY_AFTER_SECONDS, { maxStreams: this.maxPerKey });
    }
    const renewal = setInterval(() => {
      this.#leases.renew(id, STREAM_LEASE_MS).catch(() => undefined);
    }, STREAM_LEASE_MS / 3);
    renewal.unref();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      clearInterval(renewal);
      // Not releasing only delays the slot's return to its lease's end.
      this.#leases.release(id).catch(() => undefined);
    };
  }
}

/** Calls `listener` once when any of the signals aborts (at once if one has); returns its removal. */
function onAnyAbort(signals: readonly (AbortSignal | undefined)[], listener: () => void): () => void {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.some((signal) => signal.aborted)) {
    listener();
    return () => undefined;
  }
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    listener();
  };
  for (const signal of present) signal.addEventListener('abort', fire, { once: true });
  return () => {
    for (const signal of present) signal.removeEventListener('abort', fire);
  };
}

/**
 * Pipes a subscription to the client as Server-Sent Events until either side goes away. `closed` is the
 * response's (aborted when the client leaves, however early); the subscription is closed exactly once.
 */
export async function pipeEvents(res: Response, subscription: EventSubscription, closed: AbortSignal, options: SseOptions): Promise<void> {
  const stopped = new AbortController();
  const isStopped = () => stopped.signal.aborted;
  let open = true;
  const stop = () => {
    stopped.abort();
    if (!open) return;
    open = false;
    subscription.close();
  };
  const unlisten = onAnyAbort([closed, options.shutdown], stop);
  if (closed.aborted) return;

  // Waits for the socket to drain, so a slow client cannot make the gateway buffer without bound.
  const send = async (chunk: string) => {
    if (!res.write(chunk)) await once(res, 'drain', { signal: stopped.signal }).catch(() => undefined);
  };

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 3000\n: connected\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);
  // Stopped at once when either side goes: the loop below may wait on the ledger stream a while longer.
  stopped.signal.addEventListener('abort', () => { clearInterval(heartbeat); }, { once: true });
  try {
    if (!isStopped()) {
      for await (const event of subscription.events) {
        if (isStopped()) break;
        await send(encodeSseEvent({ id: event.id, data: event }));
      }
    }
  } catch (err) {
    if (!isStopped()) {
      const error = toApiError(err);
      res.write(encodeSseEvent({ event: 'error', data: { error: { code: error.code, message: error.message } } }));
    }
  } finally {
    clearInterval(heartbeat);
    unlisten();
    stop();
    res.end();
  }
}

/**
 * Opens a subscription and pipes it, unless the client is gone by then: one that leaves while `open` awaits the
 * peer has its subscription closed as soon as it exists, and never gets a heartbeat.
 */
export async function serveEvents(res: Response, closed: AbortSignal, open: () => Promise<EventSubscription>, options: SseOptions): Promise<void> {
  if (closed.aborted) return;
  const subscription = await open();
  await pipeEvents(res, subscription, closed, options);
}
