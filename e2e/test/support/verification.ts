/**
 * The observers' public verification services (verifier/) as real processes on this network, and what a citizen
 * does with their answers: read them with the service's own wire schemas, check an observer's signature with
 * node:crypto alone, and run the offline verifier from a directory that holds no Fabric identity.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { X509Certificate, createHash, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import type { ObserverSignature } from '@poll-ledger/verifier';
import { networkJsonFile, portOffset, readNetwork, repoRoot, runDir } from './network';

export const verifierDir = path.join(repoRoot, 'verifier');
export const verifyCli = path.join(verifierDir, 'bin', 'poll-ledger-verify.js');
const serviceBin = path.join(verifierDir, 'bin', 'poll-ledger-verification-service.js');

/** Builds the verifier (service, CLI) when its dist/ is missing, as a fresh checkout has it. */
export function ensureVerifierBuilt(): void {
  if (!fs.existsSync(path.join(verifierDir, 'dist', 'service', 'main.js'))) {
    execFileSync('npm', ['run', 'build', '-w', '@poll-ledger/verifier'], { cwd: repoRoot, stdio: 'ignore' });
  }
}

/** The port of ORG's verification service: 8090 + offset for the observer, 8091 + offset for the watchdog, … */
export function servicePort(index: number): number {
  return 8090 + index + Number(portOffset);
}

export interface VerificationServiceProcess {
  readonly org: string;
  readonly url: string;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds; resolves once it is gone. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// Whatever happens to the test run, no service outlives it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => { resolve(); }));
}

/**
 * Starts `poll-ledger-verification-service` as ORG (its own peer, its auditor identity) on PORT, logging to the
 * run directory; resolves once /healthz answers and the service has read the chain (height above 0).
 */
export async function startVerificationService(org: string, port: number, timeoutMs = 60_000): Promise<VerificationServiceProcess> {
  const logFile = path.join(runDir, 'logs', `verification-service.${org}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  // Only this service's settings: a stray VERIFIER_* variable would stop it (unknown settings are refused).
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VERIFIER_')));
  const child = spawn(process.execPath, [serviceBin], {
    env: { ...env, VERIFIER_NETWORK_JSON: networkJsonFile, VERIFIER_ORG: org, VERIFIER_PORT: String(port), VERIFIER_HOST: '127.0.0.1', VERIFIER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  running.add(child);
  const gone = exited(child).then(() => { running.delete(child); });
  const url = `http://127.0.0.1:${String(port)}`;
  const stop = async (): Promise<void> => {
    if (!running.has(child)) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 8_000);
    await gone;
    clearTimeout(killer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running.has(child)) throw new Error(`the ${org} verification service exited with ${String(child.exitCode ?? child.signalCode)}:\n${tail(logFile)}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok && ((await res.json()) as { height?: number }).height !== 0) return { org, url, logFile, stop };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the ${org} verification service did not become ready in ${String(timeoutMs)} ms:\n${tail(logFile)}`);
    }
    await sleep(250);
  }
}

function tail(file: string): string {
  return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
}

export interface Answer<T> {
  readonly status: number;
  readonly body: T;
  readonly bytes: number;
  readonly headers: Headers;
}

/** GET URL, its JSON body parsed with SCHEMA (the service's wire contract): an answer it does not define fails. */
export async function getJson<S extends z.ZodType>(url: string, schema: S): Promise<Answer<z.output<S>>> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const text = await res.text();
  return { status: res.status, body: schema.parse(JSON.parse(text)), bytes: Buffer.byteLength(text), headers: res.headers };
}

/** GET URL as raw bytes (blocks). */
export async function getBytes(url: string): Promise<Answer<Buffer>> {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, body, bytes: body.length, headers: res.headers };
}

/** Retries FN until it returns a value other than undefined, or fails after TIMEOUT_MS with WHAT. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await sleep(500);
  }
}

/**
 * RFC 8785 for the flat statements observers sign (string and integer values only): keys sorted, no spaces. Written
 * here rather than imported, so the check does not rest on the signer's own encoder.
 */
function flatCanonicalJson(statement: Readonly<Record<string, string | number>>): string {
  for (const value of Object.values(statement)) {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error('flat statements hold integers only');
  }
  return JSON.stringify(statement, Object.keys(statement).sort());
}

export interface SignatureCheck {
  /** The ECDSA signature over the statement's canonical JSON verifies with the certificate's key. */
  readonly verifies: boolean;
  /** The certificate was issued by the CA of the org that network.json lists under SIGNER.mspId. */
  readonly issuedByOrgCa: boolean;
  readonly subject: string;
}

/**
 * An observer's signature as a citizen checks it with node:crypto: ECDSA P-256 over SHA-256 of the statement's
 * canonical JSON, by the certificate it names, that certificate issued by the signing org's CA (its MSP's cacerts).
 */
export function checkObserverSignature(statement: Readonly<Record<string, string | number>>, signer: ObserverSignature): SignatureCheck {
  const certificate = new X509Certificate(signer.certificate);
  const verifies = verify('sha256', Buffer.from(flatCanonicalJson(statement), 'utf8'), certificate.publicKey, Buffer.from(signer.signature, 'base64'));
  const orgKey = Object.entries(readNetwork().orgs).find(([, org]) => org.mspId === signer.mspId)?.[0];
  const caFile = orgKey === undefined ? undefined : path.join(runDir, 'orgs', orgKey, 'msp', 'cacerts', 'ca.pem');
  const ca = caFile !== undefined && fs.existsSync(caFile) ? new X509Certificate(fs.readFileSync(caFile)) : undefined;
  const issuedByOrgCa = ca !== undefined && certificate.checkIssued(ca) && certificate.verify(ca.publicKey);
  return { verifies, issuedByOrgCa, subject: certificate.subject.replace(/\n/g, ', ') };
}

/** Lowercase hex SHA-256. */
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly millis: number;
}

/**
 * Runs `poll-ledger-verify ARGS` the way a citizen would: in CWD (a fresh directory), with no Fabric identity, no
 * network.json and no POLL_LEDGER_* variables: only PATH and a HOME of its own.
 */
export function runVerifyCli(cwd: string, args: readonly string[]): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [verifyCli, ...args], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code, stdout, stderr, millis: Date.now() - started }); });
  });
}
