/**
 * Tab, LF, CR and backslash: the special characters, the ones the tokenizers single out in a cell.
 * A record holding none (and no control character) is "plain" and skips the per-cell
 * control-character check; the byte tokenizer flags a quoted cell holding one (SPECIAL_CHARACTERS),
 * and the byte path keeps such a cell out of the columns it reads as plain ASCII (e-mail, website,
 * phone, the name key's names). Rule-set values may not contain them.
 */
const SPECIAL = ['\t', '\n', '\r', '\\'];

/** The same set by byte: 1 for each of them, 0 for any other byte. */
export const SPECIAL_CHARACTER_BYTE = new Uint8Array(256);
for (const ch of SPECIAL) SPECIAL_CHARACTER_BYTE[ch.charCodeAt(0)] = 1;

/** A regex matching any of the set; the text tokenizer's "plain record" flag uses the same set. */
export const specialCharacterPattern = (flags = ''): RegExp =>
  new RegExp(`[${SPECIAL.map((ch) => (ch === '\\' ? '\\\\' : ch)).join('')}]`, flags);
