import type { ServiceError as ServiceErrorBody, ServiceErrorCodes } from '../wire';

/**
 * The error catalogue: every code the service answers with (wire.ts's ServiceErrorCodes, no others) and its HTTP
 * status. Domain code throws ServiceFailure; http/error-handler.ts is the one place it becomes a response.
 */

export type ServiceErrorCode = (typeof ServiceErrorCodes)[number];

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  EMBARGOED: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const satisfies Record<ServiceErrorCode, number>;

export type ErrorDetails = Readonly<Record<string, unknown>>;

export class ServiceFailure extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly details?: ErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceFailure';
  }

  get httpStatus(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ServiceErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: { ...this.details } } : {}) } };
  }
}

/** The peer did not answer (or not in time): the service cannot say anything reliable now. */
export class PeerUnavailableError extends ServiceFailure {
  constructor(what: string, options?: { cause?: unknown }) {
    super('UNAVAILABLE', `the observer's peer did not answer (${what})`, undefined, options);
    this.name = 'PeerUnavailableError';
  }
}
