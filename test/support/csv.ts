import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';

/**
 * The rows of a CSV export, read by a real parser (csv-parse, RFC 4180: quoted fields may hold commas, quotes
 * and line breaks), after checking that every record ends in CRLF as the RFC says.
 */
export function parseCsv(text: string): string[][] {
  assert.ok(text.endsWith('\r\n'), 'the export ends with CRLF');
  assert.ok(!/[^\r]\n/.test(text.replace(/"(?:[^"]|"")*"/g, '')), 'every record outside quotes ends with CRLF');
  return parse(text, { record_delimiter: '\r\n', relax_column_count: false }) as string[][];
}
