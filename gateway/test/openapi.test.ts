import type { Express } from 'express';
import type { z } from 'zod';
import { PollInSchema, type PollIn } from '../src/domain/schemas';
import { EXAMPLES } from '../src/http/examples';
import { createApp } from '../src/http/app';
import { ROUTES, type RouteSpec } from '../src/http/routes';
import { buildOpenApiDocument, toOpenApiPath, type OpenApiDocument } from '../src/openapi';
import { expect } from './chai';
import { fakeLedger } from './fakes';
import { appConfig } from './fixtures';
import { documentedComponent, documentedSchema } from './http/documented';

type Loose = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every method + path the Express router serves, walked from the router stack. */
function servedRoutes(app: Express): string[] {
  const stack = (app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack;
  return stack.flatMap((layer) =>
    // `_all` is the 405 answer for the methods a path does not declare.
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map((method) => `${method.toUpperCase()} ${toOpenApiPath(layer.route!.path)}`)
      : [],
  );
}

function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item as Loose)
      .filter((key) => METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The structural rules of OpenAPI 3.0 this document relies on. */
function structuralProblems(document: OpenApiDocument): string[] {
  const problems: string[] = [];
  const raw = document as unknown as Loose;
  if (!/^3\.0\.\d+$/.test(document.openapi)) problems.push('openapi must be 3.0.x');
  if (!document.info.title || !document.info.version) problems.push('info needs title and version');
  const schemas = (document.components?.schemas ?? {}) as Loose;
  const refs = JSON.stringify(raw).match(/"\$ref":"[^"]+"/g) ?? [];
  for (const ref of refs) {
    const name = /#\/components\/schemas\/([^"]+)"/.exec(ref)?.[1];
    if (!name || !(name in schemas)) problems.push(`unresolved ${ref}`);
  }
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/')) problems.push(`${path}: must start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item as Record<string, Loose>)) {
      if (!METHODS.includes(method)) continue;
      const where = `${method} ${path}`;
      const id = op.operationId as string;
      if (operationIds.has(id)) problems.push(`${where}: duplicate operationId`);
      operationIds.add(id);
      const responses = op.responses as Record<string, Loose> | undefined;
      if (!responses || Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, response] of Object.entries(responses ?? {})) {
        if (!/^[1-5]\d\d$/.test(status)) problems.push(`${where}: bad status ${status}`);
        if (typeof response.description !== 'string') problems.push(`${where} ${status}: description required`);
      }
      const params = (op.parameters ?? []) as Loose[];
      const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
      if (JSON.stringify([...pathParams].sort()) !== JSON.stringify([...templated].sort())) problems.push(`${where}: path params ${String(pathParams)} vs ${String(templated)}`);
      for (const p of params) {
        if (!['path', 'query', 'header', 'cookie'].includes(p.in as string)) problems.push(`${where}: bad parameter location`);
        if (p.in === 'path' && p.required !== true) problems.push(`${where}: path parameter ${String(p.name)} must be required`);
      }
      for (const requirement of (op.security ?? []) as Loose[]) {
        for (const scheme of Object.keys(requirement)) if (!(scheme in (document.components?.securitySchemes ?? {}))) problems.push(`${where}: unknown scheme ${scheme}`);
      }
    }
  }
  return problems;
}

