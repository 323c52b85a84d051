import { z } from 'zod';
import {
  BallotIdSchema,
  BallotInSchema,
  BallotSchema,
  LedgerEventSchema,
  ListPollsQuerySchema,
  PollIdSchema,
  PollInSchema,
  PollListSchema,
  PollSchema,
  ReceiptSchema,
  ResultsSchema,
  TallyInSchema,
  TallyProgressSchema,
  TransactionStatusSchema,
  TxIdSchema,
} from '../domain/schemas';
import type { ErrorCode } from '../errors';
import { ROLES, Roles, type Role } from '../roles';

/** Who may call a route: anyone, or API keys holding one of the roles. */
export type Access = 'public' | readonly Role[];

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One route, declared once: Express mounts it, requests are validated and OpenAPI documents it. */
export interface RouteSpec {
  readonly method: 'get' | 'post';
  /** Express syntax (`/v1/polls/:id`); OpenAPI gets `{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodObject;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Errors specific to this route; auth, validation and availability errors are added automatically. */
  readonly errors?: readonly ErrorCode[];
}

const ANY_ROLE: readonly Role[] = ROLES;
const POLL_ADMIN: readonly Role[] = [Roles.pollAdmin];
const BALLOT_RELAY: readonly Role[] = [Roles.ballotRelay];

export const ErrorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) })
  .meta({ id: 'Error' });

export const CommitPendingSchema = z
  .object({ txId: z.string(), statusUrl: z.string().meta({ example: '/v1/transactions/{txId}' }) })
  .meta({ id: 'CommitPending' });

// Every route that returns (or acts on) a chaincode answer checks it against the protocol.
const BAD_ANSWER = 'LEDGER_BAD_RESPONSE';

const PENDING = { 202: { description: 'Sent to the orderer; commit status not known yet. Poll statusUrl.', schema: CommitPendingSchema } };
const pollParams = z.object({ id: PollIdSchema });
const json = (description: string, schema: z.ZodType): ResponseSpec => ({ description, schema });

function transition(action: 'open' | 'close' | 'cancel') {
  return {
    method: 'post',
    path: `/v1/polls/:id/${action}`,
    summary: `${action[0]?.toUpperCase() ?? ''}${action.slice(1)} a poll`,
    tag: 'polls',
    access: POLL_ADMIN,
    params: pollParams,
    responses: { 200: json('The poll after the transition', PollSchema), ...PENDING },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'INVALID_STATE', 'LEDGER_CONFLICT', BAD_ANSWER],
  } as const satisfies RouteSpec;
}

