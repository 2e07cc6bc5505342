import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

/**
 * A small CSV writer (RFC 4180): fields are quoted when they hold a comma, a quote, a line break or leading
 * or trailing space, quotes are doubled, and lines end in CRLF.
 */

export type CsvCell = string | number | boolean | null | undefined;

/**
 * NOTE: a cell that starts with = + - @ (or a tab or carriage return) is read as a formula by spreadsheets,
 * which can run commands or leak data from the sheet ("CSV injection"); such a cell gets a leading `'`, as
 * OWASP advises. Numbers are written as numbers: a negative number is data, not a formula.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell, guarded against formulas and quoted when needed. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line of cells, ending in CRLF. */
export function csvLine(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** A column of an export: its header and how a record shows in it. */
export type CsvColumn<T> = [header: string, cell: (row: T) => CsvCell];

/** The header line, then one line per record of each page as the pages come. */
export async function* csvLines<T>(columns: readonly CsvColumn<T>[], pages: AsyncIterable<T[]>): AsyncGenerator<string> {
  yield csvLine(columns.map(([header]) => header));
  for await (const rows of pages) yield rows.map((row) => csvLine(columns.map(([, cell]) => cell(row)))).join('');
}

/** The OpenAPI body of an export. NOTE: a stream of CSV lines, documented as text, never serialised by a schema. */
export const CsvText = z.custom<Readable>(() => true).meta({ type: 'string', description: 'CSV, one record per line' });

/** The response of an export route: one header line, then one line per record. */
export const csvResponse = (what: string) => ({
  200: { description: `One header line, then one line per ${what} (RFC 4180)`, content: { 'text/csv': { schema: CsvText } } },
});

/** Sends the lines as a download named `cabinet-<name>-<today>.csv`. */
export function sendCsv(reply: FastifyReply, name: string, lines: AsyncIterable<string>): FastifyReply {
  const day = new Date().toISOString().slice(0, 10);
  void reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="cabinet-${name}-${day}.csv"`);
  return reply.send(Readable.from(lines));
}
