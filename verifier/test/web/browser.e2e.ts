/**
 * The citizen pages in a real browser: Debian's chromium (installed here if missing; no browser download works)
 * driven by puppeteer-core, against the built dist/web/ under the service's strict CSP. Screenshots go to
 * test-output/. Run: npm run test:browser -w @poll-ledger/verifier
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { base64UrlEncode } from '../../src/web/receipt-input';
import type { ReceiptStatus } from '../../src/wire';
import { orgs } from '../support/pki';
import { type Fixtures, auditorOf, fixtures, pollChain, selfMadeAuditor } from './browser-fixtures';
import { type ChainServer, type ServedChain, serveChain } from './chain-service';
import { type StaticServer, startServer } from './static-server';

const CHROMIUM = '/usr/bin/chromium';
const root = path.resolve(__dirname, '..', '..');
const shots = path.join(root, 'test-output');

/** Synthetic ballots of the poll whose bundle measures the verifier's speed in the browser. */
const BIG_BALLOTS = Number(process.env.BROWSER_BENCH_BALLOTS ?? '10000');

function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) {
    // Not `chromium --version`: Debian's wrapper script prints a shell error with it.
    console.log(`      chromium ${execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'chromium'], { encoding: 'utf8' })} (Debian's package)`);
    return;
  }
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing: run "apt-get install -y chromium" as root`);
  const install = (): void => {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  console.log(`      ${CHROMIUM} is missing: installing Debian's chromium with apt-get (a few minutes)…`);
  try {
    install();
  } catch {
    console.log('      apt-get install failed: refreshing the package lists (apt-get update) and trying again…');
    execFileSync('apt-get', ['update'], { stdio: 'inherit', timeout: 600_000 });
    install();
  }
}

/** The page's final state (data-state on the result container) once the check has ended. */
async function finalState(page: Page, selector: string, timeout = 60_000): Promise<string> {
  await page.waitForFunction((s) => ['verified', 'not-verified', 'partial'].includes(document.querySelector<HTMLElement>(s)?.dataset.state ?? ''), { timeout, polling: 'mutation' }, selector);
  return page.$eval(selector, (e) => (e as HTMLElement).dataset.state ?? '');
}

/** The numbers of the page's "Checked N blocks, T transactions and S signatures in M ms" line. */
async function statsOf(page: Page): Promise<{ blocks: number; transactions: number; signatures: number; millis: number }> {
  const text = await page.$eval('.stats', (e) => e.textContent.replace(/\s+/g, ' '));
  const m = /Checked ([\d,]+) blocks, ([\d,]+) transactions and ([\d,]+) signatures in ([\d,]+) ms/.exec(text);
  if (m === null) throw new Error(`no stats line in "${text}"`);
  const n = (i: number): number => Number((m[i] ?? '').replace(/,/g, ''));
  return { blocks: n(1), transactions: n(2), signatures: n(3), millis: n(4) };
}

const verdictText = (page: Page): Promise<string> => page.$eval('.verdict', (e) => e.textContent.replace(/^\s*[✔✘]\s*/, '').trim());

