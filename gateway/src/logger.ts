import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

export type { Logger } from 'pino';

/** Secrets and the citizen id are censored wherever they would appear in a log line. */
export const REDACT_PATHS = [
  'citizenId',
  '*.citizenId',
  '*.*.citizenId',
  'body.citizenId',
  'req.body.citizenId',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  // A caller might build idempotency keys from citizen data; only its keyed hash (requestId) is needed.
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'authorization',
  'apiKey',
  'voterTokenSecret',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'poll-ledger-gateway' } }, destination);
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Request logging with an id per request: the caller's X-Request-Id when well-formed, else a new UUID. */
export function requestLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Response headers are the same on every line (helmet); the status is what matters.
    serializers: { res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }) },
    customLogLevel: (_req, res, err) => (err !== undefined || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
}
