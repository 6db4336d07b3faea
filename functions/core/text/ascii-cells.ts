/**
 * Checks on printable-ASCII cells held as bytes `[from, to)` (#core/parse/byte-tokenizer), so the common
 * row needs no string per cell. Each answers exactly as the text check it stands for; where it says
 * no, the row takes the text path, which decides and words the problem. test/unit/ascii-cells checks
 * them against those patterns on generated and edge-case values.
 */

import { SPECIAL_CHARACTER_BYTE } from './special-characters.ts';

/** ASCII codes the tokenizers and the byte path test for (#core/parse/csv-tokenizer, #core/parse/byte-tokenizer, #core/rows/fast-row). */
export const TAB = 9;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const QUOTE = 34;

/**
 * A byte no cell check refuses and no tokenizer singles out: printable ASCII but the backslash
 * (the special characters). Tab, CR, LF and every control character fall outside it.
 */
export const isPlainByte = (b: number): boolean => b >= 0x20 && b <= 0x7e && SPECIAL_CHARACTER_BYTE[b] === 0;

/** Printable-ASCII bytes `[from, to)` as a string (for the checks that only exist on text). */
export const asciiText = (bytes: Uint8Array, from: number, to: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', from, to);

/**
 * The value of a fast record's cell (#core/parse/byte-tokenizer) as CsvTokenizer reads it: its ASCII bytes,
 * each `""` of a quoted cell one quote (`doubledQuotes`: the cell's DOUBLED_QUOTES flag). A quoted
 * cell holds only other bytes and such pairs, so pairs are found left to right.
 */
export const fastCellText = (bytes: Uint8Array, from: number, to: number, doubledQuotes: boolean): string =>
  doubledQuotes ? asciiText(bytes, from, to).replaceAll('""', '"') : asciiText(bytes, from, to);

const table = (chars: string): Uint8Array => {
  const t = new Uint8Array(256);
  for (const range of chars.match(/.-.|./g)!) {
    const lo = range.charCodeAt(0);
    const hi = range.length === 3 ? range.charCodeAt(2) : lo;
    for (let c = lo; c <= hi; c++) t[c] = 1;
  }
  return t;
};

const DOT = 46;
const AT = 64;
const APOSTROPHE = 39;
const HYPHEN = 45;
const SLASH = 47;
const QUESTION = 63;
const HASH = 35;

const LOCAL = table("A-Za-z0-9_'+-");
const ALNUM = table('A-Za-z0-9');
const ALPHA = table('A-Za-z');
const HOST = table('a-z0-9-');
const LOWER = table('a-z');
const PATH = table("!$&'()*+,-./0-9:;=?@A-Z_a-z~%");

/**
 * The e-mail pattern of the lead schema (zod's, read by validate-row):
 * `^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$`.
 * Local part: those characters and single dots, not starting or ending with a dot, not ending with an
 * apostrophe. Domain: at least one label of letters, digits and hyphens starting with a letter or
 * digit, then a top-level label of two or more letters.
 */
export function isAsciiEmail(bytes: Uint8Array, from: number, to: number): boolean {
  let i = from;
  if (i >= to || LOCAL[bytes[i]!] !== 1) return false;
  let previous = bytes[i++]!;
  for (; i < to; i++) {
    const c = bytes[i]!;
    if (c === AT) break;
    if (c === DOT ? previous === DOT : LOCAL[c] !== 1) return false;
    previous = c;
  }
  if (i === to || previous === DOT || previous === APOSTROPHE) return false;
  let label = i + 1;
  let labels = 0;
  for (;;) {
    let j = label;
    while (j < to && bytes[j] !== DOT) j++;
    if (j === to) {
      if (labels === 0 || j - label < 2) return false;
      for (let k = label; k < j; k++) if (ALPHA[bytes[k]!] !== 1) return false;
      return true;
    }
    if (j === label || ALNUM[bytes[label]!] !== 1) return false;
    for (let k = label + 1; k < j; k++) if (ALNUM[bytes[k]!] !== 1 && bytes[k] !== HYPHEN) return false;
    labels++;
    label = j + 1;
  }
}

/**
 * A website normalizeWebsite returns as it is: NORMAL_WEBSITE (`http://` or `https://`, a lower-case
 * host of two or more labels whose last starts with a letter, then `/`, `?` or `#` and URL
 * characters) without a dot segment (`/.` or `/..` followed by `/`, `?`, `#` or the end).
 */
export function isNormalAsciiWebsite(bytes: Uint8Array, from: number, to: number): boolean {
  let i = from;
  if (to - i < 7 || bytes[i] !== 104 || bytes[i + 1] !== 116 || bytes[i + 2] !== 116 || bytes[i + 3] !== 112)
    return false; // http
  i += 4;
  if (bytes[i] === 115) i++; // s
  if (i + 3 > to || bytes[i] !== 58 || bytes[i + 1] !== SLASH || bytes[i + 2] !== SLASH) return false; // ://
  let label = i + 3;
  let labels = 0;
  for (;;) {
    let j = label;
    while (j < to && HOST[bytes[j]!] === 1) j++;
    if (j < to && bytes[j] === DOT) {
      if (j === label) return false;
      labels++;
      label = j + 1;
      continue;
    }
    if (labels === 0 || j === label || LOWER[bytes[label]!] !== 1) return false;
    i = j;
    break;
  }
  if (i === to) return true;
  const c = bytes[i];
  if (c !== SLASH && c !== QUESTION && c !== HASH) return false;
  for (let k = i + 1; k < to; k++) if (PATH[bytes[k]!] !== 1) return false;
  return !hasDotSegment(bytes, i, to);
}

/** DOT_SEGMENT: `/.` or `/..`, then `/`, `?`, `#` or the end (when `/..` is not one, `/.` cannot be). */
function hasDotSegment(bytes: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k + 1 < to; k++) {
    if (bytes[k] !== SLASH || bytes[k + 1] !== DOT) continue;
    let end = k + 2;
    if (end < to && bytes[end] === DOT) end++;
    if (end === to) return true;
    const c = bytes[end];
    if (c === SLASH || c === QUESTION || c === HASH) return true;
  }
  return false;
}