describe('citizen pages in Chromium', function () {
  this.timeout(600_000);
  let browser: Browser | undefined;
  let server: StaticServer;
  /** The real verification service serving the small poll's chain. */
  let service: ChainServer | undefined;
  let data: Fixtures;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  const servers: StaticServer[] = [];

  before(async () => {
    ensureChromium();
    console.log('      bundling the citizen pages (scripts/bundle-web.js)…');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'bundle-web.js')], { stdio: 'inherit' });
    fs.mkdirSync(shots, { recursive: true });
    data = fixtures();
    server = await startServer(path.join(root, 'dist', 'web'), data.api, data.files);
    servers.push(server);
    if (data.chain !== undefined) {
      service = await serveChain(data.chain.small, path.join(root, 'dist', 'web'));
      servers.push(service);
    }
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });

  // Runs even when before() failed halfway: whatever was started is stopped, the browser first.
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await Promise.all(servers.splice(0).map((s) => s.close()));
    }
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
  });

  /**
   * A fresh context per test: a cold cache, as a citizen opening a link. Console errors and CSP reports fail it.
   * `base` is the static server unless given (the real service's URL).
   */
  async function open(url: string, viewport = { width: 1000, height: 900 }, base = server.url): Promise<Page> {
    if (browser === undefined) throw new Error('no browser');
    const context = await browser.createBrowserContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.setViewport(viewport);
    // An API refusal (403 EMBARGOED) is logged as a failed resource: expected, and not a page error.
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`${url}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`${url}: ${String(e)}`));
    await page.goto(base + url, { waitUntil: 'domcontentloaded' });
    return page;
  }

  afterEach(() => {
    const seen = problems.splice(0);
    expect(seen, 'console errors or CSP violations').to.deep.equal([]);
  });

  it('lists the polls', async () => {
    const page = await open('/');
    await page.waitForSelector('.poll-list a');
    expect(await page.$$eval('.poll-list a', (as) => as.map((a) => a.textContent))).to.include(data.publicPoll.title);
    await page.screenshot({ path: path.join(shots, 'index.png'), fullPage: true });
  });

  it('shows a poll\'s result as charts with the numbers as text, on a phone', async () => {
    const page = await open(`/results.html?poll=${data.publicPoll.id}`, { width: 390, height: 844 });
    await page.waitForSelector('figure.chart svg[role="img"]');
    const label = await page.$eval('figure.chart svg', (s) => s.getAttribute('aria-label') ?? '');
    expect(label).to.match(/\d/);
    expect(await page.$eval('[data-field="ballotCount"]', (e) => e.textContent)).to.equal(data.publicPoll.ballotCount.toLocaleString('en-US'));
    await page.screenshot({ path: path.join(shots, 'results-phone.png'), fullPage: true });
  });

  describe('with a real chain, served by the real verification service (the core verifies it in the browser)', () => {
    before(function () {
      if (data.chain === undefined || service === undefined) {
        console.log(`      (skipped: ${data.chainMissing ?? 'no chain fixture'})`);
        this.skip();
      }
    });

    it('during an after-close poll, checks the observer\'s statement against its MSP in the config from the pinned genesis, and says the proof follows', async () => {
      const sealed = data.chain!.sealed;
      const sealedService = await serveChain(sealed.chain, path.join(root, 'dist', 'web'));
      servers.push(sealedService);
      const page = await open(`/verify.html#receipt=${base64UrlEncode(JSON.stringify(sealed.receipt))}`, undefined, sealedService.url);
      expect(await finalState(page, '#result')).to.equal('partial');
      await page.screenshot({ path: path.join(shots, 'verify-embargoed.png'), fullPage: true });
      expect(await verdictText(page)).to.match(/^Partly verified, for now: the observer signed that your transaction is VALID in block 5/);
      const facts = await page.$eval('.facts', (e) => e.textContent.replace(/\s+/g, ' '));
      expect(facts).to.contain("Certificate issued by ObserverMSP's CA✔ auditor-observer (client of ObserverMSP)");
      expect(facts).to.contain('under the config of blocks 0, 2, followed from the pinned genesis');
    });

    it('during an after-close poll, refuses a statement re-signed by a self-made certificate, one signed by the city, and one altered', async () => {
      const sealed = data.chain!.sealed;
      const cases: [string, ServedChain['auditor'], ((a: ReceiptStatus) => ReceiptStatus) | undefined, RegExp][] = [
        ['a self-made certificate', selfMadeAuditor(), undefined, /^NOT verified: the certificate \(auditor-observer\) was not issued by ObserverMSP's CA\.$/],
        ['the city', auditorOf(orgs.city), undefined, /^NOT verified: CityMSP is not an observer organisation/],
        ['an altered statement', sealed.chain.auditor, (a) => (a.found ? { ...a, attestation: { ...a.attestation, statement: { ...a.attestation.statement, txIndex: 7 } } } : a), /^NOT verified: the signature by auditor-observer .* does not verify over this statement\.$/],
      ];
      for (const [what, auditor, tamper, expected] of cases) {
        const forged = await serveChain({ ...sealed.chain, auditor }, path.join(root, 'dist', 'web'), tamper);
        servers.push(forged);
        const page = await open(`/verify.html#receipt=${base64UrlEncode(JSON.stringify(sealed.receipt))}`, undefined, forged.url);
        const state = await finalState(page, '#result');
        const text = await verdictText(page);
        console.log(`      statement signed by ${what}: ${text}`);
        await page.screenshot({ path: path.join(shots, `verify-embargoed-${what.replace(/\W+/g, '-')}.png`), fullPage: true });
        expect(text, what).to.match(expected);
        expect(state, what).to.equal('not-verified');
      }
    });

    it('verifies a genuine receipt from a cold load, and prints the time', async () => {
      const chain = data.chain!;
      const started = Date.now();
      const page = await open(`/verify.html#receipt=${base64UrlEncode(JSON.stringify(chain.receipt))}`, undefined, service!.url);
      const state = await finalState(page, '#result');
      const wall = Date.now() - started;
      const sinceNavigation = await page.evaluate(() => Math.round(performance.now()));
      const inPage = await page.$eval('#result', (e) => (e as HTMLElement).dataset.millis);
      const stats = await statsOf(page);
      const bytes = await service!.bundleBytes(chain.pollId);
      console.log(`      cold-load receipt verification: ${wall} ms from opening the link to the verdict (${sinceNavigation} ms since navigation start, ${inPage ?? '?'} ms from the page's start of the check); ` +
        `${stats.blocks} blocks, ${stats.transactions} transactions, ${stats.signatures} signatures checked; bundle ${(bytes / 1024).toFixed(1)} KiB`);
      await page.screenshot({ path: path.join(shots, 'verify-genuine.png'), fullPage: true });
      expect(await verdictText(page)).to.match(/^Verified: your ballot is in block \d+, transaction \d+ \([0-9a-f]{64}\), endorsed by ObserverMSP and CityMSP, exactly as cast, and counted in the result\.$/);
      expect(await verdictText(page)).to.contain(chain.receipt.txId);
      expect(state).to.equal('verified');
      expect(await page.$$eval('.step.fail', (e) => e.length), 'failed steps').to.equal(0);
    });

    it('refuses a forged receipt', async () => {
      for (const [forgery, receipt] of Object.entries(data.chain!.forgedReceipts)) {
        const page = await open('/verify.html', undefined, service!.url);
        await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#genesis')?.value.length === 64);
        await page.type('#receipt-paste', JSON.stringify(receipt));
        await page.click('button[type="submit"]');
        const state = await finalState(page, '#result');
        const text = await verdictText(page);
        console.log(`      forged receipt (${forgery}): ${text}`);
        await page.screenshot({ path: path.join(shots, `verify-forged-${forgery.replace(/\W+/g, '-')}.png`), fullPage: true });
        expect(text, forgery).to.match(/^NOT verified: /);
        expect(state, forgery).to.equal('not-verified');
      }
    });

    it('refuses a receipt of a ballot its voter replaced (on the ledger as cast, but not counted)', async () => {
      const replaced = data.chain!.small.replaced!;
      const page = await open(`/verify.html#receipt=${base64UrlEncode(JSON.stringify(replaced))}`, undefined, service!.url);
      expect(await finalState(page, '#result')).to.equal('not-verified');
      expect(await verdictText(page)).to.match(/^NOT verified: .*a later ballot of this voter/);
    });

    it('re-tallies the result in the browser and finds it matches', async () => {
      const page = await open(`/results.html?poll=${data.chain!.pollId}`, undefined, service!.url);
      await page.waitForSelector('#verify-result:not([hidden])');
      await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#genesis')?.value.length === 64);
      await page.click('#verify-result');
      const state = await finalState(page, '#verification');
      await page.screenshot({ path: path.join(shots, 'results-verified.png'), fullPage: true });
      expect(await verdictText(page)).to.match(/^Verified: the result recomputed in your browser from 5 ballots matches/);
      expect(state).to.equal('verified');
      expect(await page.$eval('[data-field="ballotCount"]', (e) => e.textContent)).to.equal(String(data.chain!.small.ballotCount));
    });

    it(`re-tallies a ${BIG_BALLOTS.toLocaleString('en-US')}-ballot poll in the browser, and prints the speed`, async function () {
      if (!(BIG_BALLOTS > 0)) this.skip();
      let t = Date.now();
      const big = pollChain('big-poll', `Big poll (${BIG_BALLOTS} synthetic ballots)`, BIG_BALLOTS, 100);
      console.log(`      built ${big.transactions.toLocaleString('en-US')} transactions in ${big.blocks.length} blocks in ${Date.now() - t} ms`);
      const bigService = await serveChain(big, path.join(root, 'dist', 'web'));
      servers.push(bigService);
      const bytes = await bigService.bundleBytes(big.pollId);
      const page = await open(`/results.html?poll=${big.pollId}`, undefined, bigService.url);
      await page.waitForSelector('#verify-result:not([hidden])');
      await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#genesis')?.value.length === 64);
      t = Date.now();
      await page.click('#verify-result');
      const state = await finalState(page, '#verification', 120_000);
      const wall = Date.now() - t;
      const stats = await statsOf(page);
      await page.screenshot({ path: path.join(shots, 'results-big-verified.png'), fullPage: true });
      console.log(`      browser verification: ${stats.transactions.toLocaleString('en-US')} transactions, ${stats.signatures.toLocaleString('en-US')} signatures in ${stats.millis} ms ` +
        `= ${Math.round(stats.transactions / (stats.millis / 1000)).toLocaleString('en-US')} tx/s in the verifier; ${wall} ms from the click to the verdict, bundle fetch included ` +
        `(${Math.round(stats.transactions / (wall / 1000)).toLocaleString('en-US')} tx/s); bundle ${(bytes / 1024 / 1024).toFixed(1)} MiB (${Math.round(bytes / stats.transactions).toLocaleString('en-US')} bytes a transaction)`);
      expect(await verdictText(page)).to.match(/^Verified: the result recomputed in your browser from [\d,]+ ballots matches/);
      expect(state).to.equal('verified');
      expect(stats.transactions).to.equal(big.transactions);
    });
  });
});
