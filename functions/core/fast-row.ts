import {
  asciiText,
  BACKSLASH,
  CR,
  isAsciiEmail,
  isNormalAsciiWebsite,
  isPlainByte,
  LF,
  QUOTE,
  SPACE,
  TAB,
} from './ascii-cells.ts';
import { COLUMN_MAX_CHARS, LEAD_COLUMNS, NORMALIZED_MAX_CHARS } from './columns.ts';
import { DOUBLED_QUOTES } from './byte-tokenizer.ts';
import type { CopyOutput } from './copy-output.ts';
import { COPY_ESCAPE_LETTER } from './copy-text.ts';
import { asciiEmailHash } from './email-set.ts';
import type { HeaderMap } from './headers.ts';
import { nameKey } from './name-key.ts';
import { asciiNanp, normalizePhone, normalizeWebsite } from './normalize.ts';

const N = 78;
/** What String.prototype.trim takes off a cell's ends, of the bytes a fast record's cell can hold. */
const isEdgeSpace = (b: number) => b === SPACE || b === TAB || b === LF || b === CR;
const MAX = Int32Array.from(LEAD_COLUMNS, (column) => COLUMN_MAX_CHARS[column]);
const COMPANY = LEAD_COLUMNS.indexOf('company_name');
const WEBSITE = LEAD_COLUMNS.indexOf('company_website');
const CONTACT = LEAD_COLUMNS.indexOf('contact_name');
const EMAIL = LEAD_COLUMNS.indexOf('contact_email');
const PHONE = LEAD_COLUMNS.indexOf('contact_phone');

/** Every character a plain byte (isPlainByte): written to COPY text as it is. */
function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isPlainByte(text.charCodeAt(i))) return false;
  return true;
}

/**
 * RowProcessor.process for a record of ASCII cells (#core/byte-tokenizer's fast records): the same
 * COPY line, written from the input bytes into the output, for the rows that need nothing else: a
 * valid lead with no note to make. Any other row (invalid, blank, a wrong field count, a split
 * contact name, a website or phone it cannot normalize) answers false and takes the text path, which
 * decides and words it. A quoted cell with `""` or bytes COPY escapes (a multi-line note) is written
 * unquoted and escaped here, in the free-text columns; in the e-mail, website and phone, or in a name
 * the name key is made of, it sends the row to the text path. The e-mail's hash and the name key are
 * left for the caller. test/unit/byte-records checks that both paths write the same bytes.
 */
export class FastRowWriter {
  readonly #index: Int32Array;
  readonly #headerLength: number;
  readonly #splitName: boolean;
  readonly #suffix: Buffer;
  readonly #region: string;
  /** Trimmed cell bounds per lead column; start -1 for an empty or unmapped cell. */
  readonly #start = new Int32Array(LEAD_COLUMNS.length);
  readonly #end = new Int32Array(LEAD_COLUMNS.length);
  /** The tokenizer's flags per lead column (DOUBLED_QUOTES, COPY_ESCAPES). */
  readonly #flag = new Uint8Array(LEAD_COLUMNS.length);
  /** Of the last row written: its e-mail's hash (NaN without an e-mail) and its name key. */
  emailHash = Number.NaN;
  nameKey: string | null = null;

  constructor(map: HeaderMap, importId: string, phoneRegion: string) {
    this.#index = Int32Array.from(map.columnIndex);
    this.#headerLength = map.headers.length;
    this.#splitName = map.firstNameIndex !== -1 || map.lastNameIndex !== -1;
    this.#suffix = Buffer.from(`\t${importId}\t`, 'utf8');
    this.#region = phoneRegion;
  }

