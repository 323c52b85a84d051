import { AnswerSubcodes, BallotPositionSchema, Limits } from '@poll-ledger/protocol';
import { z } from 'zod';
import {
  BallotIdSchema,
  BallotInSchema,
  BallotSchema,
  EventIdSchema,
  LedgerEventSchema,
  ListPollsQuerySchema,
  PollIdSchema,
  PollInSchema,
  PollListSchema,
  PollSchema,
  ReceiptSchema,
  ResultsOrRunningSchema,
  TallyInSchema,
  TallyProgressSchema,
  TransactionStatusSchema,
  TxIdSchema,
} from '../domain/schemas';
import { ERROR_STATUS, type ErrorCode } from '../errors';
import { ROLES, Roles, type Role } from '../roles';

/** Who may call a route: anyone, or API keys holding one of the roles. */
export type Access = 'public' | readonly Role[];

/** An OpenAPI link: how a value of this response fills the parameters of another operation. */
export interface LinkSpec {
  readonly operationId: string;
  /** Parameter name → runtime expression, e.g. `$response.body#/id`. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly description: string;
}

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly links?: Readonly<Record<string, LinkSpec>>;
}

/** One route, declared once: Express mounts it, requests are validated and OpenAPI documents it. */
export interface RouteSpec {
  readonly method: 'get' | 'post';
  /** Express syntax (`/v1/polls/:id`); OpenAPI gets `{id}`. */
  readonly path: string;
  readonly summary: string;
  /** More than the summary says: rules the schemas cannot express. */
  readonly description?: string;
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
/** The roles that may read the chain from any point (`startBlock`, or a Last-Event-ID however far back). */
export const REPLAY_ROLES: readonly Role[] = [Roles.auditor, Roles.pollAdmin];

const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const ErrorBodySchema = z
  .object({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) })
  .meta({ id: 'Error' });

export const CommitPendingSchema = z
  .object({
    txId: TxIdSchema,
    statusUrl: z.string().meta({ example: '/v1/transactions/{txId}' }),
    position: BallotPositionSchema.optional().meta({
      description: 'For a ballot sent in a CastBallots transaction: its index there; statusUrl names it (?position=N) and resolves to that ballot’s receipt',
    }),
  })
  .meta({ id: 'CommitPending' });

/**
 * One Server-Sent Event of GET /v1/events, as the fields of its frame: `id:`, `event:`, and `data:` (one line of
 * JSON, shown here decoded). sse.ts writes exactly these, typed by SseEvent.
 */
export const SseEventSchema = z
  .union([
    z.strictObject({ id: EventIdSchema, data: LedgerEventSchema }).meta({ description: 'A chaincode event (the default `message` event)' }),
    z
      .strictObject({ event: z.literal('error'), data: ErrorBodySchema })
      .meta({ description: 'The stream failed (e.g. LEDGER_UNAVAILABLE) and ends here; reconnect with Last-Event-ID' }),
  ])
  .meta({
    id: 'SseEvent',
    description:
      'One event of the stream. Its `data:` line is this object’s `data` as JSON, its `id:` line is `id`, and its `event:` line ' +
      'is `event` (absent for chaincode events). Comment lines (`: keep-alive`) and the `retry:` hint carry no event.',
  });
export type SseEvent = z.output<typeof SseEventSchema>;

// Every route that returns (or acts on) a chaincode answer checks it against the protocol.
const BAD_ANSWER = 'LEDGER_BAD_RESPONSE';

const statusLink: Readonly<Record<string, LinkSpec>> = {
  getTransaction: { operationId: 'getTransaction', parameters: { txId: '$response.body#/txId' }, description: 'Where the transaction stands' },
};
const PENDING = {
  202: { description: 'Sent to the orderer; commit status not known yet. Poll statusUrl.', schema: CommitPendingSchema, links: statusLink },
};
const pollParams = z.object({ id: PollIdSchema });
const json = (description: string, schema: z.ZodType, links?: Readonly<Record<string, LinkSpec>>): ResponseSpec => ({ description, schema, links });

const pollLink = (operationId: string, description: string): LinkSpec => ({ operationId, parameters: { id: '$response.body#/id' }, description });
const CREATED_POLL_LINKS = {
  getPoll: pollLink('getPoll', 'Read the poll'),
  openPoll: pollLink('openPoll', 'Open it for ballots'),
  closePoll: pollLink('closePoll', 'Close it'),
  cancelPoll: pollLink('cancelPoll', 'Cancel it'),
  tallyPoll: pollLink('tallyPoll', 'Tally it once closed'),
  getResults: pollLink('getResults', 'Its results'),
  castBallot: pollLink('castBallot', 'Cast a ballot on it once open'),
};
const RECEIPT_LINKS = {
  getBallot: {
    operationId: 'getBallot',
    parameters: { id: '$response.body#/pollId', ballotId: '$response.body#/ballotId' },
    description: 'The ballot as recorded: its ballotHash must equal the receipt’s',
  },
  ...statusLink,
};

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

const healthz = {
  method: 'get',
  path: '/healthz',
  summary: 'Liveness',
  tag: 'operations',
  access: 'public',
  responses: { 200: json('The process is up', z.object({ status: z.literal('ok') })) },
} as const satisfies RouteSpec;

/** Every route of the public listener. */
export const ROUTES = {
  createPoll: {
    method: 'post',
    path: '/v1/polls',
    summary: 'Create a poll (status draft)',
    description: 'The poll must satisfy the rules in PollIn and Question (opensAt < closesAt, choice bounds, unique ids); else 400.',
    tag: 'polls',
    access: POLL_ADMIN,
    body: PollInSchema,
    responses: { 201: json('The created poll, with id and status', PollSchema, CREATED_POLL_LINKS), ...PENDING },
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
    summary: 'Results: final once tallied, a running count for live polls',
    description:
      'A tallied poll: its final Results. A live poll before its tally: the RunningResults the gateway keeps from the ' +
      'chain’s ballot events (the same cost whatever the number of ballots), or with recount=true (roles ' +
      `${REPLAY_ROLES.join(' and ')}) the chaincode’s count of every ballot, with its ballotsRoot. An after-close poll ` +
      'before its tally: INVALID_STATE.',
    tag: 'polls',
    access: ANY_ROLE,
    params: pollParams,
    query: z.object({
      recount: z
        .enum(['true', 'false'])
        .optional()
        .transform((flag) => flag === 'true')
        .meta({ description: `Have the chaincode recount every ballot of a live poll (roles ${REPLAY_ROLES.join(', ')} only)`, example: 'true' }),
    }),
    responses: { 200: json('The results: final, or a running count', ResultsOrRunningSchema) },
    errors: ['NOT_FOUND', 'FORBIDDEN', 'INVALID_STATE', BAD_ANSWER],
  },
  castBallot: {
    method: 'post',
    path: '/v1/polls/:id/ballots',
    summary: "Cast a ballot on a citizen's behalf",
    description:
      'The chaincode checks the answers against the poll (400 INVALID_ANSWER, details.reason one of ' +
      `${AnswerSubcodes.join(', ')}): every question of the poll is answered (\`[]\` where minChoices is 0) and no other, ` +
      'each with distinct option ids of that question, between its minChoices and maxChoices of them. ' +
      'Concurrent ballots of one poll may be cast together in one CastBallots transaction: each request still gets its own ' +
      'receipt (with its position in that transaction) or its own error, and a 202 names its ballot in the status URL (?position=N).',
    tag: 'ballots',
    access: BALLOT_RELAY,
    params: pollParams,
    headers: z.object({
      'idempotency-key': z
        .string()
        .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 printable ASCII chars')
        .meta({ description: 'One per ballot the platform means to cast; a retry sends the same key', example: 'b7e2c0de-5a1f-4c39-9d1e-0c6f3a2b9e41' }),
    }),
    body: BallotInSchema,
    responses: {
      201: json('The receipt of a new ballot', ReceiptSchema, RECEIPT_LINKS),
      200: { description: 'The same receipt again: this Idempotency-Key was seen before', schema: ReceiptSchema, headers: { 'Idempotent-Replayed': 'true' }, links: RECEIPT_LINKS },
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
    query: z.object({
      position: z.coerce
        .number()
        .int()
        .min(0)
        .max(Limits.castBatch.max - 1)
        .optional()
        .meta({
          description: 'For a CastBallots transaction the gateway answered 202 for: the ballot at this index (as the 202’s statusUrl names it); its outcome and receipt',
          example: 3,
        }),
    }),
    responses: { 200: json('The status; PENDING while not committed', TransactionStatusSchema) },
    errors: ['NOT_FOUND'],
  },
  streamEvents: {
    method: 'get',
    path: '/v1/events',
    summary: 'Server-Sent Events of chaincode events, resumable with Last-Event-ID',
    description:
      `Only the roles ${REPLAY_ROLES.join(' and ')} may pass startBlock or resume from any Last-Event-ID; the others (403 otherwise) ` +
      'follow new events and may resume at most GATEWAY_SSE_RESUME_MAX_BLOCKS blocks behind the chain. Each API key may hold ' +
      'GATEWAY_SSE_MAX_STREAMS_PER_KEY streams at once; one more is 429 RATE_LIMITED with Retry-After.',
    tag: 'events',
    access: ANY_ROLE,
    query: z.object({
      startBlock: z
        .string()
        .regex(/^\d{1,19}$/, 'must be a block number')
        .transform((block) => BigInt(block))
        .optional()
        .meta({ description: `Replay from this block (roles ${REPLAY_ROLES.join(', ')} only)`, example: '0' }),
    }),
    headers: z.object({ 'last-event-id': EventIdSchema.optional().meta({ description: 'Resume after this event', example: '42:0' }) }),
    responses: {
      200: { description: 'The event stream: one SseEvent per frame, each chaincode event with id <block>:<index>', schema: SseEventSchema, contentType: 'text/event-stream' },
    },
  },
  healthz,
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
    summary: 'Swagger UI for this document (assets under /docs/)',
    tag: 'operations',
    access: 'public',
    responses: { 200: { description: 'HTML page', schema: z.string(), contentType: 'text/html' } },
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof ROUTES;

/** The routes of the operations listener (GATEWAY_OPS_HOST:GATEWAY_OPS_PORT), kept off the public one. */
export const OPS_ROUTES = {
  healthz,
  readyz: {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: a cheap query against the peer, at most once per GATEWAY_READY_CACHE_MS',
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
} as const satisfies Record<string, RouteSpec>;

export type OpsRouteId = keyof typeof OPS_ROUTES;
