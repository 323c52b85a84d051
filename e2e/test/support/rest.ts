/** The REST gateway under test: started against the e2e network, called over HTTP. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Role, ROLES } from '@poll-ledger/protocol';
import { z } from 'zod';
import { runDir, runScript } from './network';

/** The listeners gateway.sh wrote into gateway.json (the gateway's own config); the rest of it is not the tests'. */
const ListenersSchema = z.object({
  GATEWAY_HOST: z.string().min(1),
  GATEWAY_PORT: z.coerce.number().int().min(1).max(65535),
  GATEWAY_OPS_HOST: z.string().min(1),
  GATEWAY_OPS_PORT: z.coerce.number().int().min(1).max(65535),
});

/** A listener's address as a URL's host: a wildcard bind is reached on loopback. */
function reachable(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/**
 * Where the gateway listens, as gateway.sh started it: from <run dir>/gateway.json, written on every `gateway.sh start`
 * from the network definition (this machine's 127.0.0.1 in the single layout, the city's address in the netns layout).
 * Read on every call: the file exists only once the gateway has been started.
 */
function listeners(): z.infer<typeof ListenersSchema> {
  const file = path.join(runDir, 'gateway.json');
  const parsed = ListenersSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')) as unknown);
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.message}`);
  return parsed.data;
}

/** The gateway's public URL, http://host:port. */
export function gatewayUrl(): string {
  const l = listeners();
  return `http://${reachable(l.GATEWAY_HOST)}:${String(l.GATEWAY_PORT)}`;
}

/** The gateway's operations listener: /healthz, /readyz, /metrics (network.config.sh POLL_LEDGER_GATEWAY_OPS_PORT). */
export function gatewayOpsUrl(): string {
  const l = listeners();
  return `http://${reachable(l.GATEWAY_OPS_HOST)}:${String(l.GATEWAY_OPS_PORT)}`;
}

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
  const res = await fetch(gatewayUrl() + url, { method, headers, body });
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
    const res = await fetch(`${gatewayUrl()}/v1/events${query}`, { headers, signal: controller.signal });
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
