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
