/**
 * Bounds on what the importer repeats back to the uploader. A cell may hold up to MAX_RECORD_CHARS
 * (a million characters); the result JSON must stay small whatever the file holds.
 */

/** Longest piece of the uploader's own text (a cell, a header) quoted in the result JSON or a message. */
export const ECHO_MAX_CHARS = 200;

/** Most unknown columns listed in `detected.columns.unknown` (and headers named in a message). */
export const COLUMN_LIST_LIMIT = 50;

/** true when a surrogate pair (one astral character) starts at `i`. */
const pairAt = (value: string, i: number): boolean => {
  const c = value.charCodeAt(i);
  const d = value.charCodeAt(i + 1);
  return c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff;
};

/** Code points in a string, counted without building an array (cells can be a million characters). */
function codePoints(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i += pairAt(value, i) ? 2 : 1) n++;
  return n;
}

/**
 * The value itself when short; else its first ECHO_MAX_CHARS characters and a marker saying it was
 * cut and how long it was, e.g. `aaaa… [cut: 1000000 characters]`.
 */
export function echo(value: string): string {
  if (value.length <= ECHO_MAX_CHARS) return value;
  const total = codePoints(value);
  if (total <= ECHO_MAX_CHARS) return value;
  let end = 0;
  for (let kept = 0; kept < ECHO_MAX_CHARS; kept++) end += pairAt(value, end) ? 2 : 1;
  return `${value.slice(0, end)}… [cut: ${total} characters]`;
}

export const echoOrNull = (value: string | null): string | null => (value === null ? null : echo(value));
