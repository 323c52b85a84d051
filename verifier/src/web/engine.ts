/**
 * The one place the pages reach the verifier: the same core the CLI runs, bundled into the page. The bundle is the
 * service's answer, so it is parsed here as untrusted input before the core checks it from the pinned genesis.
 */
import type { Progress, VerificationReport } from '../core/report';
import { verifyBundle } from '../core/verify';
import { BundleSchema, type Receipt } from '../wire';

export interface EngineOptions {
  readonly genesisHash: string;
  readonly pollId: string;
  readonly receipt?: Receipt;
  readonly onProgress?: (p: Progress) => void;
}

export function verifyBundleJson(json: unknown, options: EngineOptions): Promise<VerificationReport> {
  const parsed = BundleSchema.safeParse(json);
  if (!parsed.success) {
    return Promise.reject(new Error(`the observer sent a malformed bundle (${parsed.error.issues[0]?.message ?? 'invalid'})`));
  }
  return verifyBundle(parsed.data, { ...options });
}
