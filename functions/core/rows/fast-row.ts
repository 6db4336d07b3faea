import {
  asciiText,
  CR,
  isAsciiEmail,
  isNormalAsciiWebsite,
  isPlainByte,
  LF,
  QUOTE,
  SPACE,
  TAB,
} from '../text/ascii-cells.ts';
import { COLUMN_MAX_CHARS, LEAD_COLUMNS, NORMALIZED_MAX_CHARS } from '../contract/columns.ts';
import { DOUBLED_QUOTES } from '../parse/byte-tokenizer.ts';
import type { CopyOutput } from '../copy/copy-output.ts';
import { COPY_COLUMNS, importIdField, writeFieldCount, writeInt32, writeTextField } from '../copy/copy-binary.ts';
import { asciiEmailHash } from './email-set.ts';
import type { HeaderMap } from '../parse/headers.ts';
import { nameKey } from './name-key.ts';
import { asciiNanp, normalizePhone, normalizeWebsite } from './normalize.ts';

/** What String.prototype.trim takes off a cell's ends, of the bytes a fast record's cell can hold. */
const isEdgeSpace = (b: number) => b === SPACE || b === TAB || b === LF || b === CR;
const MAX = Int32Array.from(LEAD_COLUMNS, (column) => COLUMN_MAX_CHARS[column]);
const COMPANY = LEAD_COLUMNS.indexOf('company_name');
const WEBSITE = LEAD_COLUMNS.indexOf('company_website');
const CONTACT = LEAD_COLUMNS.indexOf('contact_name');
const EMAIL = LEAD_COLUMNS.indexOf('contact_email');
const PHONE = LEAD_COLUMNS.indexOf('contact_phone');

/** Every character a plain byte (isPlainByte), as the text path's normalized values are for such rows. */
function isPlainAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isPlainByte(text.charCodeAt(i))) return false;
  return true;
}

/**
 * RowProcessor.process for a record of ASCII cells (#core/parse/byte-tokenizer's fast records): the same
 * COPY BINARY row, written from the input bytes into the output, for the rows that need nothing else: a
 * valid lead with no note to make. Any other row (invalid, blank, a wrong field count, a split
 * contact name, a website or phone it cannot normalize) answers false and takes the text path, which
 * decides and words it. A quoted cell with `""` pairs or a tab, line break or backslash (a multi-line
 * note) is written here unquoted, in the free-text columns; in the e-mail, website and phone, or in a name
 * the name key is made of, it sends the row to the text path. The e-mail's hash and the name key are
 * left for the caller. test/unit/byte-records checks that both paths write the same bytes.
 */
export class FastRowWriter {
  readonly #index: Int32Array;
  readonly #headerLength: number;
  readonly #splitName: boolean;
  readonly #importId: Uint8Array;
  readonly #region: string;
  /** Trimmed cell bounds per lead column; start -1 for an empty or unmapped cell. */
  readonly #start = new Int32Array(LEAD_COLUMNS.length);
  readonly #end = new Int32Array(LEAD_COLUMNS.length);
  /** The tokenizer's flags per lead column (DOUBLED_QUOTES, SPECIAL_CHARACTERS). */
  readonly #flag = new Uint8Array(LEAD_COLUMNS.length);
  /** Of the last row written: its e-mail's hash (NaN without an e-mail) and its name key. */
  emailHash = Number.NaN;
  nameKey: string | null = null;

  constructor(map: HeaderMap, importId: string, phoneRegion: string) {
    this.#index = Int32Array.from(map.columnIndex);
    this.#headerLength = map.headers.length;
    this.#splitName = map.firstNameIndex !== -1 || map.lastNameIndex !== -1;
    this.#importId = importIdField(importId);
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
        if (f !== 0 && (k === WEBSITE || k === EMAIL || k === PHONE)) return false;
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

    const importId = this.#importId;
    // Every byte the row can take: the field count, a length per field (4 each), the cells, the import
    // id's field, the row, the normalized website (the cell again when written as it normalizes), the
    // phone (+1 and ten digits, or up to 16 characters) and the name key.
    const websiteBytes = websiteAsWritten ? end[WEBSITE]! - start[WEBSITE]! : (website?.length ?? 0);
    const room = 2 + 4 * COPY_COLUMNS.length + cellBytes + importId.length + 4 + websiteBytes + 16 + (key?.length ?? 0);
    const buffer = out.reserve(room);
    let p = writeFieldCount(buffer, out.pos);
    for (let k = 0; k < start.length; k++) {
      const a = start[k]!;
      if (a === -1) {
        p = writeInt32(buffer, p, -1);
        continue;
      }
      // A quoted line break, tab or backslash needs no escape in binary: only `""` pairs are undone.
      p =
        flag[k]! & DOUBLED_QUOTES
          ? writeUnquoted(buffer, p, bytes, a, end[k]!)
          : writeCell(buffer, p, bytes, a, end[k]!);
    }
    buffer.set(importId, p);
    p = writeInt32(buffer, p + importId.length, row);
    if (websiteAsWritten) p = writeCell(buffer, p, bytes, start[WEBSITE]!, end[WEBSITE]!);
    else p = writeTextField(buffer, p, website ?? null);
    if (national !== -1) {
      p = writeInt32(buffer, p, 12);
      buffer[p++] = 43; // +
      buffer[p++] = 49; // 1
      p = writeNational(buffer, p, national);
    } else p = writeTextField(buffer, p, phone ?? null);
    p = writeTextField(buffer, p, key);
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

/** A cell's bytes `[a, b)` as a field: its length, then the bytes. A native copy beats a byte loop from ~48 bytes. */
function writeCell(buffer: Buffer, p: number, bytes: Uint8Array, a: number, b: number): number {
  p = writeInt32(buffer, p, b - a);
  if (b - a < 48) {
    for (let i = a; i < b; i++) buffer[p++] = bytes[i]!;
    return p;
  }
  buffer.set(bytes.subarray(a, b), p);
  return p + b - a;
}

/** A quoted cell holding `""` pairs (ASCII): its length and bytes with each pair one quote. */
function writeUnquoted(buffer: Buffer, p: number, bytes: Uint8Array, a: number, b: number): number {
  let q = p + 4;
  for (let i = a; i < b; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) i++; // the pair's second quote
    buffer[q++] = c;
  }
  writeInt32(buffer, p, q - p - 4);
  return q;
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
