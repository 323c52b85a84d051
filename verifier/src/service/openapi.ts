import { OpenAPIRegistry, OpenApiGeneratorV3, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { ERROR_STATUS, type ServiceErrorCode } from './errors';
import { ErrorBodySchema, ROUTES, type RouteSpec, errorCodesOf } from './routes';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

/** `/v1/blocks/:number` → `/v1/blocks/{number}`. */
export const toOpenApiPath = (expressPath: string): string => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function errorResponses(codes: readonly ServiceErrorCode[]): Record<number, ResponseConfig> {
  const byStatus = new Map<number, ServiceErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [status, { description: `Error code: ${list.join(' | ')}`, content: { 'application/json': { schema: ErrorBodySchema } } }]),
  );
}

function successResponses(spec: RouteSpec): Record<number, ResponseConfig> {
  return Object.fromEntries(
    Object.entries(spec.responses).map(([status, response]) => {
      const headers = response.headers
        ? Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, { description: value, schema: { type: 'string' as const } }]))
        : undefined;
      const content = response.schema ? { [response.contentType ?? 'application/json']: { schema: response.schema } } : undefined;
      return [status, { description: response.description, headers, content }];
    }),
  );
}

/** The OpenAPI 3 document, generated from the route table and the wire schemas the answers are built with. */
export function buildOpenApiDocument(routes: Readonly<Record<string, RouteSpec>> = ROUTES): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  for (const [operationId, spec] of Object.entries(routes)) {
    registry.registerPath({
      operationId,
      method: 'get',
      path: toOpenApiPath(spec.path),
      summary: spec.summary,
      tags: [spec.tag],
      request: { params: spec.params, query: spec.query },
      responses: { ...successResponses(spec), ...errorResponses(errorCodesOf(spec)) },
    });
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'poll-ledger public verification service',
      version: '1',
      description:
        "Read-only, public, rate-limited. Run by an observer organisation from its own peer. Nothing here is to be taken on the service's word: " +
        'blocks verify from the pinned genesis hash, checkpoints and inclusion statements carry the observer\'s signature. ' +
        'Ballots of an open `after-close` poll are never served. Errors are `{ error: { code, message, details? } }`. The citizen page is served at `/`.',
    },
    servers: [{ url: '/' }],
  });
}
