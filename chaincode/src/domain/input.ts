import { type ArgName, Args } from '@poll-ledger/protocol';
import type { z } from 'zod';
import { InvalidArgumentError } from './errors';

/** Transaction arguments, checked with the protocol's schemas; a refusal names the field it refuses. */

export type ArgValue<N extends ArgName> = z.output<(typeof Args)[N]>;
type RawIssue = z.core.$ZodRawIssue;

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses argument `name`; the first issue becomes INVALID_ARGUMENT with `{ field }`, e.g. `pollJson.title`. `as`
 * names the value when it is not a whole argument, such as `ballotsJson[2].voterToken` checked as a voterToken.
 */
export function parseArg<N extends ArgName>(name: N, text: string, as: string = name): ArgValue<N> {
  const result = (Args[name] as z.ZodType).safeParse(text, { error: describeIssue });
  if (result.success) {
    return result.data as ArgValue<N>;
  }
  const issue = result.error.issues[0];
  const field = fieldPath(as, issue?.path ?? []);
  const message = issue?.message ?? 'is not valid';
  // Messages of the form "must …" / "is …" read on from the field; anything else gets a colon.
  throw new InvalidArgumentError(/^(must|is)\b/.test(message) ? `${field} ${message}` : `${field}: ${message}`, field);
}

function fieldPath(name: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (field, key) => (typeof key === 'number' ? `${field}[${key}]` : `${field}.${String(key)}`),
    name,
  );
}

const quoted = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');
const typeNames: Readonly<Partial<Record<string, string>>> = { int: 'integer' };
const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
const units: Readonly<Partial<Record<string, string>>> = { string: 'character', array: 'item' };

function bound(which: 'at least' | 'at most', limit: number | bigint, origin: string): string {
  const unit = units[origin];
  if (unit === undefined) {
    return `must be ${which} ${String(limit)}`;
  }
  return `must have ${which} ${String(limit)} ${unit}${limit === 1 ? '' : 's'}`;
}

/**
 * Readable text for zod's generic issues (a schema's own messages win over this). Undefined keeps zod's text.
 */
function describeIssue(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return 'is required';
      }
      return `must be ${article(typeNames[issue.expected] ?? issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${quoted(issue.values)}` : `must be one of ${quoted(issue.values)}`;
    case 'too_small':
      return bound('at least', issue.minimum, issue.origin);
    case 'too_big':
      return bound('at most', issue.maximum, issue.origin);
    case 'invalid_union':
      return issue.errors.length === 0 ? undefined : describeAlternatives(issue.errors.map((b) => b[0]?.message ?? ''));
    default:
      return undefined;
  }
}

/** `''` or a status: 'must be "" or one of "draft", …'. */
function describeAlternatives(messages: readonly string[]): string {
  const rest = messages.map((m) => m.replace(/^must be /, ''));
  return `must be ${rest.join(' or ')}`;
}
