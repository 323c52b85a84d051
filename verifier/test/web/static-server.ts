/**
 * A small server for the real-browser test: dist/web/ as the service serves it, under the service's strict CSP,
 * and canned answers for the JSON API routes the pages call.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/** The service's policy (src/service/app.ts): nothing inline, nothing from elsewhere. */
export const CSP = "default-src 'self'; base-uri 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; img-src 'self'; object-src 'none'; script-src 'self'; style-src 'self'; worker-src 'self'";

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startServer(webDir: string, api: ReadonlyMap<string, Answer>, files: ReadonlyMap<string, string>): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const answer = api.get(url.pathname + url.search) ?? api.get(url.pathname);
    if (answer !== undefined) {
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      return;
    }
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const extra = files.get(name);
    const file = path.join(webDir, path.normalize(name));
    if (extra === undefined && (!file.startsWith(webDir) || !fs.existsSync(file))) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no ${url.pathname}` } }));
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream', 'content-security-policy': CSP });
    res.end(extra ?? fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => { resolve(); })),
  };
}
