/**
 * Where a citizen's receipt comes from: a receipt link (`#receipt=<base64url of the receipt JSON>`, or the fields
 * as `pollId`, `ballotId`, `txId`, `ballotHash`, `position` parameters in the fragment or the query), or pasted text
 * (the gateway's receipt JSON, a receipt link, or `field: value` lines). Pure functions: no DOM.
 */
import { type Receipt, ReceiptSchema } from '../wire';

export const RECEIPT_FIELDS = ['pollId', 'ballotId', 'txId', 'ballotHash', 'position'] as const;
export type ReceiptField = (typeof RECEIPT_FIELDS)[number];

/** A receipt that could not be read, with a message for the citizen. */
export type ReceiptParse = { readonly ok: true; readonly receipt: Receipt } | { readonly ok: false; readonly error: string };

/**
 * The receipt fields of any object: the gateway's receipt has more (blockNumber), which the page does not take on
 * its word anyway (the verifier finds the block itself).
 */
export function receiptFromFields(fields: Readonly<Record<string, unknown>>): ReceiptParse {
  const picked: Record<string, unknown> = {};
  for (const name of RECEIPT_FIELDS) {
    const value = fields[name];
    if (typeof value === 'string' && value.trim() !== '') {
      picked[name] = name === 'pollId' ? value.trim() : name === 'position' ? positionOf(value.trim()) : value.trim().toLowerCase();
    } else if (name === 'position' && typeof value === 'number') {
      picked[name] = value;
    }
  }
  const parsed = ReceiptSchema.safeParse(picked);
  if (parsed.success) {
    return { ok: true, receipt: parsed.data };
  }
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'receipt'}: ${issue.message}`);
  return { ok: false, error: `This is not a complete receipt (${problems.join('; ')}).` };
}

/** A position typed or carried in a link is text: a decimal number is read as one, anything else is left to the schema to refuse. */
const positionOf = (text: string): number | string => (/^\d{1,3}$/.test(text) ? Number(text) : text);

export function base64UrlEncode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  bytes.forEach((b) => {
    binary += String.fromCharCode(b);
  });
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function base64UrlDecode(encoded: string): string {
  const base64 = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function receiptFromJson(text: string): ReceiptParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'The receipt is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'The receipt JSON must be an object with pollId, ballotId and txId.' };
  }
  return receiptFromFields(value as Record<string, unknown>);
}

function receiptFromParams(params: URLSearchParams): ReceiptParse | undefined {
  const encoded = params.get('receipt');
  if (encoded !== null) {
    try {
      return receiptFromJson(base64UrlDecode(encoded));
    } catch {
      return { ok: false, error: 'The receipt link is damaged (its receipt part is not base64url).' };
    }
  }
  if (!RECEIPT_FIELDS.some((name) => params.has(name))) {
    return undefined;
  }
  return receiptFromFields(Object.fromEntries(params));
}

/** The receipt a page address carries, if any: the fragment first (it never reaches a server), then the query. */
export function receiptFromLocation(location: { readonly hash: string; readonly search: string }): ReceiptParse | undefined {
  return (
    receiptFromParams(new URLSearchParams(location.hash.replace(/^#/, ''))) ??
    receiptFromParams(new URLSearchParams(location.search))
  );
}

/** `field: value` or `field=value` lines, as a citizen may copy them from a receipt shown on screen. */
function receiptFromLines(text: string): ReceiptParse | undefined {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*"?([A-Za-z]+)"?\s*[:=]\s*"?([^",\s]+)"?\s*,?\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      fields[match[1]] = match[2];
    }
  }
  return Object.keys(fields).length === 0 ? undefined : receiptFromFields(fields);
}

/** Whatever the citizen pasted: receipt JSON, a receipt link, or field lines. */
export function receiptFromText(text: string): ReceiptParse {
  const trimmed = text.trim();
  if (trimmed === '') {
    return { ok: false, error: 'Paste your receipt first.' };
  }
  if (trimmed.startsWith('{')) {
    return receiptFromJson(trimmed);
  }
  const link = /^[a-z]+:\/\/\S+$/i.test(trimmed) ? new URL(trimmed) : undefined;
  const fromLink = link === undefined ? undefined : receiptFromLocation(link);
  return fromLink ?? receiptFromLines(trimmed) ?? { ok: false, error: 'This does not look like a receipt or a receipt link.' };
}

/** A link to the verify page that carries the receipt in its fragment, so the receipt never reaches a server log. */
export function receiptLink(pageUrl: string, receipt: Receipt): string {
  const url = new URL(pageUrl);
  url.search = '';
  url.hash = `receipt=${base64UrlEncode(JSON.stringify(receipt))}`;
  return url.toString();
}
