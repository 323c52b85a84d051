import {
  type Ballot,
  BallotSchema,
  type Poll,
  PollSchema,
  type TallyState,
  TallyStateSchema,
} from '@poll-ledger/protocol';

/**
 * The `polls` chaincode's records, read against the protocol's schemas. A record that does not fit them (an unknown
 * field included: the schemas are strict) is reported as a RecordError, never trusted.
 */

export class RecordError extends Error {
  override readonly name = 'RecordError';
}

/** What the auditor needs of a zod schema; typed structurally so the auditor does not depend on zod itself. */
interface RecordSchema<T> {
  safeParse(value: unknown):
    | { readonly success: true; readonly data: T }
    | { readonly success: false; readonly error: { readonly issues: readonly Issue[] } };
}

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Issues named in a message; the rest are counted, so one bad record cannot flood the report. */
const ISSUES_SHOWN = 3;

export function parsePollRecord(text: string): Poll {
  return parseRecord(PollSchema, text, 'poll');
}

export function parseBallotRecord(text: string): Ballot {
  return parseRecord(BallotSchema, text, 'ballot');
}

export function parseTallyRecord(text: string): TallyState {
  return parseRecord(TallyStateSchema, text, 'tally');
}

function parseRecord<T>(schema: RecordSchema<T>, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RecordError(`the ${what} record is not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new RecordError(`the ${what} record does not fit the protocol: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

function describeIssues(issues: readonly Issue[]): string {
  const shown = issues.slice(0, ISSUES_SHOWN).map((issue) => {
    const where = issue.path.map(String).join('.');
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
  const more = issues.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}
