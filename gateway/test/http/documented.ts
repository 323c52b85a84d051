import { z } from 'zod';
import type { OpenApiDocument } from '../../src/openapi';

type Loose = Record<string, unknown>;

/**
 * A validator for a schema of the OpenAPI document, as a client reading the document would build it (OpenAPI 3.0
 * dialect, refs into components): what the document says, not the zod schemas it was generated from.
 */
export function documentedSchema(document: OpenApiDocument, schema: unknown): z.ZodType {
  // zod resolves local refs under `definitions` only.
  const rewrite = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/definitions/'));
  const root = { ...(rewrite(schema) as Loose), definitions: rewrite(document.components?.schemas ?? {}) };
  return z.fromJSONSchema(root, { defaultTarget: 'openapi-3.0' });
}

export function documentedComponent(document: OpenApiDocument, name: string): z.ZodType {
  return documentedSchema(document, { $ref: `#/components/schemas/${name}` });
}

export interface ParsedSseEvent {
  id?: string;
  event?: string;
  data: unknown;
}

/** The events of a Server-Sent Events text as the SseEvent shape: fields of each frame, `data` JSON-decoded. */
export function parseSse(text: string): ParsedSseEvent[] {
  const events: ParsedSseEvent[] = [];
  for (const block of text.split('\n\n')) {
    const fields: Record<string, string[]> = {};
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      (fields[name] ??= []).push(value);
    }
    if (!fields.data) continue;
    const event: ParsedSseEvent = { data: JSON.parse(fields.data.join('\n')) as unknown };
    if (fields.id) event.id = fields.id.at(-1);
    if (fields.event) event.event = fields.event.at(-1);
    events.push(event);
  }
  return events;
}
