/**
 * Text for a terminal. Keys, file names, headers and messages come from uploaders; printed raw, a
 * key holding `\x1b]0;...\x07` or `\x1b[31m` would retitle or recolour the terminal, and a C1 byte
 * such as U+009B is a CSI to many terminals. Pure, no I/O.
 */

/** C0 controls but line feed, DEL and C1 controls. */
const CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/g;
/** What JSON.stringify leaves raw: DEL and C1 (it escapes C0 already). Line and paragraph separators too. */
const JSON_RAW_CONTROLS = /[\x7f-\x9f\u2028\u2029]/g;

const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, '0');

/** Every control character but the line feed as a visible `\xNN` escape (`\x1b[31m` prints as text). */
export const escapeControls = (text: string): string => text.replace(CONTROLS, (c) => `\\x${hex(c, 2)}`);

/** JSON for a terminal: the same JSON value, with DEL, C1 and U+2028/9 written as `\uXXXX` escapes. */
export const terminalJson = (value: unknown, indent?: number): string =>
  JSON.stringify(value, null, indent).replace(JSON_RAW_CONTROLS, (c) => `\\u${hex(c, 4)}`);
