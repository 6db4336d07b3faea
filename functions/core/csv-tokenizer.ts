import { CONTROL_CHARACTER_RANGES } from './control-characters.ts';
import { copySpecialPattern } from './copy-text.ts';
import { FileError } from './errors.ts';

const QUOTE = 34; // "
const LF = 10;
const CR = 13;
/**
 * Characters COPY text escapes (copy-text's own set) and control characters a cell may not hold, in
 * one class: a record without any needs neither per-cell escaping nor a per-cell control check.
 */
const NOT_PLAIN = new RegExp(`[${copySpecialPattern().source.slice(1, -1)}${CONTROL_CHARACTER_RANGES}]`, 'g');

/**
 * Receives each record. `plain` is true when no cell contains a backslash, tab, CR or LF (the
 * characters COPY text escapes) or another control character (control-characters.ts), found with
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
  readonly #maxRecordChars: number;
  #carry = '';
  #skipLeadingLF = false;
  #records = 0;

  constructor(options: TokenizerOptions) {
    if (options.delimiter.length !== 1) throw new FileError('INVALID_OPTIONS', 'The delimiter must be one character.');
    this.#delimiter = options.delimiter.charCodeAt(0);
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

  /** Returns how many characters were consumed (complete records only, unless `final`). */
  #parse(text: string, final: boolean, onRecord: RecordSink): number {
    const delimiter = this.#delimiter;
    const n = text.length;
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
        while (i < n && (c = text.charCodeAt(i)) !== delimiter && c !== LF && c !== CR) i++;
        value = rest === i ? parts : parts + text.slice(rest, i);
      } else {
        const start = i;
        while (i < n && (c = text.charCodeAt(i)) !== delimiter && c !== LF && c !== CR) i++;
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
    const row = this.#records + 1;
    throw new FileError(
      'CSV_RECORD_TOO_LARGE',
      `Row ${row} is longer than ${this.#maxRecordChars} characters; this usually means a quote is not closed.`,
      { row },
    );
  }
}
