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

  static async #refusal(response: Response): Promise<ServiceRequestError> {
    const error = ServiceErrorSchema.safeParse(await response.json().catch(() => undefined));
    return error.success
      ? new ServiceRequestError(error.data.error.message, { status: response.status, code: error.data.error.code })
      : new ServiceRequestError(`The service answered ${response.status} ${response.statusText}`, { status: response.status, code: `HTTP_${response.status}` });
  }

  async #get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const response = await this.#fetch(this.#base + path, { headers: { accept: 'application/json' } });
    if (!response.ok) throw await ServiceClient.#refusal(response);
    const body: unknown = await response.json().catch(() => undefined);
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

  async #bytes(path: string): Promise<Uint8Array> {
    const response = await this.#fetch(this.#base + path, { headers: { accept: 'application/octet-stream' } });
    if (!response.ok) throw await ServiceClient.#refusal(response);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** A block as stored (protobuf); config blocks are always served. For the core's checks, which trust none of it. */
  block(n: number): Promise<Uint8Array> {
    return this.#bytes(`/v1/blocks/${n}`);
  }

  /** A block with its data emptied: header and orderer signatures. */
  headerOnly(n: number): Promise<Uint8Array> {
    return this.#bytes(`/v1/blocks/${n}/header-only`);
  }
}
