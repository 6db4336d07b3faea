/**
 * PostgreSQL COPY text format: tab-separated, \N for NULL, backslash escapes.
 * https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.2
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeChar = (ch: string) => ESCAPED[ch]!;

export const NULL_FIELD = '\\N';

export const copyField = (value: string | null | undefined): string =>
  value === null || value === undefined ? NULL_FIELD : NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, escapeChar) : value;
