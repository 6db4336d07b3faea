import { CR, LF, QUOTE } from '../text/ascii-cells.ts';
import { CONTROL_CHARACTER_RANGES } from '../text/control-characters.ts';
import { specialCharacterPattern } from '../text/special-characters.ts';
import { FileError } from '../contract/errors.ts';

/**
 * Tab, line breaks and backslash (the special characters) and control characters a cell may not hold, in one
 * class: a record without any needs no per-cell control check.
 */
const NOT_PLAIN = new RegExp(`[${specialCharacterPattern().source.slice(1, -1)}${CONTROL_CHARACTER_RANGES}]`, 'g');

const indexOrEnd = (text: string, char: string, from: number): number => {
  const at = text.indexOf(char, from);
  return at === -1 ? text.length : at;
};

/**
 * Receives each record. `plain` is true when no cell contains a backslash, tab, CR or LF (special-characters's
 * set) or another control character (control-characters.ts), found with
 * one scan of the record instead of a test per cell.
 */
export type RecordSink = (record: string[], plain: boolean) => void;

export interface TokenizerOptions {
  delimiter: string;
  /** Largest record in characters before the file is refused (a missing quote would swallow it all). */
  maxRecordChars: number;
}

/**
 * RFC 4180 CSV tokenizer over decoded text chunks, with spreadsheet leniency: a quote inside an
 * unquoted field is literal, text after a closing quote is kept, and CRLF, LF and CR all end
 * records. Records are arrays of raw cells; nothing else is allocated per record.
 * A hand-written loop because csv-parse measured 5-9 s of CPU per million rows here, more than
 * PostgreSQL's whole COPY (see README, Benchmarks); test/unit/csv-tokenizer checks it against csv-parse.
 */
export class CsvTokenizer {
  readonly #delimiter: number;
  readonly #delimiterChar: string;
  readonly #maxRecordChars: number;
  #carry = '';
  #skipLeadingLF = false;
  #records = 0;

  constructor(options: TokenizerOptions) {
    if (options.delimiter.length !== 1) throw new FileError('INVALID_OPTIONS', 'The delimiter must be one character.');
    this.#delimiter = options.delimiter.charCodeAt(0);
    this.#delimiterChar = options.delimiter;
    this.#maxRecordChars = options.maxRecordChars;
  }