describe('openapi', () => {
  const document = buildOpenApiDocument();
  const schemas = document.components?.schemas as Record<string, Loose & { properties: Record<string, Loose> }>;

  it('when generated, then the document is structurally valid OpenAPI 3', () => {
    expect(structuralProblems(document)).to.deep.equal([]);
  });

  it('when compared with the Express router, then both list exactly the same routes', () => {
    const app = createApp({ config: appConfig(), ledger: fakeLedger() });
    expect(servedRoutes(app).sort()).to.deep.equal(documentedRoutes(document).sort());
  });

  it('when a route is missing from the document, then the comparison notices', () => {
    const routes: Record<string, RouteSpec> = { ...ROUTES };
    delete routes.getBallot;
    const app = createApp({ config: appConfig(), ledger: fakeLedger() });
    expect(servedRoutes(app).sort()).to.not.deep.equal(documentedRoutes(buildOpenApiDocument(routes)).sort());
  });

  it('when a protected route is documented, then it requires the ApiKey scheme and lists its roles and auth errors', () => {
    const cast = (document.paths['/v1/polls/{id}/ballots'] as Record<string, Loose>).post!;
    expect(cast.security).to.deep.equal([{ ApiKey: [] }]);
    expect(cast['x-roles']).to.deep.equal(['ballot-relay']);
    expect(Object.keys(cast.responses as Loose)).to.include.members(['200', '201', '202', '400', '401', '403', '409', '413', '422', '429', '503']);
  });

  it('when the request schemas are documented, then they are the same zod schemas that validate (e.g. Idempotency-Key is required)', () => {
    const cast = (document.paths['/v1/polls/{id}/ballots'] as Record<string, Loose>).post!;
    const header = (cast.parameters as Loose[]).find((p) => p.in === 'header');
    expect(header).to.include({ name: 'idempotency-key', required: true });
    const schemas = document.components?.schemas as Loose;
    expect(schemas).to.include.keys('PollIn', 'Poll', 'BallotIn', 'Receipt', 'Results', 'Error', 'CommitPending');
  });

  it('when Results is documented, then ballotsRoot is a required hash string (no longer nullable)', () => {
    const results = (document.components?.schemas as Record<string, Loose>).Results!;
    expect((results.properties as Record<string, Loose>).ballotsRoot).to.include({ type: 'string', pattern: '^[0-9a-f]{64}$' }).and.not.have.property('nullable');
    expect(results.required).to.include('ballotsRoot');
  });

  it('when a route reads a chaincode answer, then its 502 names LEDGER_BAD_RESPONSE', () => {
    const results = (document.paths['/v1/polls/{id}/results'] as Record<string, Loose>).get!;
    expect(((results.responses as Record<string, Loose>)['502'] as Loose).description).to.include('LEDGER_BAD_RESPONSE');
  });

  it('when the tally body is all optional, then the request body is not required', () => {
    const tally = (document.paths['/v1/polls/{id}/tally'] as Record<string, Loose>).post!;
    expect((tally.requestBody as Loose).required).to.equal(false);
  });

  it('when the operations listener serves /readyz and /metrics, then the public document does not list them', () => {
    expect(Object.keys(document.paths)).to.not.include.members(['/readyz', '/metrics']);
    expect(Object.keys(document.paths)).to.include('/healthz');
  });

  it('when a query parameter is documented, then it is never nullable (a URL has no null)', () => {
    const nullable = operations(document).flatMap(({ where, op }) =>
      ((op.parameters ?? []) as Loose[]).filter((p) => p.in === 'query' && (p.schema as Loose).nullable === true).map((p) => `${where} ${String(p.name)}`),
    );
    expect(nullable).to.deep.equal([]);
  });

  describe('examples', () => {
    it('when any operation is documented, then its request body and every response with content carry an example', () => {
      const missing = operations(document).flatMap(({ where, op }) => [
        ...mediaOf(op.requestBody).filter(([, media]) => media.example === undefined).map(([type]) => `${where} request ${type}`),
        ...Object.entries((op.responses ?? {}) as Record<string, Loose>).flatMap(([status, response]) =>
          mediaOf(response).filter(([, media]) => media.example === undefined && media.examples === undefined).map(([type]) => `${where} ${status} ${type}`),
        ),
      ]);
      expect(missing).to.deep.equal([]);
    });

    it('when the examples are checked against the documented schemas (and the zod schemas that validate), then every one passes', () => {
      const problems: string[] = [];
      const check = (label: string, schema: unknown, value: unknown, zod?: z.ZodType) => {
        for (const issue of documentedSchema(document, schema).safeParse(value).error?.issues ?? []) problems.push(`${label}: ${issue.path.join('.')} ${issue.message}`);
        for (const issue of zod?.safeParse(value).error?.issues ?? []) problems.push(`${label} (zod): ${issue.path.join('.')} ${issue.message}`);
      };
      for (const { where, op, spec } of operations(document)) {
        for (const [type, media] of mediaOf(op.requestBody)) check(`${where} request ${type}`, media.schema, media.example, spec.body);
        for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, Loose>)) {
          const zod = spec.responses[Number(status)]?.schema;
          for (const [type, media] of mediaOf(response)) {
            if (media.example !== undefined) check(`${where} ${status} ${type}`, media.schema, media.example, zod);
            for (const [name, example] of Object.entries((media.examples ?? {}) as Record<string, Loose>)) {
              check(`${where} ${status} ${type} ${name}`, media.schema, example.value, zod);
              if (status >= '400') expect((example.value as { error: { code: string } }).error.code, `${where} ${status}`).to.equal(name);
            }
          }
        }
      }
      expect(problems).to.deep.equal([]);
    });
  });

  describe('links', () => {
    const linksOf = (path: string, method: string, status: string) =>
      ((((document.paths[path] as Record<string, Loose>)[method]!.responses as Record<string, Loose>)[status]!.links ?? {}) as Record<string, Loose>);

    it('when a poll is created, then its 201 links to the poll’s operations by its id', () => {
      const links = linksOf('/v1/polls', 'post', '201');
      expect(Object.values(links).map((link) => link.operationId)).to.have.members(['getPoll', 'openPoll', 'closePoll', 'cancelPoll', 'tallyPoll', 'getResults', 'castBallot']);
      for (const link of Object.values(links)) expect(link.parameters).to.deep.equal({ id: '$response.body#/id' });
    });

    it('when a receipt is returned, then it links to the ballot as recorded and to its transaction', () => {
      for (const status of ['201', '200']) {
        const links = linksOf('/v1/polls/{id}/ballots', 'post', status);
        expect(links.getBallot).to.deep.include({ operationId: 'getBallot', parameters: { id: '$response.body#/pollId', ballotId: '$response.body#/ballotId' } });
        expect(links.getTransaction).to.deep.include({ operationId: 'getTransaction', parameters: { txId: '$response.body#/txId' } });
      }
    });

    it('when any link is followed, then it names an operation, fills exactly its path parameters, from fields the example response has, with valid values', () => {
      const byId = new Map(operations(document).map((entry) => [entry.op.operationId as string, entry]));
      const problems: string[] = [];
      for (const { where, op } of operations(document)) {
        for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, Loose>)) {
          const example = mediaOf(response)[0]?.[1].example as Loose | undefined;
          for (const [name, link] of Object.entries((response.links ?? {}) as Record<string, { operationId: string; parameters: Record<string, string> }>)) {
            const target = byId.get(link.operationId);
            if (!target) {
              problems.push(`${where} ${status} ${name}: no operation ${link.operationId}`);
              continue;
            }
            const pathParams = ((target.op.parameters ?? []) as Loose[]).filter((p) => p.in === 'path');
            expect(Object.keys(link.parameters).sort(), `${where} ${name}`).to.deep.equal(pathParams.map((p) => p.name as string).sort());
            for (const param of pathParams) {
              const pointer = link.parameters[param.name as string]?.replace('$response.body#/', '') ?? '';
              const value = example?.[pointer];
              if (!documentedSchema(document, param.schema).safeParse(value).success) problems.push(`${where} ${status} ${name}: ${pointer}=${String(value)}`);
            }
          }
        }
      }
      expect(problems).to.deep.equal([]);
    });
  });

  describe('constraints the server enforces', () => {

    it('when PollIn and Question are documented, then the rules JSON Schema cannot express are in their descriptions', () => {
      expect(schemas.PollIn!.description).to.include('opensAt must be before closesAt').and.include('question ids are unique');
      expect(schemas.Question!.description).to.include('0 ≤ minChoices ≤ maxChoices').and.include('maxChoices ≤ the number of options').and.include('exactly 1 when type is single');
      expect(schemas.Question!.description).to.include('option ids are unique');
      expect(ROUTES.createPoll.description).to.include('opensAt < closesAt');
    });

    it('when lengths, counts and formats are documented, then they are schema keywords', () => {
      expect(schemas.PollIn!.properties.title).to.include({ maxLength: 200, minLength: 1, pattern: '\\S' });
      expect(schemas.PollIn!.properties.questions).to.include({ minItems: 1, maxItems: 50 });
      expect(schemas.Question!.properties.options).to.include({ minItems: 1, maxItems: 100 });
      expect(schemas.Question!.properties.maxChoices).to.include({ minimum: 1, maximum: 100 });
      expect(schemas.Option!.properties.text).to.include({ maxLength: 200, pattern: '\\S' });
      expect(schemas.PollIn!.properties.opensAt).to.have.property('pattern');
      expect(schemas.BallotIn!.properties.citizenId).to.include({ minLength: 1, maxLength: 256 });
    });

    it('when a poll breaks a rule with a keyword, then the documented schema refuses it as the server does', () => {
      const base = EXAMPLES.createPoll.request as PollIn;
      const question = base.questions[0]!;
      const broken: Record<string, unknown> = {
        'blank title': { ...base, title: '   ' },
        'blank option text': { ...base, questions: [{ ...question, options: [{ id: 'a', text: ' ' }] }] },
        'too many choices': { ...base, questions: [{ ...question, type: 'multi', maxChoices: 101 }] },
        'a time without a zone': { ...base, opensAt: '2026-05-01T08:00:00' },
        'no questions': { ...base, questions: [] },
      };
      const documented = documentedComponent(document, 'PollIn');
      for (const [name, poll] of Object.entries(broken)) {
        expect(PollInSchema.safeParse(poll).success, `${name} (zod)`).to.equal(false);
        expect(documented.safeParse(poll).success, name).to.equal(false);
      }
    });
  });

  describe('the SSE event', () => {
    it('when /v1/events is documented, then its stream is of SseEvent, whose chaincode events are LedgerEvent (the schema the stream checks with)', () => {
      const stream = (document.paths['/v1/events'] as Record<string, Loose>).get!;
      const media = mediaOf((stream.responses as Record<string, Loose>)['200'])[0];
      expect(media?.[0]).to.equal('text/event-stream');
      expect(media?.[1].schema).to.deep.equal({ $ref: '#/components/schemas/SseEvent' });
      expect(JSON.stringify(schemas.SseEvent)).to.include('#/components/schemas/LedgerEvent').and.include('#/components/schemas/Error');
    });
  });
});

type Operation = { where: string; op: Loose; spec: RouteSpec };

/** Every operation of the document with its route spec. */
function operations(document: OpenApiDocument): Operation[] {
  const specs: Readonly<Record<string, RouteSpec>> = ROUTES;
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Loose>)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op, spec: specs[op.operationId as string]! })),
  );
}

/** The media types of a request body or response, with their schema and examples. */
function mediaOf(holder: unknown): [string, Loose][] {
  return Object.entries(((holder as Loose | undefined)?.content ?? {}) as Record<string, Loose>);
}