  write(
    bytes: Uint8Array,
    starts: Int32Array,
    ends: Int32Array,
    flags: Uint8Array,
    count: number,
    row: number,
    out: CopyOutput,
  ): boolean {
    if (count !== this.#headerLength) return false;
    const start = this.#start;
    const end = this.#end;
    const flag = this.#flag;
    let cellBytes = 0;
    let escaped = false;
    for (let k = 0; k < start.length; k++) {
      const at = this.#index[k]!;
      let a = at < 0 ? 0 : starts[at]!;
      let b = at < 0 ? 0 : ends[at]!;
      const f = at < 0 ? 0 : flags[at]!;
      while (a < b && isEdgeSpace(bytes[a]!)) a++;
      while (b > a && isEdgeSpace(bytes[b - 1]!)) b--;
      flag[k] = f;
      if (a === b) start[k] = -1;
      else {
        // ASCII: bytes are characters, but for the second quote of each pair.
        if (b - a - (f & DOUBLED_QUOTES ? quotePairs(bytes, a, b) : 0) > MAX[k]!) return false;
        start[k] = a;
        end[k] = b;
        cellBytes += b - a;
        if (f !== 0) {
          if (k === WEBSITE || k === EMAIL || k === PHONE) return false;
          escaped = true;
        }
      }
    }
    if (start[COMPANY] === -1 || (start[CONTACT] === -1 && this.#splitName)) return false;

    const hasEmail = start[EMAIL] !== -1;
    if (hasEmail && !isAsciiEmail(bytes, start[EMAIL]!, end[EMAIL]!)) return false;
    let website: string | undefined;
    let websiteAsWritten = false;
    if (start[WEBSITE] !== -1) {
      websiteAsWritten = isNormalAsciiWebsite(bytes, start[WEBSITE]!, end[WEBSITE]!);
      if (!websiteAsWritten) {
        website = normalizeWebsite(asciiText(bytes, start[WEBSITE]!, end[WEBSITE]!));
        if (website === undefined || website.length > NORMALIZED_MAX_CHARS.website_normalized) return false;
        if (!isPlainAscii(website)) return false;
      }
    }
    let national = -1;
    let phone: string | undefined;
    if (start[PHONE] !== -1) {
      national = asciiNanp(bytes, start[PHONE]!, end[PHONE]!, this.#region);
      if (national === -1) {
        phone = normalizePhone(asciiText(bytes, start[PHONE]!, end[PHONE]!), this.#region);
        if (phone === undefined || phone.length > NORMALIZED_MAX_CHARS.phone_e164 || !isPlainAscii(phone)) return false;
      }
    }
    let key: string | null = null;
    if (!hasEmail && start[CONTACT] !== -1) {
      if (flag[COMPANY] !== 0 || flag[CONTACT] !== 0) return false;
      const company = asciiText(bytes, start[COMPANY]!, end[COMPANY]!);
      key = nameKey(company, asciiText(bytes, start[CONTACT]!, end[CONTACT]!), null);
      if (key !== null && !isPlainAscii(key)) return false;
    }

    const suffix = this.#suffix;
    // Every byte the line can take: the cells, a tab or \N per column (3), the suffix, the row and the
    // national number (20), the normalized website (the cell again when written as it normalizes), the
    // phone and the name key, tabs and the newline.
    const websiteBytes = websiteAsWritten ? end[WEBSITE]! - start[WEBSITE]! : (website?.length ?? 0);
    // An escaped cell takes up to two bytes per byte: count the cells once more.
    const room =
      (escaped ? 2 : 1) * cellBytes +
      3 * LEAD_COLUMNS.length +
      suffix.length +
      20 +
      websiteBytes +
      16 +
      (key?.length ?? 0) +
      16;
    const buffer = out.reserve(room);
    let p = out.pos;
    for (let k = 0; k < start.length; k++) {
      if (k > 0) buffer[p++] = TAB;
      const a = start[k]!;
      if (a === -1) {
        buffer[p++] = BACKSLASH;
        buffer[p++] = N;
        continue;
      }
      if (flag[k] !== 0) {
        p = writeEscaped(buffer, p, bytes, a, end[k]!, flag[k]!);
        continue;
      }
      // Cells of the next columns that follow this one a delimiter apart (untrimmed, unquoted; so never
      // a flagged cell, which is quoted): one span, its delimiters then turned into tabs. A native copy
      // beats a byte loop from ~48 bytes.
      let last = k;
      while (last + 1 < start.length && start[last + 1] === end[last]! + 1) last++;
      const b = end[last]!;
      if (b - a < 48) for (let i = a; i < b; i++) buffer[p + i - a] = bytes[i]!;
      else buffer.set(bytes.subarray(a, b), p);
      for (let j = k; j < last; j++) buffer[p + end[j]! - a] = TAB;
      p += b - a;
      k = last;
    }
    buffer.set(suffix, p);
    p += suffix.length;
    p = writeRow(buffer, p, row);
    buffer[p++] = TAB;
    if (websiteAsWritten) for (let i = start[WEBSITE]!, b = end[WEBSITE]!; i < b; i++) buffer[p++] = bytes[i]!;
    else p = writeText(buffer, p, website);
    buffer[p++] = TAB;
    if (national !== -1) {
      buffer[p++] = 43; // +
      buffer[p++] = 49; // 1
      p = writeNational(buffer, p, national);
    } else p = writeText(buffer, p, phone);
    buffer[p++] = TAB;
    p = writeText(buffer, p, key ?? undefined);
    buffer[p++] = LF;
    // A typed array drops writes past its end without a word: never let that pass as output.
    if (p > buffer.length) throw new Error(`fast-row wrote past the room it reserved (${p} > ${buffer.length})`);
    out.pos = p;
    this.emailHash = hasEmail ? asciiEmailHash(bytes, start[EMAIL]!, end[EMAIL]!) : Number.NaN;
    this.nameKey = key;
    return true;
  }
}

/** `""` pairs in a quoted cell's bytes `[a, b)` (which hold no lone quote). */
function quotePairs(bytes: Uint8Array, a: number, b: number): number {
  let pairs = 0;
  for (let i = a; i < b; i++)
    if (bytes[i] === QUOTE) {
      pairs++;
      i++;
    }
  return pairs;
}

/** A flagged cell as COPY text: each `""` one quote, and what copyField escapes escaped (ASCII cells). */
function writeEscaped(buffer: Buffer, p: number, bytes: Uint8Array, a: number, b: number, flags: number): number {
  const pairs = (flags & DOUBLED_QUOTES) !== 0;
  for (let i = a; i < b; i++) {
    const c = bytes[i]!;
    if (c === QUOTE && pairs) i++; // the pair's second quote
    const letter = COPY_ESCAPE_LETTER[c]!;
    if (letter === 0) buffer[p++] = c;
    else {
      buffer[p++] = BACKSLASH;
      buffer[p++] = letter;
    }
  }
  return p;
}

/** A row number in decimal (rows stay far below 2^31: integer arithmetic). */
function writeRow(buffer: Buffer, p: number, row: number): number {
  let digits = 1;
  for (let v = row; v >= 10; v = (v / 10) | 0) digits++;
  return writeDigits(buffer, p, row, digits);
}

/** A 10-digit national number, as two 5-digit halves (each a small integer). */
function writeNational(buffer: Buffer, p: number, national: number): number {
  const high = Math.floor(national / 100_000);
  return writeDigits(buffer, writeDigits(buffer, p, high, 5), national - high * 100_000, 5);
}

/** "00" to "99" as ASCII, two bytes each: digits are written in pairs, half the divisions. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/** `value` (a small non-negative integer) in exactly `digits` decimal digits, zero-padded. */
function writeDigits(buffer: Buffer, p: number, value: number, digits: number): number {
  let v = value;
  let i = p + digits;
  while (i - p >= 2) {
    const rest = (v / 100) | 0;
    const pair = (v - rest * 100) * 2;
    buffer[--i] = DIGIT_PAIRS[pair + 1]!;
    buffer[--i] = DIGIT_PAIRS[pair]!;
    v = rest;
  }
  if (i > p) buffer[--i] = 48 + v;
  return p + digits;
}

/** Printable ASCII text (checked by the caller), or \N for none. */
function writeText(buffer: Buffer, p: number, text: string | undefined): number {
  if (text === undefined) {
    buffer[p++] = BACKSLASH;
    buffer[p++] = N;
    return p;
  }
  for (let i = 0; i < text.length; i++) buffer[p++] = text.charCodeAt(i);
  return p;
}
