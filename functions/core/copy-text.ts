/**
 * Tab, LF, CR and backslash: the characters the tokenizers single out in a cell. A record holding none
 * (and no control character) is "plain" and skips the per-cell control-character check; the byte
 * tokenizer flags a quoted cell holding one, and the byte path keeps such a cell out of the columns it
 * reads as plain ASCII (e-mail, website, phone, the name key's names). They are the characters COPY
 * text escapes; the engine writes COPY BINARY (#core/copy-binary), which escapes nothing.
 */
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** The same set by byte: the letter that follows the backslash in COPY text, 0 for any other byte. */
export const COPY_ESCAPE_LETTER = new Uint8Array(256);
for (const [ch, escaped] of Object.entries(ESCAPED)) COPY_ESCAPE_LETTER[ch.charCodeAt(0)] = escaped.charCodeAt(1);
/** The set as a regex character class built from the table above. */
const SPECIAL_CLASS = `[${Object.keys(ESCAPED)
  .map((ch) => (ch === '\\' ? '\\\\' : ch))
  .join('')}]`;

/** A regex matching any of the set; the tokenizer's "plain record" flag uses the same set. */
export const copySpecialPattern = (flags = ''): RegExp => new RegExp(SPECIAL_CLASS, flags);
