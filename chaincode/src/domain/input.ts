import { type Bounds, Patterns } from '../config';
import { InvalidArgumentError } from './errors';

/** Checks for caller-supplied values. Each one names the field it refuses, as INVALID_ARGUMENT. */

export type JsonRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonArgument(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`${field} is not valid JSON`);
  }
}

export function requireRecord(value: unknown, field: string): JsonRecord {
  if (!isRecord(value)) {
    throw new InvalidArgumentError(`${field} must be a JSON object`);
  }
  return value;
}

export function requireArray(value: unknown, field: string, bounds: Bounds): readonly unknown[] {
  if (!Array.isArray(value) || value.length < bounds.min || value.length > bounds.max) {
    throw new InvalidArgumentError(`${field} must be an array of ${bounds.min} to ${bounds.max} items`);
  }
  return value as readonly unknown[];
}

/** A string of at most maxLength characters; non-empty (after trimming) unless allowEmpty. */
export function requireText(value: unknown, field: string, maxLength: number, allowEmpty = false): string {
  if (typeof value !== 'string' || value.length > maxLength || (!allowEmpty && value.trim() === '')) {
    const what = allowEmpty ? 'a string' : 'a non-empty string';
    throw new InvalidArgumentError(`${field} must be ${what} of at most ${maxLength} characters`);
  }
  return value;
}

export function requireInteger(value: unknown, field: string, bounds: Bounds): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new InvalidArgumentError(`${field} must be an integer from ${bounds.min} to ${bounds.max}`);
  }
  return value;
}

export function requireOneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    throw new InvalidArgumentError(`${field} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return found;
}

export function requirePattern(value: unknown, field: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new InvalidArgumentError(`${field} must match ${pattern.source}`);
  }
  return value;
}

export const requireId = (value: unknown, field: string): string => requirePattern(value, field, Patterns.id);

/** A decimal integer argument such as a page size. */
export function parseDecimal(text: string, field: string, bounds: Bounds): number {
  return requireInteger(/^[0-9]{1,9}$/.test(text) ? Number(text) : Number.NaN, field, bounds);
}
