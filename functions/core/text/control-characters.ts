/**
 * Control characters a lead cell may not hold: C0 controls other than tab, line feed and carriage
 * return (which CSV cells legitimately carry), DEL, and C1 controls. Stored raw they
 * would travel into every CRM export and terminal that shows the lead (ESC starts terminal escape
 * sequences); PostgreSQL refuses NUL in text outright. A cell holding one fails its row with
 * `CONTROL_CHARACTER` rather than being silently cleaned: changing data is a rewrite.
 */
export const CONTROL_CHARACTER_RANGES = '\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f';
export const CONTROL_CHARACTER = new RegExp(`[${CONTROL_CHARACTER_RANGES}]`);

/** `U+001B`: how a message names the character. */
export const codePointName = (c: string): string =>
  `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
