import { OpenAPIRegistry, OpenApiGeneratorV3, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { ISO_DATE_TIME, Limits } from '@poll-ledger/protocol';
import { ERROR_STATUS, type ErrorCode } from './errors';
import { ERROR_EXAMPLES, EXAMPLES, type OperationExamples } from './http/examples';
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

function errorExample(code: ErrorCode): { error: { code: ErrorCode; message: string; details?: Readonly<Record<string, unknown>> } } {
  const example = ERROR_EXAMPLES[code] ?? { message: code.toLowerCase().replaceAll('_', ' ') };
  return { error: { code, ...example } };
}

function errorResponses(codes: readonly ErrorCode[]): Record<number, ResponseConfig> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => {
      const examples = Object.fromEntries(list.map((code) => [code, { value: errorExample(code) }]));
      return [status, { description: `Error code: ${list.join(' | ')}`, content: { 'application/json': { schema: ErrorBodySchema, examples } } }];
    }),
  );
}

function successResponses(spec: RouteSpec, examples: OperationExamples | undefined): Record<number, ResponseConfig> {
  return Object.fromEntries(
    Object.entries(spec.responses).map(([status, response]) => {
      const headers = response.headers
        ? Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, { description: `"${value}"`, schema: { type: 'string' as const } }]))
        : undefined;
      const example: unknown = examples?.responses[Number(status)];
      const content = response.schema ? { [response.contentType ?? 'application/json']: { schema: response.schema, example } } : undefined;
      return [status, { description: response.description, headers, content, links: response.links }];
    }),
  );
}

function describeAccess(spec: RouteSpec): string {
  const access = spec.access === 'public' ? 'No authentication.' : `X-API-Key of role: ${spec.access.join(', ')}.`;
  return spec.description ? `${access} ${spec.description}` : access;
}

type Loose = Record<string, unknown>;

const NON_BLANK = { minLength: 1, pattern: '\\S' };
const ISO_TIME = { pattern: ISO_DATE_TIME.source };
const MAX_CHOICES = { maximum: Limits.optionsPerQuestion.max };

/**
 * What the request schemas enforce beyond their JSON Schema rendering (refinements), said in the document: as
 * keywords where JSON Schema has one, else in the component's description.
 */
const CONSTRAINTS: Readonly<Record<string, { readonly description?: string; readonly properties?: Readonly<Record<string, Loose>> }>> = {
  PollIn: {
    description:
      'A poll definition. opensAt must be before closesAt; question ids are unique within the poll; a time may be a calendar ' +
      'date-time with a zone only; unknown fields are dropped. Any rule broken is 400 INVALID_ARGUMENT naming the field.',
    properties: { title: NON_BLANK, opensAt: ISO_TIME, closesAt: ISO_TIME },
  },
  Poll: { description: 'A poll as the ledger holds it; opensAt is before closesAt.', properties: { title: NON_BLANK } },
  Question: {
    description:
      '1 ≤ maxChoices ≤ the number of options, and exactly 1 when type is single; 0 ≤ minChoices ≤ maxChoices; option ids are ' +
      'unique within the question.',
    properties: { text: NON_BLANK, minChoices: MAX_CHOICES, maxChoices: MAX_CHOICES },
  },
  Option: { properties: { text: NON_BLANK } },
  BallotIn: {
    properties: {
      votedAt: ISO_TIME,
      answers: { description: 'question id → chosen option ids (each id 1 to 256 characters); checked against the poll by the chaincode' },
    },
  },
};

function applyConstraints(document: OpenApiDocument): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Loose | undefined>;
  for (const [name, rule] of Object.entries(CONSTRAINTS)) {
    const schema = schemas[name];
    if (!schema) throw new Error(`openapi: no component ${name} to document constraints on`);
    if (rule.description) schema.description = [schema.description, rule.description].filter(Boolean).join(' ');
    for (const [property, keywords] of Object.entries(rule.properties ?? {})) {
      const target = (schema.properties as Record<string, Loose | undefined> | undefined)?.[property];
      if (!target || '$ref' in target) throw new Error(`openapi: ${name}.${property} is not an inline schema`);
      Object.assign(target, keywords);
    }
  }
}

/** A query value is text in the URL, never JSON null (zod-to-openapi marks coerced numbers nullable). */
function dropNullableQueryParameters(document: OpenApiDocument): void {
  for (const item of Object.values(document.paths) as Record<string, { parameters?: { in: string; schema?: Loose }[] } | undefined>[]) {
    for (const operation of Object.values(item)) {
      for (const parameter of operation?.parameters ?? []) if (parameter.in === 'query') delete parameter.schema?.nullable;
    }
  }
}

const DESCRIPTION =
  'REST gateway to the polls chaincode. Errors are `{ error: { code, message, details? } }`. A method a path does not ' +
  'declare is 405 METHOD_NOT_ALLOWED, with the declared ones in Allow. /readyz and /metrics are served on the operations ' +
  'listener (GATEWAY_OPS_HOST:GATEWAY_OPS_PORT), not here.';

/** The OpenAPI 3 document, generated from the same route table and zod schemas the app validates with. */
export function buildOpenApiDocument(routes: Readonly<Record<string, RouteSpec>> = ROUTES): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  const examples: Readonly<Record<string, OperationExamples | undefined>> = EXAMPLES;
  registry.registerComponent('securitySchemes', 'ApiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key' });
  for (const [operationId, spec] of Object.entries(routes)) {
    const example = examples[operationId];
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
        body: spec.body
          ? { required: !spec.body.safeParse({}).success, content: { 'application/json': { schema: spec.body, example: example?.request } } }
          : undefined,
      },
      responses: { ...successResponses(spec, example), ...errorResponses(errorCodesOf(spec)) },
    });
  }
  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'poll-ledger gateway', version: '1', description: DESCRIPTION },
    servers: [{ url: '/' }],
  });
  applyConstraints(document);
  dropNullableQueryParameters(document);
  return document;
}
