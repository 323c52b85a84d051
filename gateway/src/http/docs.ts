import type { OpenApiDocument } from '../openapi';

/** A self-contained HTML rendering of the OpenAPI document: no scripts, no CDN. */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

type Loose = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function schemaLabel(schema: unknown): string {
  if (!isObject(schema)) return '';
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop() ?? '';
  if (schema.type === 'array') return `${schemaLabel(schema.items)}[]`;
  return text(schema.type) || 'object';
}

function parameterRows(parameters: unknown): string {
  if (!Array.isArray(parameters) || parameters.length === 0) return '';
  const rows = parameters.filter(isObject).map((p) => {
    const cells = [text(p.name), text(p.in), p.required === true ? 'yes' : 'no', schemaLabel(p.schema), text(p.description)];
    return `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`;
  });
  return `<table><tr><th>parameter</th><th>in</th><th>required</th><th>type</th><th>notes</th></tr>${rows.join('')}</table>`;
}

function contentLabel(content: unknown): string {
  if (!isObject(content)) return '';
  return Object.entries(content)
    .map(([type, media]) => `${type} ${isObject(media) ? schemaLabel(media.schema) : ''}`)
    .join(', ');
}

function operationHtml(path: string, method: string, operation: Loose): string {
  const body = isObject(operation.requestBody) ? `<p>Body: <code>${escapeHtml(contentLabel(operation.requestBody.content))}</code></p>` : '';
  const responses = isObject(operation.responses)
    ? Object.entries(operation.responses)
        .filter((entry): entry is [string, Loose] => isObject(entry[1]))
        .map(([status, r]) => `<li><b>${escapeHtml(status)}</b> ${escapeHtml(text(r.description))} <code>${escapeHtml(contentLabel(r.content))}</code></li>`)
        .join('')
    : '';
  return `<section id="${escapeHtml(text(operation.operationId))}">
<h3><span class="m ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p>${escapeHtml(text(operation.summary))}. <i>${escapeHtml(text(operation.description))}</i></p>
${parameterRows(operation.parameters)}${body}<ul>${responses}</ul></section>`;
}

export function renderDocsPage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Loose)
      .filter((entry): entry is [string, Loose] => isObject(entry[1]))
      .map(([method, operation]) => operationHtml(path, method, operation)),
  );
  const schemas = Object.entries(document.components?.schemas ?? {})
    .map(([name, schema]) => `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.info.title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}.m{display:inline-block;min-width:3.5rem;padding:.1rem .4rem;border-radius:3px;color:#fff;font-size:.8rem;text-align:center}
.get{background:#2b7a3d}.post{background:#1f5fa8}table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:.8rem}
</style></head><body>
<h1>${escapeHtml(document.info.title)} <small>v${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description ?? '')} The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>
<h2>Operations</h2>
${operations.join('\n')}
<h2>Schemas</h2>
${schemas}
</body></html>`;
}
