/** The REST gateway under test: started against the e2e network, called over HTTP. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Role, ROLES } from '@poll-ledger/protocol';
import { portOffset, runDir, runScript } from './network';

export const gatewayUrl = `http://127.0.0.1:${String(8080 + Number(portOffset))}`;
/** The gateway's operations listener: /healthz, /readyz, /metrics (network.config.sh POLL_LEDGER_GATEWAY_OPS_PORT). */
export const gatewayOpsUrl = `http://127.0.0.1:${String(8081 + Number(portOffset))}`;

/** gateway.sh start | stop against the e2e network (quietly: its output is in the error when it fails). */
export async function gatewayScript(verb: 'start' | 'stop'): Promise<void> {
  await runScript('gateway.sh', [verb], { echo: false });
}

/** The plaintext API keys gateway.sh made, one per protocol role. */
export function apiKeys(): Record<Role, string> {
  const file = path.join(runDir, 'api-keys.json');
  const keys = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Record<Role, unknown>>;
  const entries = ROLES.map((role) => {
    const key = keys[role];
    if (typeof key !== 'string' || key === '') throw new Error(`${file} has no API key for ${role}`);
    return [role, key] as const;
  });
  return Object.fromEntries(entries) as Record<Role, string>;
}

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = unknown>(method: string, url: string, opts: { key?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key !== undefined) headers['x-api-key'] = opts.key;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(gatewayUrl + url, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (e.g. an HTML page): keep the text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export interface SseEvent {
  id: string;
  event: string;
  data: unknown;
}

/**
 * Reads the SSE stream at /v1/events (from a block, or resuming after an event id)
 * until COUNT events matching KEEP arrived or the time is up, then disconnects.
 */
export async function readEvents(key: string, count: number, keep: (e: SseEvent) => boolean, from: { lastEventId?: string; startBlock?: number }, timeoutMs = 60_000): Promise<SseEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => { controller.abort(); }, timeoutMs);
  const headers: Record<string, string> = { 'x-api-key': key, accept: 'text/event-stream' };
  if (from.lastEventId !== undefined) headers['last-event-id'] = from.lastEventId;
  const query = from.startBlock === undefined ? '' : `?startBlock=${String(from.startBlock)}`;
  const events: SseEvent[] = [];
  try {
    const res = await fetch(`${gatewayUrl}/v1/events${query}`, { headers, signal: controller.signal });
    if (res.status !== 200 || !res.body) throw new Error(`GET /v1/events answered ${String(res.status)}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e: SseEvent = { id: '', event: 'message', data: undefined };
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) e.id = line.slice(3).trim();
          else if (line.startsWith('event:')) e.event = line.slice(6).trim();
          else if (line.startsWith('data:')) e.data = JSON.parse(line.slice(5).trim()) as unknown;
        }
        if (e.data !== undefined && keep(e)) events.push(e);
        if (events.length >= count) return events;
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}
