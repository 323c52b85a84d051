/**
 * The citizen pages in a real browser, for the benchmarks: Debian's chromium driven by puppeteer-core. No browser
 * download works here, so chromium comes from apt-get, installed if missing (as the verifier's browser test does).
 * What a page shows is read with expressions evaluated in the page and checked here with zod, so this file needs
 * no DOM typings in the e2e project.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import puppeteer, { type Browser, type BrowserContext, type CDPSession, type Page } from 'puppeteer-core';
import { z } from 'zod';

export const CHROMIUM = '/usr/bin/chromium';

/** The installed chromium's Debian version, after installing it with apt-get when it is missing (root only). */
export function ensureChromium(): string {
  const version = (): string => execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'chromium'], { encoding: 'utf8' });
  // Not `chromium --version`: Debian's wrapper script prints a shell error with it.
  if (fs.existsSync(CHROMIUM)) return version();
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing: run "apt-get install -y chromium" as root`);
  const install = (): void => {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  console.log(`${CHROMIUM} is missing: installing Debian's chromium with apt-get (a few minutes)…`);
  try {
    install();
  } catch {
    console.log('apt-get install failed: refreshing the package lists (apt-get update) and trying again…');
    execFileSync('apt-get', ['update'], { stdio: 'inherit', timeout: 600_000 });
    install();
  }
  return version();
}

/** Headless chromium, as the verifier's browser test starts it. */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface ColdPage {
  readonly page: Page;
  /** Console errors and uncaught page errors seen so far (a refused API call's "Failed to load resource" aside). */
  readonly problems: readonly string[];
  /** Closes the page's browser context. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Served to the page as `genesis-hash.txt`, the file an operator publishes next to the citizen page, for a service
   * that publishes none: the page then pre-fills the hash from it, as it would from the operator's file.
   */
  readonly genesisFile?: string;
  readonly viewport?: { readonly width: number; readonly height: number };
}

/** Answers the page's requests for genesis-hash.txt with TEXT; every other request goes to the network untouched. */
async function serveGenesisFile(page: Page, text: string): Promise<CDPSession> {
  const cdp = await page.createCDPSession();
  cdp.on('Fetch.requestPaused', (event) => {
    const body = Buffer.from(text, 'utf8').toString('base64');
    cdp.send('Fetch.fulfillRequest', { requestId: event.requestId, responseCode: 200, responseHeaders: [{ name: 'Content-Type', value: 'text/plain; charset=utf-8' }], body })
      .catch((err: unknown) => { console.error(`could not answer genesis-hash.txt: ${String(err)}`); });
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*/genesis-hash.txt', requestStage: 'Request' }] });
  return cdp;
}

/** Opens URL in a fresh browser context (a cold cache, as a citizen opening a link) and waits for its DOM. */
export async function openCold(browser: Browser, url: string, options: OpenOptions = {}): Promise<ColdPage> {
  const context: BrowserContext = await browser.createBrowserContext();
  const problems: string[] = [];
  try {
    const page = await context.newPage();
    await page.setViewport(options.viewport ?? { width: 1000, height: 900 });
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    if (options.genesisFile !== undefined) await serveGenesisFile(page, options.genesisFile);
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    return { page, problems, close: () => context.close() };
  } catch (err) {
    await context.close().catch(() => undefined);
    throw err;
  }
}

/** Waits until the page's #genesis field holds a 64-hex-digit hash (pre-filled from genesis-hash.txt). */
export async function genesisFilled(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction("document.querySelector('#genesis')?.value.length === 64", { timeout: timeoutMs });
}

const FINAL_STATES = ['verified', 'not-verified', 'partial'];

const OutcomeSchema = z.object({
  /** data-state of the result container: verified, not-verified or partial. */
  state: z.string(),
  /** The verdict sentence, without its ✔/✘ mark. */
  verdict: z.string(),
  /** The "Checked N blocks, …" line; empty when the verifier did not run to the end. */
  stats: z.string(),
  /** data-millis of the container, when the page sets it: from the start of its check to the verdict. */
  millis: z.string().nullable(),
  /** performance.now(): milliseconds since the page's navigation started. */
  sinceNavigation: z.number(),
});
export type Outcome = z.output<typeof OutcomeSchema>;

/** Waits (mutation-driven) for the verdict in the container SELECTOR, then reads it. */
export async function verdictOf(page: Page, selector: string, timeoutMs: number): Promise<Outcome> {
  const sel = JSON.stringify(selector);
  await page.waitForFunction(`${JSON.stringify(FINAL_STATES)}.includes(document.querySelector(${sel})?.dataset.state ?? '')`, { timeout: timeoutMs, polling: 'mutation' });
  const read = `(() => {
    const box = document.querySelector(${sel});
    const text = (s) => (box?.querySelector(s)?.textContent ?? '').replace(/\\s+/g, ' ').trim();
    return { state: box?.dataset.state ?? '', verdict: text('.verdict').replace(/^[✔✘]\\s*/, ''), stats: text('.stats'), millis: box?.dataset.millis ?? null, sinceNavigation: performance.now() };
  })()`;
  return OutcomeSchema.parse(await page.evaluate(read));
}

export interface VerifierStats {
  readonly blocks: number;
  readonly transactions: number;
  readonly signatures: number;
  readonly millis: number;
}

/** The numbers of the page's "Checked N blocks, T transactions and S signatures in M ms" line. */
export function parseStats(line: string): VerifierStats {
  const m = /Checked ([\d,]+) blocks, ([\d,]+) transactions and ([\d,]+) signatures in ([\d,]+) ms/.exec(line);
  if (m === null) throw new Error(`no stats line in "${line}"`);
  const n = (i: number): number => Number((m[i] ?? '').replace(/,/g, ''));
  return { blocks: n(1), transactions: n(2), signatures: n(3), millis: n(4) };
}
