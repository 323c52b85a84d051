import { z } from 'zod';
import { IdSchema, TxIdSchema, VoterTokenSchema } from '@poll-ledger/protocol';
import {
  BundleSchema,
  HeaderPageSchema,
  PollDetailSchema,
  PollListSchema,
  ReceiptStatusSchema,
  ServiceErrorSchema,
  SignedCheckpointSchema,
} from '../wire';
import type { ServiceErrorCode } from './errors';

/**
 * Every route, declared once: Express mounts it, its path and query are validated with these schemas, and the
 * OpenAPI document is generated from it. Every route is public and read-only (GET), behind the rate limit.
 */

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteSpec {
  /** Express syntax (`/v1/blocks/:number`); OpenAPI gets `{number}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Errors specific to this route; RATE_LIMITED, INTERNAL and (with inputs) BAD_REQUEST are added for all. */
  readonly errors?: readonly ServiceErrorCode[];
}

/** A block number in a path or query: decimal digits, no sign, no exponent. */
const BlockNumberSchema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,14})$/, 'must be a block number (decimal digits)')
  .transform(Number)
  .meta({ type: 'integer', example: '12' });

const IMMUTABLE = { ETag: 'the block header hash, hex', 'Cache-Control': 'public, max-age=31536000, immutable' };
const REVALIDATE = { 'Cache-Control': 'no-cache' };
const protobuf = (description: string): ResponseSpec => ({ description, schema: z.string().meta({ format: 'binary' }), contentType: 'application/octet-stream', headers: IMMUTABLE });
const json = (description: string, schema: z.ZodType, headers?: Readonly<Record<string, string>>): ResponseSpec => ({ description, schema, ...(headers ? { headers } : {}) });
const blockParams = z.object({ number: BlockNumberSchema });
const pollParams = z.object({ id: IdSchema });

export const ErrorBodySchema = ServiceErrorSchema.meta({ id: 'ServiceError' });

export const ROUTES = {
  checkpoint: {
    path: '/v1/checkpoint',
    summary: "The current height and last block's header hash, signed by the observer: pin it, compare it with other observers'",
    tag: 'chain',
    responses: { 200: json('The signed checkpoint (signed once per height)', SignedCheckpointSchema, { ETag: 'per height', ...REVALIDATE }) },
    errors: ['UNAVAILABLE'],
  },
  block: {
    path: '/v1/blocks/:number',
    summary: 'A block as stored (common.Block protobuf), unless it holds ballots of a poll whose results are not public yet',
    tag: 'chain',
    params: blockParams,
    responses: { 200: protobuf('The raw block; config blocks are always served') },
    errors: ['NOT_FOUND', 'EMBARGOED'],
  },
  blockHeaderOnly: {
    path: '/v1/blocks/:number/header-only',
    summary: 'A block with its data emptied: header and metadata (orderer signatures), always public',
    tag: 'chain',
    params: blockParams,
    responses: { 200: protobuf('The header-only block (common.Block protobuf)') },
    errors: ['NOT_FOUND'],
  },
  headers: {
    path: '/v1/headers',
    summary: 'Header-only blocks from..to (bounded page), to walk the hash chain from the pinned genesis',
    tag: 'chain',
    query: z.object({ from: BlockNumberSchema, to: BlockNumberSchema.optional() }),
    responses: { 200: json('The page; immutable when `to` was given and is below the height', HeaderPageSchema) },
    errors: ['NOT_FOUND', 'UNAVAILABLE'],
  },
  chainBundle: {
    path: '/v1/bundle',
    summary: 'Every block 0..height-1, full where public, withheld (data emptied) where it holds hidden ballots',
    tag: 'bundles',
    responses: { 200: json('The whole-chain bundle', BundleSchema, { ETag: 'strong', 'Cache-Control': 'public, max-age=10' }) },
    errors: ['UNAVAILABLE'],
  },
  listPolls: {
    path: '/v1/polls',
    summary: 'Every poll on the ledger, with whether its results (and ballots) may be public',
    tag: 'polls',
    responses: { 200: json('The polls, by id', PollListSchema, REVALIDATE) },
  },
  getPoll: {
    path: '/v1/polls/:id',
    summary: "The poll record from the observer's peer, and its on-chain results (GetResults) once they may be public",
    tag: 'polls',
    params: pollParams,
    responses: { 200: json('The poll', PollDetailSchema, REVALIDATE) },
    errors: ['NOT_FOUND', 'UNAVAILABLE'],
  },
  pollBundle: {
    path: '/v1/polls/:id/bundle',
    summary: "A poll's bundle, once its results may be public: every block, other polls' hidden ones withheld",
    tag: 'bundles',
    params: pollParams,
    responses: { 200: json('The bundle', BundleSchema, { ETag: 'strong', 'Cache-Control': 'public, max-age=10' }) },
    errors: ['NOT_FOUND', 'EMBARGOED', 'UNAVAILABLE'],
  },
  receipt: {
    path: '/v1/receipts/:pollId/:ballotId',
    summary: "Where a receipt's transaction stands (block, index, validation code, block hash), signed by the observer; never the ballot",
    tag: 'receipts',
    params: z.object({ pollId: IdSchema, ballotId: VoterTokenSchema }),
    query: z.object({ txId: TxIdSchema }),
    responses: { 200: json('found: false, or the signed inclusion statement and whether the full proof can be fetched now', ReceiptStatusSchema, REVALIDATE) },
    errors: ['UNAVAILABLE'],
  },
  healthz: {
    path: '/healthz',
    summary: 'Liveness, and how far the service has read the chain',
    tag: 'operations',
    responses: { 200: json('The process is up', z.strictObject({ status: z.literal('ok'), height: z.int().min(0) })) },
  },
  openapi: {
    path: '/openapi.json',
    summary: 'This OpenAPI document',
    tag: 'operations',
    responses: { 200: json('OpenAPI 3 document', z.record(z.string(), z.unknown())) },
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof ROUTES;

/** The route's own errors plus those every route can answer with. */
export function errorCodesOf(spec: RouteSpec): ServiceErrorCode[] {
  const codes = new Set<ServiceErrorCode>(spec.errors ?? []);
  if (spec.params ?? spec.query) codes.add('BAD_REQUEST');
  codes.add('RATE_LIMITED');
  codes.add('INTERNAL');
  return [...codes];
}
