import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from '../chai';

/**
 * The domain layer is free of transport and Fabric: nothing under src/domain imports gRPC, fabric-gateway or
 * Express, directly or through a local module, nor a module of the Fabric adapter or the HTTP layer.
 */

const SRC = path.resolve(__dirname, '..', '..', 'src');
const DOMAIN = path.join(SRC, 'domain');
const FORBIDDEN_PACKAGES = ['@grpc/grpc-js', '@hyperledger/fabric-gateway', '@hyperledger/fabric-protos', '@poll-ledger/fabric-client', 'express'];
const FORBIDDEN_DIRS = [path.join(SRC, 'fabric'), path.join(SRC, 'http')];
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiersOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

/** Every module reachable from `file` through local imports, with what it imports. */
function closure(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const specifiers = specifiersOf(file);
  seen.set(file, specifiers);
  for (const specifier of specifiers.filter((s) => s.startsWith('.'))) closure(`${path.resolve(path.dirname(file), specifier)}.ts`, seen);
  return seen;
}

function problemsOf(file: string): string[] {
  const problems: string[] = [];
  for (const [module, specifiers] of closure(file)) {
    const where = path.relative(SRC, module);
    if (FORBIDDEN_DIRS.some((dir) => module.startsWith(dir + path.sep))) problems.push(`${where} is outside the domain`);
    for (const specifier of specifiers) {
      if (FORBIDDEN_PACKAGES.some((name) => specifier === name || specifier.startsWith(`${name}/`))) problems.push(`${where} imports ${specifier}`);
    }
  }
  return problems;
}

describe('domain layering', () => {
  const files = readdirSync(DOMAIN).filter((name) => name.endsWith('.ts'));

  it('when the domain directory is read, then it holds the use cases and the ledger port', () => {
    expect(files).to.include.members(['ballots.ts', 'polls.ts', 'results.ts', 'ledger.ts', 'chaincode.ts', 'schemas.ts']);
  });

  for (const name of files) {
    it(`when ${name} and what it imports are read, then none of them is transport or Fabric code`, () => {
      expect(problemsOf(path.join(DOMAIN, name))).to.deep.equal([]);
    });
  }

  it('when a module imports a forbidden package through a local one, then the check notices', () => {
    expect(problemsOf(path.join(SRC, 'fabric', 'connection.ts')).join('\n')).to.include('imports @grpc/grpc-js');
  });
});
