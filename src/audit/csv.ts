/**
 * A CSV writer (RFC 4180) for exports that admins open in a spreadsheet.
 * Names in the export come from players (Discord and EVE names), so a cell
 * that a spreadsheet would run as a formula (=, +, -, @, and the tab and
 * carriage return OWASP also lists) is prefixed with an apostrophe: it then
 * shows as the text it is.
 */
export type CsvValue = string | number | bigint | boolean | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** UTF-8 byte order mark: without it Excel reads UTF-8 names as Latin-1. */
export const CSV_BOM = '\uFEFF';

/** One cell: dates as ISO 8601 (UTC), empty for null/undefined, formulas neutralised, quoted when needed. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  // Numbers we write ourselves are data, never formulas; strings may come from anyone.
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header and the rows, CRLF-terminated lines, with a BOM. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`;
}
