/**
 * HTML as strings, escaped by construction: every value interpolated into `html` is escaped unless it is itself
 * the result of `html` (or `raw`). Pages build their markup with it and assign it once, so the rendering is pure
 * and testable without a DOM, and nothing a service or a receipt says can inject markup.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Markup that is already safe. Only `html` and `raw` make one. */
export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) {
    return value.toString();
  }
  if (Array.isArray(value)) {
    return (value as readonly HtmlValue[]).map(render).join('');
  }
  if (value === null || value === undefined || value === false) {
    return '';
  }
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup the caller vouches for (constant strings only). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Numbers as people read them: 1,204 (fixed locale so tests and pages agree). */
export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}