/** Every route the app serves. */
export const ROUTES = {
  createPoll: {
    method: 'post',
    path: '/v1/polls',
    summary: 'Create a poll (status draft)',
    tag: 'polls',
    access: POLL_ADMIN,
    body: PollInSchema,
    responses: { 201: json('The created poll, with id and status', PollSchema), ...PENDING },
    errors: ['FORBIDDEN', 'ALREADY_EXISTS', BAD_ANSWER],
  },
  listPolls: {
    method: 'get',
    path: '/v1/polls',
    summary: 'List polls, optionally by status, one page at a time',
    tag: 'polls',
    access: ANY_ROLE,
    query: ListPollsQuerySchema,
    responses: { 200: json('A page of polls; pass bookmark for the next one', PollListSchema) },
    errors: [BAD_ANSWER],
  },
  getPoll: {
    method: 'get',
    path: '/v1/polls/:id',
    summary: 'Get a poll',
    tag: 'polls',
    access: ANY_ROLE,
    params: pollParams,
    responses: { 200: json('The poll', PollSchema) },
    errors: ['NOT_FOUND', BAD_ANSWER],
  },
  openPoll: transition('open'),
  closePoll: transition('close'),
  cancelPoll: transition('cancel'),
  tallyPoll: {
    method: 'post',
    path: '/v1/polls/:id/tally',
    summary: 'Run TallyPoll batches until the tally is done or the per-request bound is reached',
    tag: 'polls',
    access: POLL_ADMIN,
    params: pollParams,
    body: TallyInSchema,
    responses: { 200: json('Progress; results are included once done. Call again while done is false.', TallyProgressSchema), ...PENDING },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'INVALID_STATE', 'LEDGER_CONFLICT', BAD_ANSWER],
  },
  getResults: {
    method: 'get',
    path: '/v1/polls/:id/results',
    summary: 'Results: final once tallied, a live count for live polls',
    tag: 'polls',
    access: ANY_ROLE,
    params: pollParams,
    responses: { 200: json('The results', ResultsSchema) },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'INVALID_STATE', BAD_ANSWER],
  },
  castBallot: {
    method: 'post',
    path: '/v1/polls/:id/ballots',
    summary: "Cast a ballot on a citizen's behalf",
    tag: 'ballots',
    access: BALLOT_RELAY,
    params: pollParams,
    headers: z.object({ 'idempotency-key': z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 printable ASCII chars') }),
    body: BallotInSchema,
    responses: {
      201: json('The receipt of a new ballot', ReceiptSchema),
      200: { description: 'The same receipt again: this Idempotency-Key was seen before', schema: ReceiptSchema, headers: { 'Idempotent-Replayed': 'true' } },
      ...PENDING,
    },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'POLL_NOT_OPEN', 'ALREADY_VOTED', 'SUPERSEDED', 'INVALID_ANSWER', 'IDEMPOTENCY_KEY_REUSED', 'LEDGER_CONFLICT', BAD_ANSWER],
  },
  getBallot: {
    method: 'get',
    path: '/v1/polls/:id/ballots/:ballotId',
    summary: 'The ballot as recorded, for receipt checks',
    tag: 'ballots',
    access: ANY_ROLE,
    params: z.object({ id: PollIdSchema, ballotId: BallotIdSchema }),
    responses: { 200: json('The ballot', BallotSchema) },
    errors: ['NOT_FOUND', BAD_ANSWER],
  },
  getTransaction: {
    method: 'get',
    path: '/v1/transactions/:txId',
    summary: 'Validation status and block of a transaction',
    tag: 'transactions',
    access: ANY_ROLE,
    params: z.object({ txId: TxIdSchema }),
    responses: { 200: json('The status; PENDING while not committed', TransactionStatusSchema) },
  },
  streamEvents: {
    method: 'get',
    path: '/v1/events',
    summary: 'Server-Sent Events of chaincode events, resumable with Last-Event-ID',
    tag: 'events',
    access: ANY_ROLE,
    query: z.object({ startBlock: z.coerce.number().int().min(0).optional().meta({ description: 'Replay from this block' }) }),
    headers: z.object({ 'last-event-id': z.string().regex(/^\d{1,19}:\d{1,9}$/, 'must be <block>:<index>').optional() }),
    responses: { 200: { description: 'Event stream; each data line is a LedgerEvent, each id is <block>:<index>', schema: LedgerEventSchema, contentType: 'text/event-stream' } },
  },
  healthz: {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    tag: 'operations',
    access: 'public',
    responses: { 200: json('The process is up', z.object({ status: z.literal('ok') })) },
  },
  readyz: {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: a cheap query against the peer',
    tag: 'operations',
    access: 'public',
    responses: { 200: json('The peer answers', z.object({ status: z.literal('ready'), blockHeight: z.number().int() })) },
    errors: ['LEDGER_UNAVAILABLE'],
  },
  metrics: {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    access: 'public',
    responses: { 200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' } },
  },
  openapi: {
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI document',
    tag: 'operations',
    access: 'public',
    responses: { 200: json('OpenAPI 3 document', z.record(z.string(), z.unknown())) },
  },
  docs: {
    method: 'get',
    path: '/docs',
    summary: 'Readable API documentation',
    tag: 'operations',
    access: 'public',
    responses: { 200: { description: 'HTML page', schema: z.string(), contentType: 'text/html' } },
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof ROUTES;
