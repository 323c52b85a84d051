/**
 * The big poll's citizen pages in Chromium, served by the observer's real verification service from its own peer
 * (started as the e2e verification test starts it): the results page re-tallies the poll in the browser, and a
 * receipt link opened from a cold browser context verifies one ballot. Prints figures; asserts nothing about speed,
 * but a verdict other than "verified" fails the benchmark.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { z } from 'zod';
import type { Receipt } from '@poll-ledger/verifier';
import type { Connection } from '../test/support/fabric';
import { chainHeight } from '../test/support/ledger';
import { type VerificationServiceProcess, ensureVerifierBuilt, eventually, servicePort, startVerificationService, verifierDir } from '../test/support/verification';
import { type ColdPage, type Outcome, type VerifierStats, ensureChromium, genesisFilled, launchChromium, openCold, parseStats, verdictOf } from './browser';

/** The longest a verification in the page may take before the benchmark gives up. */
const VERIFY_TIMEOUT_MS = 600_000;

export interface CitizenPagesInput {
  /** A connection to read the peer's chain height with. */
  readonly conn: Connection;
  readonly pollId: string;
  /** One ballot's receipt (pollId, ballotId, txId, ballotHash), as the relay got it. */
  readonly receipt: Receipt | undefined;
  readonly genesisHash: string;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);
const perSecond = (count: number, ms: number): string => Math.round(count / (ms / 1000)).toLocaleString('en-US');
const HealthSchema = z.object({ height: z.number() });

function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The built citizen page: bundled now only when verifier/dist/web has none (a fresh checkout). */
function ensurePageBuilt(): string {
  ensureVerifierBuilt();
  const script = path.join(verifierDir, 'dist', 'web', 'main.js');
  if (!fs.existsSync(script)) execFileSync(process.execPath, [path.join(verifierDir, 'scripts', 'bundle-web.js')], { stdio: 'inherit' });
  return script;
}

/** Waits until the service has indexed every block the peer had when asked; that height. */
async function caughtUp(service: VerificationServiceProcess, conn: Connection): Promise<number> {
  const height = await chainHeight(conn);
  await eventually(`the ${service.org} service to read ${String(height)} blocks`, async () => {
    const res = await fetch(`${service.url}/healthz`);
    return HealthSchema.parse(await res.json()).height >= height ? true : undefined;
  }, VERIFY_TIMEOUT_MS);
  return height;
}

/** The genesis-hash.txt the page is given: none if the service publishes the pinned hash itself. */
async function genesisFileFor(serviceUrl: string, genesisHash: string): Promise<string | undefined> {
  const res = await fetch(`${serviceUrl}/genesis-hash.txt`);
  const published = res.ok ? await res.text() : '';
  if (published.includes(genesisHash)) return undefined;
  console.log(`citizen pages: the service publishes no genesis-hash.txt (HTTP ${String(res.status)}); the browser is served the pinned hash as that file, as an operator would publish it`);
  return `${genesisHash}\n`;
}

function requireVerified(what: string, outcome: Outcome, page: ColdPage): void {
  if (page.problems.length > 0) console.log(`  ${what}: page errors: ${page.problems.join(' | ')}`);
  if (outcome.state !== 'verified') throw new Error(`${what}: the page says ${outcome.state}: ${outcome.verdict}`);
}

/** results.html: click "verify this result yourself" and time the verification, bundle fetch included. */
async function resultsPage(browser: Browser, url: string, pollId: string, genesisFile: string | undefined): Promise<VerifierStats> {
  const opened = await openCold(browser, `${url}/results.html?poll=${encodeURIComponent(pollId)}`, genesisFile === undefined ? {} : { genesisFile });
  try {
    const { page } = opened;
    await page.waitForSelector('#verify-result:not([hidden])', { timeout: 60_000 });
    await genesisFilled(page);
    const clicked = Date.now();
    await page.click('#verify-result');
    const outcome = await verdictOf(page, '#verification', VERIFY_TIMEOUT_MS);
    const wall = Date.now() - clicked;
    requireVerified('results page', outcome, opened);
    const stats = parseStats(outcome.stats);
    console.log(`citizen results page (Chromium): ${outcome.state.toUpperCase()}, ${stats.blocks.toLocaleString('en-US')} blocks, ${stats.transactions.toLocaleString('en-US')} transactions, ` +
      `${stats.signatures.toLocaleString('en-US')} signatures in ${seconds(stats.millis)} s in the verifier: ${perSecond(stats.transactions, stats.millis)} tx/s; ` +
      `${seconds(wall)} s from the click to the verdict, bundle fetch included: ${perSecond(stats.transactions, wall)} tx/s`);
    console.log(`  verdict: ${outcome.verdict}`);
    return stats;
  } finally {
    await opened.close();
  }
}

