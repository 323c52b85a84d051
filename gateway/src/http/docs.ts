import * as path from 'node:path';
import express, { type RequestHandler, type Response } from 'express';

/**
 * /docs: Swagger UI from the swagger-ui-dist package, served by the gateway itself (no CDN), over /openapi.json.
 * Its page and initializer are files of ours (gateway/static/docs): helmet's CSP allows scripts from 'self' only.
 */

// Resolved through package.json: the package's main module would load the whole bundle into Node.
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
/** The same directory from src/http (tests) and dist/http (the build). */
export const DOCS_DIR = path.resolve(__dirname, '..', '..', 'static', 'docs');

/** What the page loads, and nothing else of the package (its index.html and initializer point at the petstore). */
const SWAGGER_UI_FILES: ReadonlySet<string> = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'index.css', 'favicon-16x16.png', 'favicon-32x32.png']);
const OWN_FILES: ReadonlySet<string> = new Set(['swagger-initializer.js']);

export function sendDocsPage(res: Response): void {
  res.sendFile(path.join(DOCS_DIR, 'index.html'));
}

/** Serves the page's assets; mount it at /docs. */
export function docsAssets(): RequestHandler {
  const swaggerUi = express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1d' });
  const own = express.static(DOCS_DIR, { index: false });
  return (req, res, next) => {
    const file = req.path.slice(1);
    if (SWAGGER_UI_FILES.has(file)) {
      swaggerUi(req, res, next);
      return;
    }
    if (OWN_FILES.has(file)) {
      own(req, res, next);
      return;
    }
    next();
  };
}
