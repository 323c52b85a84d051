/**
 * The auditor's typed errors. Each carries a stable code; the CLI maps every code to an exit status
 * (usage and connection problems are 2, never 1, which is reserved for "the ledger does not check out").
 */

export const AuditErrorCodes = [
  'USAGE',
  'CONFIG',
  'CONNECTION',
  'BLOCK_SOURCE',
  'CHECKPOINT',
  'RECEIPT_INPUT',
] as const;
export type AuditErrorCode = (typeof AuditErrorCodes)[number];

export class AuditError extends Error {
  override readonly name: string = 'AuditError';

  constructor(
    readonly code: AuditErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad command line: unknown option, missing value, contradictory options. */
export class UsageError extends AuditError {
  override readonly name = 'UsageError';

  constructor(message: string, details?: Readonly<Record<string, unknown>>) {
    super('USAGE', message, details);
  }
}

/** A file the configuration names is missing or malformed (network.json, certificates, keys). */
export class ConfigError extends AuditError {
  override readonly name = 'ConfigError';

  constructor(message: string, details?: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super('CONFIG', message, details, options);
  }
}

/** The peer could not be reached or refused a request. */
export class ConnectionError extends AuditError {
  override readonly name = 'ConnectionError';

  constructor(message: string, details?: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super('CONNECTION', message, details, options);
  }
}

/** Blocks could not be read from their source (an export directory, or the peer's deliver stream). */
export class BlockSourceError extends AuditError {
  override readonly name = 'BlockSourceError';

  constructor(message: string, details?: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super('BLOCK_SOURCE', message, details, options);
  }
}

/** A checkpoint file that cannot be used: unreadable, another channel, another format. */
export class CheckpointError extends AuditError {
  override readonly name = 'CheckpointError';

  constructor(message: string, details?: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super('CHECKPOINT', message, details, options);
  }
}

/** A receipt file that is not a receipt. */
export class ReceiptInputError extends AuditError {
  override readonly name = 'ReceiptInputError';

  constructor(message: string, details?: Readonly<Record<string, unknown>>) {
    super('RECEIPT_INPUT', message, details);
  }
}

/** The one place low-level failures become messages: typed errors keep theirs, anything else is wrapped. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
