/**
 * Writes `vectors/*.json` from the cases below, with a small reference implementation of hashing.ts's definitions.
 * The vectors are the specification's examples: the chaincode and the auditor each check their own implementation
 * against them, and `test/vectors.test.ts` checks that this script still writes exactly the committed files.
 *
 *   npx ts-node scripts/make-vectors.ts          # rewrite vectors/
 *   npx ts-node scripts/make-vectors.ts --check  # exit 1 if vectors/ differs
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHAIN_DOMAIN } from '../src/hashing';
import { VECTORS_DIR } from '../src/vectors';

const sha256hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function jcs(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => cmp(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${jcs(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const tx = (label: string): string => sha256hex(`tx:${label}`);
const voter = (label: string): string => sha256hex(`voter:${label}`);
const request = (label: string): string => sha256hex(`request:${label}`);

interface Content {
  pollId: string;
  ballotId: string;
  answers: Record<string, string[]>;
  castAt: string;
  txId: string;
}
const ballotHash = (c: Content): string => sha256hex(jcs({ pollId: c.pollId, ballotId: c.ballotId, answers: c.answers, castAt: c.castAt, txId: c.txId }));
const ballot = (c: Content, extra: Record<string, unknown> = {}) => ({ ...c, ballotHash: ballotHash(c), ...extra });

const colours = {
  id: 'q1', text: 'Favourite colour?', type: 'single', minChoices: 1, maxChoices: 1,
  options: [{ id: 'red', text: 'Red' }, { id: 'blue', text: 'Blue' }, { id: 'green', text: 'Green' }],
};
const amenities = {
  id: 'q2', text: 'Which amenities?', type: 'multi', minChoices: 1, maxChoices: 2,
  options: [{ id: 'wifi', text: 'Wi-Fi' }, { id: 'usb', text: 'USB' }, { id: 'bench', text: 'Bench' }],
};
const poll = (id: string, questions: unknown[], status = 'tallied') => ({
  id, title: `Poll ${id}`, description: '', ownerMsp: 'CityMSP', questions,
  opensAt: '2026-03-01T00:00:00.000Z', closesAt: '2026-03-31T00:00:00.000Z',
  revotePolicy: 'last-counts', resultsVisibility: 'after-close', status,
  createdTxId: tx(`create-${id}`), updatedTxId: tx(`tally-${id}`),
});

function rootCase(name: string, p: ReturnType<typeof poll>, contents: Content[]) {
  const ballots = contents.map((c) => ballot(c));
  const sorted = [...ballots].sort((a, b) => cmp(a.ballotId, b.ballotId));
  const chain = [sha256hex(CHAIN_DOMAIN + p.id)];
  const counts: Record<string, Record<string, number>> = {};
  for (const q of p.questions as (typeof colours)[]) counts[q.id] = Object.fromEntries(q.options.map((o) => [o.id, 0]));
  for (const b of sorted) {
    chain.push(sha256hex(`${chain.at(-1) ?? ''}${b.ballotHash}`));
    for (const [q, opts] of Object.entries(b.answers)) for (const o of opts) (counts[q] ?? {})[o] = ((counts[q] ?? {})[o] ?? 0) + 1;
  }
  const results = { pollId: p.id, status: p.status, final: true, ballotCount: sorted.length, counts, ballotsRoot: chain.at(-1) };
  return { name, poll: p, ballots, chain, results };
}

const at = (minute: number, ms = 0): string => new Date(Date.UTC(2026, 2, 10, 9, minute, 0, ms)).toISOString();
const cast = (pollId: string, who: string, answers: Record<string, string[]>, minute: number): Content => ({
  pollId, ballotId: voter(who), answers, castAt: at(minute, minute * 7), txId: tx(`cast-${pollId}-${who}-${minute}`),
});

const bigPoll = poll('city-budget-2026', [colours, amenities]);
const files = {
  'canonical-json': [
    { name: 'keys sorted by UTF-16 code units', value: { b: 1, a: 2, A: 3, _: 4, aa: 5 }, canonical: '' },
    { name: 'non-ASCII keys: code units, not code points', value: { 'é': 1, e: 2, '€': 3, '😀': 4, '\uff61': 5 }, canonical: '' },
    { name: 'nested: arrays keep their order', value: { z: [3, 1, 2], y: { d: null, c: [true, false] } }, canonical: '' },
    { name: 'numbers in ECMAScript form', value: [0, 1, -1, 100, 0.1, 1e21, 1.5e-7, 123456789012], canonical: '' },
    { name: 'string escapes', value: ['a"b', 'back\\slash', 'line\nfeed', 'tab\t', '\u0001', '\u2028', 'é'], canonical: '' },
    { name: 'empty containers and literals', value: { a: {}, b: [], c: null, d: true, e: false, f: '' }, canonical: '' },
  ].map((v) => ({ ...v, canonical: jcs(v.value) })),
  'ballot-hash': [
    cast('p1', 'alice', { q1: ['red'] }, 1),
    cast('city-budget-2026', 'bob', { q1: ['blue'], q2: ['usb', 'wifi'] }, 2),
    { ...cast('p-0123456789abcdef0123', 'carol', { q1: ['green'] }, 59), castAt: '2026-12-31T23:59:59.999Z' },
  ].map((content, i) => ({ name: `ballot ${i + 1}`, content, canonical: jcs(content), ballotHash: ballotHash(content) })),
  'ballots-root': [
    rootCase('no ballots: the root is h0', poll('empty', [colours]), []),
    rootCase('one ballot', poll('p1', [colours]), [cast('p1', 'alice', { q1: ['red'] }, 1)]),
    rootCase('five ballots given out of key order, two questions', bigPoll, [
      cast(bigPoll.id, 'dave', { q1: ['red'], q2: ['bench'] }, 5),
      cast(bigPoll.id, 'alice', { q1: ['blue'], q2: ['usb', 'wifi'] }, 1),
      cast(bigPoll.id, 'erin', { q1: ['red'], q2: ['bench', 'wifi'] }, 9),
      cast(bigPoll.id, 'bob', { q1: ['green'], q2: ['wifi'] }, 2),
      cast(bigPoll.id, 'carol', { q1: ['red'], q2: ['usb'] }, 3),
    ]),
  ],
  answers: [
    ['canonical: both levels sorted', { q2: ['wifi', 'bench'], q1: ['red'] }, { canonical: { q1: ['red'], q2: ['bench', 'wifi'] } }],
    ['not an object', ['red'], { error: { code: 'INVALID_ARGUMENT' } }],
    ['unknown question (checked first, in sorted order)', { q1: ['red'], q2: ['usb'], zz: [], q0: ['x'] }, { error: { code: 'INVALID_ANSWER', details: { subcode: 'UNKNOWN_QUESTION', questionId: 'q0' } } }],
    ['a question left out', { q1: ['red'] }, { error: { code: 'INVALID_ANSWER', details: { subcode: 'MISSING_QUESTION', questionId: 'q2' } } }],
    ['not an array', { q1: 'red', q2: ['usb'] }, { error: { code: 'INVALID_ANSWER', details: { subcode: 'WRONG_TYPE', questionId: 'q1' } } }],
    ['unknown option', { q1: ['purple'], q2: ['usb'] }, { error: { code: 'INVALID_ANSWER', details: { subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'purple' } } }],
    ['an option twice', { q1: ['red'], q2: ['usb', 'usb'] }, { error: { code: 'INVALID_ANSWER', details: { subcode: 'DUPLICATE_CHOICE', questionId: 'q2', optionId: 'usb' } } }],
    ['too few', { q1: [], q2: ['usb'] }, { error: { code: 'INVALID_ANSWER', details: { subcode: 'TOO_FEW_CHOICES', questionId: 'q1' } } }],
    ['too many', { q1: ['red'], q2: ['usb', 'wifi', 'bench'] }, { error: { code: 'INVALID_ANSWER', details: { subcode: 'TOO_MANY_CHOICES', questionId: 'q2' } } }],
  ].map(([name, answers, outcome]) => ({ name, poll: poll('p-answers', [colours, amenities], 'open'), answers, outcome })),
  receipts: (() => {
    const first = cast('p1', 'alice', { q1: ['red'] }, 1);
    const second = cast('p1', 'alice', { q1: ['blue'] }, 2);
    const earlier = { requestId: request('r1'), txId: first.txId, ballotHash: ballotHash(first) };
    const stored = ballot(second, { requestId: request('r2'), earlierRequests: [earlier] });
    const timed = ballot(second, {
      requestId: request('r2'), requestedAt: at(2, 5), earlierRequests: [{ ...earlier, requestedAt: at(0, 900) }],
    });
    const receipt = (c: Content, hash: string) => ({ pollId: c.pollId, ballotId: c.ballotId, ballotHash: hash, txId: c.txId });
    return [
      { name: "the stored version's receipt", ballot: stored, receipt: receipt(second, stored.ballotHash), matches: 'current' },
      { name: 'a replaced version, remembered in earlierRequests', ballot: stored, receipt: receipt(first, earlier.ballotHash), matches: 'earlier' },
      { name: 'a forged hash', ballot: stored, receipt: receipt(second, ballotHash(first)), matches: 'none' },
      { name: 'another voter', ballot: stored, receipt: { ...receipt(second, stored.ballotHash), ballotId: voter('mallory') }, matches: 'none' },
      { name: 'requestedAt is outside the hash, in the record and in earlierRequests', ballot: timed, receipt: receipt(second, timed.ballotHash), matches: 'current' },
      { name: 'a replaced version with its requestedAt', ballot: timed, receipt: receipt(first, earlier.ballotHash), matches: 'earlier' },
    ];
  })(),
  'cast-results': [
    { name: 'a new ballot', result: { pollId: 'p1', ballotId: voter('alice'), ballotHash: sha256hex('h1'), txId: tx('c1'), replaced: false, duplicate: false } },
    { name: 'a re-vote (last-counts)', result: { pollId: 'p1', ballotId: voter('alice'), ballotHash: sha256hex('h2'), txId: tx('c2'), replaced: true, duplicate: false } },
    { name: 'a retried request of a replaced version', result: { pollId: 'p1', ballotId: voter('alice'), ballotHash: sha256hex('h1'), txId: tx('c1'), replaced: false, duplicate: true, superseded: true } },
  ].map((v) => ({ ...v, canonical: jcs(v.result) })),
  'error-payloads': [
    ...[
      { code: 'POLL_NOT_OPEN', message: 'poll p1 is closed' },
      { code: 'INVALID_ANSWER', message: 'the question has no such option', details: { subcode: 'UNKNOWN_OPTION', questionId: 'q1', optionId: 'purple' } },
      { code: 'INVALID_ANSWER', message: 'the poll has no such question', details: { subcode: 'UNKNOWN_QUESTION', questionId: 'a question id: with spaces and "quotes"' } },
      { code: 'INVALID_ARGUMENT', message: 'pollId must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', details: { field: 'pollId' } },
      { code: 'FORBIDDEN', message: 'ballot-relay of DeptMSP may not cast ballots' },
      { code: 'SUPERSEDED', message: 'a later ballot of this voter is already recorded' },
    ].map((payload) => ({ name: payload.code, message: jcs(payload), payload })),
    { name: 'the Node shim refuses a wrong argument count in its own words', message: 'Expected 4 parameters, but 3 have been supplied', payload: null },
    { name: 'an unknown code', message: jcs({ code: 'NOPE', message: 'x' }), payload: null },
    { name: 'the old text form is not a payload', message: 'POLL_NOT_OPEN: poll p1 is closed', payload: null },
  ],
  'revote-order': [
    ['no requestedAt on either side: the later castAt replaces', { castAt: at(1) }, { castAt: at(2) }, 'replace'],
    ['a late retry of an older request (R1 after R2)', { castAt: at(2), requestedAt: at(2) }, { castAt: at(5), requestedAt: at(1) }, 'SUPERSEDED'],
    ['a newer request replaces', { castAt: at(2), requestedAt: at(1) }, { castAt: at(3), requestedAt: at(2) }, 'replace'],
    ['equal order times: the new ballot replaces', { castAt: at(2), requestedAt: at(1, 500) }, { castAt: at(3), requestedAt: at(1, 500) }, 'replace'],
    ['one millisecond earlier is SUPERSEDED', { castAt: at(2), requestedAt: at(1, 1) }, { castAt: at(3), requestedAt: at(1, 0) }, 'SUPERSEDED'],
    ["the stored ballot has no requestedAt: its castAt counts", { castAt: at(5) }, { castAt: at(6), requestedAt: at(4) }, 'SUPERSEDED'],
    ["the new ballot has no requestedAt: its castAt counts", { castAt: at(5), requestedAt: at(4) }, { castAt: at(3) }, 'SUPERSEDED'],
    ['a castAt that equals the stored requestedAt replaces', { castAt: at(5), requestedAt: at(4) }, { castAt: at(4) }, 'replace'],
  ].map(([name, stored, incoming, outcome]) => ({ name, stored, incoming, outcome })),
};

function main(): number {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, value] of Object.entries(files)) {
    const target = path.join(VECTORS_DIR, `${file}.json`);
    const text = `${JSON.stringify(value, null, 2)}\n`;
    if (check) {
      if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) {
        console.error(`vectors/${file}.json is not what scripts/make-vectors.ts writes`);
        stale++;
      }
    } else {
      fs.writeFileSync(target, text);
    }
  }
  return stale === 0 ? 0 : 1;
}

export { files as vectorFiles };
if (require.main === module) process.exitCode = main();
