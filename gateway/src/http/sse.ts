import { once } from 'node:events';
import type { Response } from 'express';
import type { EventSubscription, NumberedEvent } from '../domain/events';
import { toApiError } from './error-handler';

export interface SseOptions {
  readonly heartbeatMs: number;
  /** Aborted on server shutdown, so open streams end and the server can close. */
  readonly shutdown?: AbortSignal;
}

function frame(event: NumberedEvent): string {
  return `id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Pipes a subscription to the client as Server-Sent Events until either side goes away. */
export async function pipeEvents(res: Response, subscription: EventSubscription, options: SseOptions): Promise<void> {
  const closed = new AbortController();
  const stop = () => {
    closed.abort();
    subscription.close();
  };
  // res (not req) 'close' is the client going away; req 'close' fires once the request is read.
  res.on('close', stop);
  options.shutdown?.addEventListener('abort', stop);

  // Waits for the socket to drain, so a slow client cannot make the gateway buffer without bound.
  const send = async (chunk: string) => {
    if (!res.write(chunk)) await once(res, 'drain', { signal: closed.signal }).catch(() => undefined);
  };

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 3000\n: connected\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);
  try {
    for await (const event of subscription.events) {
      if (closed.signal.aborted) break;
      await send(frame(event));
    }
  } catch (err) {
    if (!closed.signal.aborted) {
      const error = toApiError(err);
      res.write(`event: error\ndata: ${JSON.stringify({ error: { code: error.code, message: error.message } })}\n\n`);
    }
  } finally {
    clearInterval(heartbeat);
    res.off('close', stop);
    options.shutdown?.removeEventListener('abort', stop);
    subscription.close();
    res.end();
  }
}
