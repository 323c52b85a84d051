import type { Response } from 'express';
import type { z } from 'zod';
import type { OpenApiDocument } from './openapi';
import type { ROUTES, RouteId } from './routes';
import type { BlockAnswer, VerificationService } from './service';

type Part<R, K extends string> = R extends Record<K, infer S> ? (S extends z.ZodType ? z.output<S> : never) : Record<string, never>;

/** A route's validated input, typed from the schemas of its RouteSpec. */
export interface RouteInput<R> {
  readonly params: Part<R, 'params'>;
  readonly query: Part<R, 'query'>;
}

/** Handlers write their answer themselves: each resource decides its own caching headers. */
export type Handler<R> = (input: RouteInput<R>, res: Response) => void | Promise<void>;
export type Handlers = { readonly [K in RouteId]: Handler<(typeof ROUTES)[K]> };

/** Blocks never change once written: cache them forever, tagged by the header hash (strong: the same bytes). */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Changes as the chain grows or polls close: caches must ask again, and may get a 304. */
const REVALIDATE = 'no-cache';

function sendBlock(res: Response, answer: BlockAnswer, variant: string): void {
  res
    .set({ 'Cache-Control': IMMUTABLE, ETag: `"${answer.headerHash}${variant}"` })
    .type('application/octet-stream')
    // res.send answers 304 itself when If-None-Match matches the ETag set above.
    .send(Buffer.from(answer.bytes));
}

function sendJson(res: Response, body: unknown, cacheControl: string, etag?: string): void {
  res.set('Cache-Control', cacheControl);
  if (etag !== undefined) res.set('ETag', `"${etag}"`);
  res.json(body);
}

export function createHandlers(service: VerificationService, openapi: OpenApiDocument): Handlers {
  return {
    checkpoint: async (_input, res) => {
      const signed = await service.checkpoint();
      sendJson(res, signed, REVALIDATE, `${signed.statement.height}-${signed.statement.blockHash}`);
    },
    block: ({ params }, res) => {
      sendBlock(res, service.block(params.number), '');
    },
    blockHeaderOnly: ({ params }, res) => {
      sendBlock(res, service.headerOnlyBlock(params.number), '.header-only');
    },
    headers: ({ query }, res) => {
      const { page, complete } = service.headers(query.from, query.to);
      const tag = `${page.from}-${page.to}-${page.headers.at(-1)?.blockHash ?? ''}`;
      // A page that may still grow (to cut at the height) changes with the height it reports.
      sendJson(res, page, complete ? IMMUTABLE : REVALIDATE, complete ? tag : `${tag}-${page.height}`);
    },
    chainBundle: async (_input, res) => {
      const { body, etag } = await service.chainBundle();
      sendJson(res, body, 'public, max-age=10', etag);
    },
    listPolls: (_input, res) => {
      sendJson(res, service.listPolls(), REVALIDATE);
    },
    getPoll: async ({ params }, res) => {
      sendJson(res, await service.poll(params.id), REVALIDATE);
    },
    pollBundle: async ({ params }, res) => {
      const { body, etag } = await service.pollBundle(params.id);
      sendJson(res, body, 'public, max-age=10', etag);
    },
    receipt: async ({ params, query }, res) => {
      sendJson(res, await service.receipt(params.pollId, params.ballotId, query.txId), REVALIDATE);
    },
    healthz: (_input, res) => {
      sendJson(res, { status: 'ok', height: service.height }, 'no-store');
    },
    openapi: (_input, res) => {
      sendJson(res, openapi, REVALIDATE);
    },
  };
}
