/**
 * The benchmark's REST client: node:http with one keep-alive agent, the leanest way Node has to send a JSON request
 * and read its answer. The global fetch (undici) cost the load generator about 1.1 ms of CPU a ballot, nearly as
 * much as the gateway's own work, and the load generator shares the two cores with the network it measures (the
 * baseline's client likewise signs with the fastest signer, not fabric-gateway's default).
 */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 2048 });

export interface JsonReply {
  readonly status: number;
  /** The answer parsed as JSON, or its text when it is not JSON. */
  readonly body: unknown;
}

export function postJson(url: string, headers: Readonly<Record<string, string>>, body: unknown): Promise<JsonReply> {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Closes the idle keep-alive sockets, so that the process can end. */
export function closeIdleConnections(): void {
  agent.destroy();
}
