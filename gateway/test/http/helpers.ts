import { Writable } from 'node:stream';
import type { Express } from 'express';
import request from 'supertest';
import type { Test } from 'supertest';
import { createApp, type AppConfig } from '../../src/http/app';
import { ROUTES, type RouteId } from '../../src/http/routes';
import { createLogger } from '../../src/logger';
import type { Role } from '../../src/roles';
import { fakeLedger, type FakeLedger } from '../fakes';
import { BALLOT_ID, KEYS, POLL_IN, TX_ID, appConfig } from '../fixtures';

export interface TestApp {
  readonly app: Express;
  readonly ledger: FakeLedger;
  /** Every log line the app wrote, as text. */
  readonly logs: string[];
  readonly call: (id: RouteId, role?: Role | null) => Test;
}

export interface ErrorBody {
  code: string;
  message: string;
  details?: { issues?: { in: string; path: string; code: string; message: string }[] } & Record<string, unknown>;
}

/** The `error` object of an error response (supertest types bodies as any). */
export function errorOf(res: { body: unknown }): ErrorBody {
  return (res.body as { error: ErrorBody }).error;
}

/** The validation issues of a 400 response. */
export function issuesOf(res: { body: unknown }): NonNullable<NonNullable<ErrorBody['details']>['issues']> {
  return errorOf(res).details?.issues ?? [];
}

/** A valid request for each route, used to drive one route generically. */
export const SAMPLES: Readonly<Record<RouteId, { path: string; body?: object; headers?: Record<string, string> }>> = {
  createPoll: { path: '/v1/polls', body: POLL_IN },
  listPolls: { path: '/v1/polls?status=open&pageSize=10' },
  getPoll: { path: '/v1/polls/p1' },
  openPoll: { path: '/v1/polls/p1/open' },
  closePoll: { path: '/v1/polls/p1/close' },
  cancelPoll: { path: '/v1/polls/p1/cancel' },
  tallyPoll: { path: '/v1/polls/p1/tally', body: { maxBallots: 50 } },
  getResults: { path: '/v1/polls/p1/results' },
  castBallot: { path: '/v1/polls/p1/ballots', body: { citizenId: 'citizen-0042', answers: { q1: ['red'] } }, headers: { 'Idempotency-Key': 'key-1' } },
  getBallot: { path: `/v1/polls/p1/ballots/${BALLOT_ID}` },
  getTransaction: { path: `/v1/transactions/${TX_ID}` },
  streamEvents: { path: '/v1/events' },
  healthz: { path: '/healthz' },
  openapi: { path: '/openapi.json' },
  docs: { path: '/docs' },
};

/** The first role a route allows, or undefined for public routes. */
export function allowedRole(id: RouteId): Role | undefined {
  const access = ROUTES[id].access;
  return access === 'public' ? undefined : access[0];
}

export function setup(overrides: Partial<AppConfig> = {}): TestApp {
  const ledger = fakeLedger();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const app = createApp({ config: appConfig(overrides), ledger, logger: createLogger('debug', sink) });
  const call = (id: RouteId, role: Role | null = allowedRole(id) ?? null) => {
    const sample = SAMPLES[id];
    let test = request(app)[ROUTES[id].method](sample.path);
    if (role) test = test.set('X-API-Key', KEYS[role]);
    for (const [name, value] of Object.entries(sample.headers ?? {})) test = test.set(name, value);
    return sample.body ? test.send(sample.body) : test;
  };
  return { app, ledger, logs, call };
}
