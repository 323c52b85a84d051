import { OpenAPIRegistry, OpenApiGeneratorV3, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { ERROR_STATUS, type ErrorCode } from './errors';
import { ErrorBodySchema, ROUTES, type RouteSpec } from './http/routes';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

/** `/v1/polls/:id` → `/v1/polls/{id}`. */
export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The route's own errors plus those every route of its kind can answer with. */
export function errorCodesOf(spec: RouteSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(spec.errors ?? []);
  if (spec.access !== 'public') {
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'LEDGER_UNAVAILABLE'] as const) codes.add(code);
  }
  if (spec.params ?? spec.query ?? spec.headers ?? spec.body) codes.add('INVALID_ARGUMENT');
  if (spec.body) {
    codes.add('INVALID_JSON');
    codes.add('PAYLOAD_TOO_LARGE');
  }
  return [...codes];
}

function errorResponses(codes: readonly ErrorCode[]): Record<number, ResponseConfig> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [status, { description: `Error code: ${list.join(' | ')}`, content: { 'application/json': { schema: ErrorBodySchema } } }]),
  );
}

function successResponses(spec: RouteSpec): Record<number, ResponseConfig> {
  return Object.fromEntries(
    Object.entries(spec.responses).map(([status, response]) => {
      const headers = response.headers
        ? Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, { description: `"${value}"`, schema: { type: 'string' as const } }]))
        : undefined;
      const content = response.schema ? { [response.contentType ?? 'application/json']: { schema: response.schema } } : undefined;
      return [status, { description: response.description, headers, content }];
    }),
  );
}

function describeAccess(spec: RouteSpec): string {
  return spec.access === 'public' ? 'No authentication.' : `X-API-Key of role: ${spec.access.join(', ')}.`;
}

/** The OpenAPI 3 document, generated from the same route table and zod schemas the app validates with. */
export function buildOpenApiDocument(routes: Readonly<Record<string, RouteSpec>> = ROUTES): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'ApiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key' });
  for (const [operationId, spec] of Object.entries(routes)) {
    registry.registerPath({
      operationId,
      method: spec.method,
      path: toOpenApiPath(spec.path),
      summary: spec.summary,
      description: describeAccess(spec),
      tags: [spec.tag],
      security: spec.access === 'public' ? [] : [{ ApiKey: [] }],
      'x-roles': spec.access === 'public' ? [] : [...spec.access],
      request: {
        params: spec.params,
        query: spec.query,
        headers: spec.headers,
        // An empty body is allowed exactly when `{}` passes the schema (e.g. tally's optional maxBallots).
        body: spec.body ? { required: !spec.body.safeParse({}).success, content: { 'application/json': { schema: spec.body } } } : undefined,
      },
      responses: { ...successResponses(spec), ...errorResponses(errorCodesOf(spec)) },
    });
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'poll-ledger gateway',
      version: '1',
      description: 'REST gateway to the polls chaincode. Errors are `{ error: { code, message, details? } }`.',
    },
    servers: [{ url: '/' }],
  });
}