  /** Parses what it can; the unfinished tail waits for the next chunk. */
  write(chunk: string, onRecord: RecordSink): void {
    let text = this.#carry + chunk;
    if (this.#skipLeadingLF && text.length > 0) {
      if (text.charCodeAt(0) === LF) text = text.slice(1);
      this.#skipLeadingLF = false;
    }
    const consumed = this.#parse(text, false, onRecord);
    this.#carry = consumed < text.length ? text.slice(consumed) : '';
    if (this.#carry.length > this.#maxRecordChars) this.#tooLarge();
  }

  end(onRecord: RecordSink): void {
    const text = this.#carry;
    this.#carry = '';
    if (text.length > 0) this.#parse(text, true, onRecord);
  }

  /** Records emitted so far (the next record is row `records + 1`). */
  get records(): number {
    return this.#records;
  }

  /** Hands over the unfinished tail (another tokenizer goes on from it) and forgets it. */
  takeCarry(): { carry: string; skipLeadingLF: boolean } {
    const taken = { carry: this.#carry, skipLeadingLF: this.#skipLeadingLF };
    this.#carry = '';
    this.#skipLeadingLF = false;
    return taken;
  }

  /**
   * One whole record whose bounds another tokenizer found (#core/parse/byte-tokenizer), without its line
   * ending, and the number of records before it (for row numbers in errors): parsed and emitted
   * exactly as write() would, an empty one as one empty cell.
   */
  parseRecord(text: string, recordsBefore: number, onRecord: RecordSink): void {
    this.#records = recordsBefore;
    if (text.length === 0) this.#emit([''], true, onRecord);
    else this.#parse(text, true, onRecord);
  }

  /** Returns how many characters were consumed (complete records only, unless `final`). */
  #parse(text: string, final: boolean, onRecord: RecordSink): number {
    const delimiter = this.#delimiter;
    const delimiterChar = this.#delimiterChar;
    const n = text.length;
    // Next delimiter, LF and CR at or after some earlier position (n: none), found with indexOf,
    // which searches natively, instead of a JavaScript test per character. A cached position at or
    // after i is still the next one from i; a stale one is searched again.
    let nextDelimiter = -1;
    let nextLF = -1;
    let nextCR = -1;
    /** End of the unquoted text starting at `from`: the next delimiter, LF or CR, or n. */
    const textEnd = (from: number): number => {
      if (nextDelimiter < from) nextDelimiter = indexOrEnd(text, delimiterChar, from);
      if (nextLF < from) nextLF = indexOrEnd(text, '\n', from);
      if (nextCR < from) nextCR = indexOrEnd(text, '\r', from);
      return Math.min(nextDelimiter, nextLF, nextCR);
    };
    let recordStart = 0;
    let i = 0;
    let record: string[] = [];
    // Position of the next COPY-special or control character at or after recordStart (n: none).
    let special = -1;
    const plainUpTo = (end: number): boolean => {
      if (special < recordStart) {
        NOT_PLAIN.lastIndex = recordStart;
        special = NOT_PLAIN.exec(text)?.index ?? n;
      }
      return special >= end;
    };
    while (i < n) {
      // One field starts at i.
      let c = text.charCodeAt(i);
      let value: string;
      if (c === QUOTE) {
        let parts = '';
        let from = i + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1) {
            if (!final) return recordStart;
            throw new FileError(
              'CSV_QUOTE_NOT_CLOSED',
              `Row ${this.#records + 1}: a quoted field opens here and is never closed, so the rest of the file cannot be read. Close the quote or remove it.`,
              { row: this.#records + 1 },
            );
          }
          if (close + 1 < n && text.charCodeAt(close + 1) === QUOTE) {
            parts += text.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          if (close + 1 === n && !final) return recordStart; // is it "" or the end? wait for more
          parts += text.slice(from, close);
          i = close + 1;
          break;
        }
        // Leniency: text between the closing quote and the delimiter is kept, as spreadsheets do.
        const rest = i;
        i = textEnd(i);
        value = rest === i ? parts : parts + text.slice(rest, i);
      } else {
        const start = i;
        i = textEnd(i);
        value = text.slice(start, i);
      }
      record.push(value);
      if (i >= n) {
        if (!final) return recordStart;
        if (n - recordStart > this.#maxRecordChars) this.#tooLarge();
        this.#emit(record, plainUpTo(n), onRecord);
        return n;
      }
      c = text.charCodeAt(i);
      if (c === delimiter) {
        i++;
        if (i === n) {
          if (!final) return recordStart;
          record.push('');
          if (n - recordStart > this.#maxRecordChars) this.#tooLarge();
          this.#emit(record, plainUpTo(n), onRecord);
          return n;
        }
        continue;
      }
      // End of record: LF, CRLF or CR.
      const plain = plainUpTo(i);
      i++;
      if (c === CR) {
        if (i < n) {
          if (text.charCodeAt(i) === LF) i++;
        } else if (!final) {
          this.#skipLeadingLF = true;
        }
      }
      if (i - recordStart > this.#maxRecordChars) this.#tooLarge();
      this.#emit(record, plain, onRecord);
      record = [];
      recordStart = i;
    }
    return n;
  }

  #emit(record: string[], plain: boolean, onRecord: RecordSink): void {
    this.#records++;
    onRecord(record, plain);
  }

  #tooLarge(): never {
    throw recordTooLarge(this.#records + 1, this.#maxRecordChars);
  }
}

export const recordTooLarge = (row: number, maxChars: number): FileError =>
  new FileError(
    'CSV_RECORD_TOO_LARGE',
    `Row ${row} is longer than ${maxChars} characters; this usually means a quote is not closed.`,
    { row },
  );
