#!/usr/bin/env node
/**
 * Bundles the citizen pages for the browser: src/web/main.ts → dist/web/main.js (ES2020, minified, with a source
 * map), and copies the static files of web/ next to it. The service serves dist/web/ at `/`.
 *
 * @poll-ledger/protocol's index also exports its Node-only modules (network.json and test-vector loaders, which
 * read files). The bundle takes the protocol's browser-safe modules only: a virtual entry re-exports every module
 * of the index that imports no Node builtin. Any Node builtin still reached fails the build, naming the importer,
 * rather than being polyfilled or silently emptied.
 *
 * zod's classic API re-exports all its ~50 error-message locales (`z.locales`); the pages use English messages
 * only (zod's default), so the locale index is narrowed to `en`, which halves zod's share of the bundle.
 */
'use strict';
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.resolve(__dirname, '..');
const outdir = path.join(root, 'dist', 'web');
const protocolSrc = path.join(path.dirname(require.resolve('@poll-ledger/protocol/package.json')), 'src');

const importsNode = (file) => /from\s+['"]node:|require\(['"]node:/.test(fs.readFileSync(file, 'utf8'));

/** `export * from './x'` lines of the protocol's index, without the modules that import Node builtins. */
function browserProtocolEntry() {
  const index = fs.readFileSync(path.join(protocolSrc, 'index.ts'), 'utf8');
  const modules = [...index.matchAll(/export \* from '\.\/([\w-]+)'/g)].map((m) => m[1]);
  const safe = modules.filter((m) => !importsNode(path.join(protocolSrc, `${m}.ts`)));
  return safe.map((m) => `export * from './${m}';`).join('\n');
}

const NODE_BUILTINS = new Set(require('node:module').builtinModules);

/** @type {import('esbuild').Plugin} */
const browserOnly = {
  name: 'browser-only',
  setup(build) {
    build.onResolve({ filter: /^@poll-ledger\/protocol$/ }, () => ({ path: 'protocol-browser', namespace: 'protocol-browser' }));
    build.onLoad({ filter: /.*/, namespace: 'protocol-browser' }, () => ({
      contents: browserProtocolEntry(),
      loader: 'ts',
      resolveDir: protocolSrc,
    }));
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales-en', namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      loader: 'js',
      resolveDir: root,
    }));
    build.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!args.path.startsWith('node:') && !NODE_BUILTINS.has(name)) return undefined;
      return { errors: [{ text: `Node builtin "${args.path}" in the browser bundle (imported by ${path.relative(root, args.importer)})` }] };
    });
  },
};

function copyStatic() {
  for (const file of fs.readdirSync(path.join(root, 'web'))) {
    fs.copyFileSync(path.join(root, 'web', file), path.join(outdir, file));
  }
}

async function main() {
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: { main: path.join(root, 'src', 'web', 'main.ts') },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [browserOnly],
  });
  copyStatic();
  if (process.env.BUNDLE_ANALYZE) console.log(await esbuild.analyzeMetafile(result.metafile));
  for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.js')) {
      const gzipped = zlib.gzipSync(fs.readFileSync(path.join(root, file))).length;
      console.log(`bundle-web: ${path.relative(root, path.join(root, file))} ${(bytes / 1024).toFixed(1)} KiB (${(gzipped / 1024).toFixed(1)} KiB gzipped)`);
    }
  }
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
