/**
 * PostgreSQL COPY text format: tab-separated, \N for NULL, backslash escapes.
 * https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.2
 */
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeChar = (ch: string) => ESCAPED[ch]!;

/**
 * The same table by byte, for COPY text written from bytes (#core/fast-row): the letter that follows
 * the backslash (`t` for a tab, a backslash for a backslash), 0 for a byte written as it is.
 */
export const COPY_ESCAPE_LETTER = new Uint8Array(256);
for (const [ch, escaped] of Object.entries(ESCAPED)) COPY_ESCAPE_LETTER[ch.charCodeAt(0)] = escaped.charCodeAt(1);
/** The characters COPY text escapes, as a regex character class built from the table above. */
const SPECIAL_CLASS = `[${Object.keys(ESCAPED)
  .map((ch) => (ch === '\\' ? '\\\\' : ch))
  .join('')}]`;

/** A regex matching any character COPY text escapes; the tokenizer's "plain record" flag uses the same set. */
export const copySpecialPattern = (flags = ''): RegExp => new RegExp(SPECIAL_CLASS, flags);

const NEEDS_ESCAPE = copySpecialPattern();
const ESCAPES = copySpecialPattern('g');

export const NULL_FIELD = '\\N';

export const copyField = (value: string | null | undefined): string =>
  value === null || value === undefined
    ? NULL_FIELD
    : NEEDS_ESCAPE.test(value)
      ? value.replace(ESCAPES, escapeChar)
      : value;
