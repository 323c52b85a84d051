/**
 * The verification service's JSON API, as the page reads it (same origin: the service serves the page). Every
 * answer is parsed; nothing here is trusted for a verdict: bundles go to the verifier, the rest is only shown.
 */
import { z } from 'zod';
import {
  type PollDetail,
  PollDetailSchema,
  type PollSummary,
  PollListSchema,
  type Receipt,
  type ReceiptStatus,
  ReceiptStatusSchema,
  ServiceErrorSchema,
  type SignedCheckpoint,
  SignedCheckpointSchema,
} from '../wire';

/** A refusal or failure of the service, with its stable code when it sent one (e.g. EMBARGOED). */
export class ServiceRequestError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(message: string, options: { status: number; code: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'ServiceRequestError';
    this.status = options.status;
    this.code = options.code;
  }
}

/** How the page reaches the network; a test may pass its own. */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export class ServiceClient {
  readonly #base: string;
  readonly #fetch: Fetch;

  constructor(base = '', fetchFn: Fetch = (url, init) => fetch(url, init)) {
    this.#base = base.replace(/\/$/, '');
    this.#fetch = fetchFn;
  }

  async #get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const response = await this.#fetch(this.#base + path, { headers: { accept: 'application/json' } });
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = ServiceErrorSchema.safeParse(body);
      throw error.success
        ? new ServiceRequestError(error.data.error.message, { status: response.status, code: error.data.error.code })
        : new ServiceRequestError(`The service answered ${response.status} ${response.statusText}`, { status: response.status, code: `HTTP_${response.status}` });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ServiceRequestError(`The service sent an unexpected answer for ${path}`, { status: response.status, code: 'BAD_ANSWER', cause: parsed.error });
    }
    return parsed.data;
  }

  async polls(): Promise<PollSummary[]> {
    return (await this.#get('/v1/polls', PollListSchema)).polls;
  }

  poll(pollId: string): Promise<PollDetail> {
    return this.#get(`/v1/polls/${encodeURIComponent(pollId)}`, PollDetailSchema);
  }

  /** The poll's bundle as JSON, for the verifier's own parser (it is the verifier's input, not the page's). */
  pollBundle(pollId: string): Promise<unknown> {
    return this.#get(`/v1/polls/${encodeURIComponent(pollId)}/bundle`, z.unknown());
  }

  receiptStatus(receipt: Receipt): Promise<ReceiptStatus> {
    const path = `/v1/receipts/${encodeURIComponent(receipt.pollId)}/${encodeURIComponent(receipt.ballotId)}?txId=${encodeURIComponent(receipt.txId)}`;
    return this.#get(path, ReceiptStatusSchema);
  }

  checkpoint(): Promise<SignedCheckpoint> {
    return this.#get('/v1/checkpoint', SignedCheckpointSchema);
  }
}
