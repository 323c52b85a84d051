/**
 * The citizen pages in a real browser: Debian's chromium (installed here if missing; no browser download works)
 * driven by puppeteer-core, against the built dist/web/ under the service's strict CSP. Screenshots go to
 * test-output/. Run: npm run test:browser -w @poll-ledger/verifier
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { base64UrlEncode } from '../../src/web/receipt-input';
import { type Fixtures, fixtures } from './browser-fixtures';
import { type StaticServer, startServer } from './static-server';

const CHROMIUM = '/usr/bin/chromium';
const root = path.resolve(__dirname, '..', '..');
const shots = path.join(root, 'test-output');

function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing: run "apt-get install -y chromium" as root`);
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', timeout: 600_000 });
}

/** The page's final state (data-state on the result container) once the check has ended. */
async function finalState(page: Page, selector: string): Promise<string> {
  await page.waitForFunction((s) => ['verified', 'not-verified', 'partial'].includes(document.querySelector<HTMLElement>(s)?.dataset.state ?? ''), { timeout: 60_000 }, selector);
  return page.$eval(selector, (e) => (e as HTMLElement).dataset.state ?? '');
}

const verdictText = (page: Page): Promise<string> => page.$eval('.verdict', (e) => e.textContent.replace(/^\s*[✔✘]\s*/, '').trim());

describe('citizen pages in Chromium', function () {
  this.timeout(600_000);
  let browser: Browser;
  let server: StaticServer;
  let data: Fixtures;
  const problems: string[] = [];

  before(async () => {
    ensureChromium();
    execFileSync(process.execPath, [path.join(root, 'scripts', 'bundle-web.js')], { stdio: 'inherit' });
    fs.mkdirSync(shots, { recursive: true });
    data = await fixtures();
    server = await startServer(path.join(root, 'dist', 'web'), data.api, data.files);
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });

  after(async () => {
    await browser.close();
    await server.close();
  });

  /** A fresh context per test: a cold cache, as a citizen opening a link. Console errors and CSP reports fail it. */
  async function open(url: string, viewport = { width: 1000, height: 900 }): Promise<Page> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport(viewport);
    // An API refusal (403 EMBARGOED) is logged as a failed resource: expected, and not a page error.
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`${url}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`${url}: ${String(e)}`));
    await page.goto(server.url + url, { waitUntil: 'domcontentloaded' });
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

  it('during an after-close poll, checks the observer\'s signed statement and says the proof follows', async () => {
    const page = await open(`/verify.html#receipt=${base64UrlEncode(JSON.stringify(data.embargoed.receipt))}`);
    expect(await finalState(page, '#result')).to.equal('partial');
    expect(await verdictText(page)).to.match(/^Partly verified, for now: the observer signed that your transaction is VALID/);
    await page.screenshot({ path: path.join(shots, 'verify-embargoed.png'), fullPage: true });
  });

  it('during an after-close poll, refuses a statement whose signature does not verify', async () => {
    const page = await open(`/verify.html#receipt=${base64UrlEncode(JSON.stringify(data.embargoed.forgedReceipt))}`);
    expect(await finalState(page, '#result')).to.equal('not-verified');
    expect(await verdictText(page)).to.match(/^NOT verified: the signature does not verify/);
  });

  describe('with a real bundle (the core verifies it in the browser)', () => {
    before(function () {
      if (data.chain === undefined) {
        console.log(`      (skipped: ${data.chainMissing ?? 'no chain fixture'})`);
        this.skip();
      }
    });

    it('verifies a genuine receipt from a cold load, and prints the time', async () => {
      const chain = data.chain!;
      const started = Date.now();
      const page = await open(`/verify.html#receipt=${base64UrlEncode(JSON.stringify(chain.receipt))}`);
      const state = await finalState(page, '#result');
      const wall = Date.now() - started;
      const inPage = await page.$eval('#result', (e) => (e as HTMLElement).dataset.millis);
      console.log(`      cold-load receipt verification: ${wall} ms from navigation to verdict (${inPage ?? '?'} ms in the page)`);
      await page.screenshot({ path: path.join(shots, 'verify-genuine.png'), fullPage: true });
      expect(await verdictText(page)).to.match(/^Verified: your ballot is in block \d+/);
      expect(state).to.equal('verified');
    });

    it('refuses a forged receipt', async () => {
      const page = await open('/verify.html');
      await page.type('#receipt-paste', JSON.stringify(data.chain!.forgedReceipt));
      await page.click('button[type="submit"]');
      expect(await finalState(page, '#result')).to.equal('not-verified');
      await page.screenshot({ path: path.join(shots, 'verify-forged.png'), fullPage: true });
      expect(await verdictText(page)).to.match(/NOT verified: /);
    });

    it('re-tallies the result in the browser and finds it matches', async () => {
      const page = await open(`/results.html?poll=${data.chain!.pollId}`);
      await page.waitForSelector('#verify-result:not([hidden])');
      await page.click('#verify-result');
      const state = await finalState(page, '#verification');
      await page.screenshot({ path: path.join(shots, 'results-verified.png'), fullPage: true });
      expect(await verdictText(page)).to.match(/Verified: the result recomputed in your browser/);
      expect(state).to.equal('verified');
    });
  });
});
