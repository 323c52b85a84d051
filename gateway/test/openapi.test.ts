import type { Express } from 'express';
import { createApp } from '../src/http/app';
import { ROUTES, type RouteSpec } from '../src/http/routes';
import { buildOpenApiDocument, toOpenApiPath, type OpenApiDocument } from '../src/openapi';
import { expect } from './chai';
import { fakeLedger } from './fakes';
import { appConfig } from './fixtures';

type Loose = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every method + path the Express router serves, walked from the router stack. */
function servedRoutes(app: Express): string[] {
  const stack = (app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack;
  return stack.flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${toOpenApiPath(layer.route!.path)}`) : [],
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
});
