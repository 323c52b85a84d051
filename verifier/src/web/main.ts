/**
 * The one script of the citizen pages (a single cached file; the page is chosen by <body data-page>). It is loaded
 * from the service's own origin, so a strict CSP (script-src 'self') holds.
 */
import { z } from 'zod';
import { indexPage } from './pages/index-page';
import { resultsPage } from './pages/results-page';
import { verifyPage } from './pages/verify-page';

// zod compiles parsers with new Function when it may; the strict CSP forbids eval, so never try.
z.config({ jitless: true });

const pages: Readonly<Record<string, () => unknown>> = {
  index: indexPage,
  results: resultsPage,
  verify: verifyPage,
};

const start = pages[document.body.dataset.page ?? ''];
if (start !== undefined) {
  void start();
}