/** verify.html#receipt=…: a receipt link opened in a fresh browser context, timed from opening to the verdict. */
async function receiptPage(browser: Browser, url: string, receipt: Receipt, genesisFile: string | undefined): Promise<void> {
  const started = Date.now();
  const opened = await openCold(browser, `${url}/verify.html#receipt=${base64Url(JSON.stringify(receipt))}`, genesisFile === undefined ? {} : { genesisFile });
  try {
    const outcome = await verdictOf(opened.page, '#result', VERIFY_TIMEOUT_MS);
    const wall = Date.now() - started;
    requireVerified('receipt page', outcome, opened);
    const stats = parseStats(outcome.stats);
    console.log(`citizen receipt page (Chromium, cold browser context): ${outcome.state.toUpperCase()} in ${seconds(wall)} s from opening the link to the verdict ` +
      `(${seconds(outcome.sinceNavigation)} s since navigation start, ${outcome.millis === null ? '?' : seconds(Number(outcome.millis))} s from the page's start of the check); ` +
      `verifier ${seconds(stats.millis)} s for ${stats.transactions.toLocaleString('en-US')} transactions: ${perSecond(stats.transactions, stats.millis)} tx/s`);
    console.log(`  verdict: ${outcome.verdict}`);
  } finally {
    await opened.close();
  }
}

/** The poll's bundle as the service serves it to the page: its size in bytes and its block count. */
async function bundleSize(url: string, pollId: string): Promise<{ bytes: number; blocks: number }> {
  const res = await fetch(`${url}/v1/polls/${encodeURIComponent(pollId)}/bundle`);
  if (!res.ok) throw new Error(`GET the poll's bundle: HTTP ${String(res.status)}`);
  const text = await res.text();
  const parsed = z.object({ blocks: z.array(z.string()) }).parse(JSON.parse(text));
  return { bytes: Buffer.byteLength(text), blocks: parsed.blocks.length };
}

/** Runs the citizen pages of POLL_ID against the observer's own verification service, and prints the figures. */
export async function citizenPages(input: CitizenPagesInput): Promise<void> {
  const { conn, pollId, receipt, genesisHash } = input;
  const script = ensurePageBuilt();
  const chromium = ensureChromium();
  const started = Date.now();
  const service = await startVerificationService('observer', servicePort(0), 120_000);
  let browser: Browser | undefined;
  try {
    const height = await caughtUp(service, conn);
    console.log(`verification service (observer, from its own peer): ${service.url}, all ${String(height)} blocks read ${seconds(Date.now() - started)} s after its start`);
    const genesisFile = await genesisFileFor(service.url, genesisHash);
    browser = await launchChromium();
    const built = fs.statSync(script);
    console.log(`chromium ${chromium} (Debian's package), ${await browser.version()}; page script ${(built.size / 1024).toFixed(0)} KiB, built ${built.mtime.toISOString()}`);
    const { transactions } = await resultsPage(browser, service.url, pollId, genesisFile);
    if (receipt === undefined) console.log('citizen receipt page: skipped (no ballot of the poll has a receipt)');
    else await receiptPage(browser, service.url, receipt, genesisFile);
    const bundle = await bundleSize(service.url, pollId);
    console.log(`poll bundle served to the page: ${(bundle.bytes / 1024 / 1024).toFixed(1)} MiB (${bundle.bytes.toLocaleString('en-US')} bytes), ${String(bundle.blocks)} blocks, ` +
      `${Math.round(bundle.bytes / Math.max(transactions, 1)).toLocaleString('en-US')} bytes a transaction`);
  } finally {
    await browser?.close();
    await service.stop();
  }
}
