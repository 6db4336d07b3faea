import { CR, isPlainByte, LF, QUOTE } from '../text/ascii-cells.ts';
import { SPECIAL_CHARACTER_BYTE } from '../text/special-characters.ts';
import { recordTooLarge } from './csv-tokenizer.ts';

const INITIAL_SCRATCH = 64 * 1024;
/** Byte classes: a plain ASCII cell byte, a field or record end, or a byte that makes the record take the text path. */
const PLAIN = 0;
const STOP = 1;
const NOT_PLAIN = 2;

/** Flag of a quoted cell holding `""` pairs, each one quote of the cell's value. */
export const DOUBLED_QUOTES = 1;
/** Flag of a quoted cell holding a backslash, tab, LF or CR (the special characters). */
export const SPECIAL_CHARACTERS = 2;

/** Where ByteCsvTokenizer sends each record. */
export interface ByteRecordSink {
  /**
   * A record of ASCII cells: cell k is `bytes[starts[k], ends[k])`, quotes left out. Its bytes are
   * printable ASCII other than backslash, except in a quoted cell, which may also hold `""` pairs
   * (flags[k] has DOUBLED_QUOTES) and a backslash, tab, LF or CR (SPECIAL_CHARACTERS): the line breaks
   * and quotes of multi-line notes. No quoted cell has text after its closing quote. Such a record
   * needs no decoding and no control-character check; a cell with no flag is written as it is.
   */
  fast(bytes: Uint8Array, starts: Int32Array, ends: Int32Array, flags: Uint8Array, count: number): void;
  /** Any other record: its text, without the line ending, and the records before it, for CsvTokenizer.parseRecord. */
  text(text: string, recordsBefore: number): void;
}

export interface ByteTokenizerOptions {
  delimiter: string;
  maxRecordChars: number;
  /** Records already read by the tokenizer this one takes over from (for row numbers in errors). */
  records: number;
  /** That tokenizer's unfinished tail and pending CR (CsvTokenizer.takeCarry). */
  carry: string;
  skipLeadingLF: boolean;
}

/** UTF-16 code units of valid UTF-8 bytes: one per character, two for those beyond U+FFFF. */
export function utf16Length(bytes: Uint8Array, from: number, to: number): number {
  let units = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if (b < 0x80 || b >= 0xc0) units += b >= 0xf0 ? 2 : 1;
  }
  return units;
}

interface ByteClasses {
  /** Class of each byte value, for one lookup per byte. */
  classes: Uint8Array;
  /**
   * PLAIN for a pair of plain bytes (little-endian: first byte low), read as one 16-bit word: the scan
   * over a field takes two bytes per step, where most of the engine's per-byte time went.
   */
  pairs: Uint8Array;
}

/** By delimiter, made once per process (the pair table has 65,536 entries; a function keeps importing). */
const CLASSES_BY_DELIMITER = new Map<number, ByteClasses>();

function byteClasses(delimiter: number): ByteClasses {
  let made = CLASSES_BY_DELIMITER.get(delimiter);
  if (!made) {
    const classes = Uint8Array.from({ length: 256 }, (_, b) => (isPlainByte(b) ? PLAIN : NOT_PLAIN));
    classes[delimiter] = STOP;
    classes[LF] = STOP;
    classes[CR] = STOP;
    // Row `second` (the high byte) is all NOT_PLAIN, or PLAIN where the first byte is: 256 native
    // copies, not a 65,536-step loop V8 would compile on the side (about 30 ms of CPU per cold start).
    const plainFirst = classes.map((c) => (c === PLAIN ? PLAIN : NOT_PLAIN));
    const pairs = new Uint8Array(65536).fill(NOT_PLAIN);
    for (let second = 0; second < 256; second++) if (classes[second] === PLAIN) pairs.set(plainFirst, second << 8);
    made = { classes, pairs };
    CLASSES_BY_DELIMITER.set(delimiter, made);
  }
  return made;
}

/**
 * CsvTokenizer's grammar over validated UTF-8 bytes instead of decoded text, so the common record
 * (plain ASCII cells) reaches COPY as byte ranges, without a string per cell, a decode or an encode
 * (measured: most of the engine's CPU per row). Record bounds, leniency and the record-size limit
 * are CsvTokenizer's own: delimiter, quote, CR and LF are ASCII, and UTF-8 never uses ASCII bytes
 * inside a multi-byte character, so bytes split where characters do. Every other record goes back
 * to CsvTokenizer as text; test/unit/byte-tokenizer checks the two give the same records.
 */
export class ByteCsvTokenizer {
  readonly #delimiter: number;
  readonly #classes: Uint8Array;
  readonly #pairs: Uint8Array;
  readonly #maxRecordChars: number;
  /**
   * The unfinished tail at `[0, #carry)`, each chunk appended after it and parsed in place: no
   * allocation per chunk. A plain Uint8Array, whose subarrays cost less to make than a Buffer's.
   */
  #scratch!: Uint8Array;
  /** The same memory as a Buffer, to decode text records, and as 16-bit words, to scan in pairs. */
  #scratchText!: Buffer;
  #scratchWords!: Uint16Array;
  #carry: number;
  #skipLeadingLF: boolean;
  #records: number;
  #starts = new Int32Array(64);
  #ends = new Int32Array(64);
  #flags = new Uint8Array(64);

  constructor(options: ByteTokenizerOptions) {
    const delimiter = options.delimiter.charCodeAt(0);
    if (options.delimiter.length !== 1 || delimiter >= 0x80)
      throw new Error('ByteCsvTokenizer needs an ASCII delimiter');
    this.#delimiter = delimiter;
    ({ classes: this.#classes, pairs: this.#pairs } = byteClasses(delimiter));
    this.#maxRecordChars = options.maxRecordChars;
    this.#records = options.records;
    const carry = Buffer.from(options.carry, 'utf8');
    this.#useScratch(new Uint8Array(Math.max(INITIAL_SCRATCH, carry.length * 2)));
    this.#scratch.set(carry);
    this.#carry = carry.length;
    this.#skipLeadingLF = options.skipLeadingLF;
  }

  /** Parses what it can of valid UTF-8 cut on a character boundary; the unfinished tail waits. */
  write(chunk: Uint8Array, sink: ByteRecordSink): void {
    const size = this.#carry + chunk.length;
    if (size > this.#scratch.length) {
      const grown = new Uint8Array(Math.max(this.#scratch.length * 2, size));
      grown.set(this.#scratch.subarray(0, this.#carry));
      this.#useScratch(grown);
    }
    const bytes = this.#scratch;
    bytes.set(chunk, this.#carry);
    let from = 0;
    if (this.#skipLeadingLF && size > 0) {
      if (bytes[0] === LF) from = 1;
      this.#skipLeadingLF = false;
    }
    const consumed = this.#parse(bytes, from, size, false, sink);
    bytes.copyWithin(0, consumed, size);
    this.#carry = size - consumed;
    if (this.#tooLong(bytes, 0, this.#carry)) this.#tooLarge();
  }

  #useScratch(scratch: Uint8Array): void {
    this.#scratch = scratch;
    this.#scratchText = Buffer.from(scratch.buffer);
    this.#scratchWords = new Uint16Array(scratch.buffer, 0, scratch.length >> 1);
  }

  end(sink: ByteRecordSink): void {
    const size = this.#carry;
    this.#carry = 0;
    if (size > 0) this.#parse(this.#scratch, 0, size, true, sink);
  }

  /** More characters than the limit (bytes are an upper bound; counted only when it is exceeded). */
  #tooLong(bytes: Uint8Array, from: number, to: number): boolean {
    return to - from > this.#maxRecordChars && utf16Length(bytes, from, to) > this.#maxRecordChars;
  }

  #tooLarge(): never {
    throw recordTooLarge(this.#records + 1, this.#maxRecordChars);
  }

  /** Parses `[from, n)`; returns where it stopped (after complete records only, unless `final`). */
  #parse(bytes: Uint8Array, from: number, n: number, final: boolean, sink: ByteRecordSink): number {
    const delimiter = this.#delimiter;
    const classes = this.#classes;
    const pairs = this.#pairs;
    const words = this.#scratchWords;
    let recordStart = from;
    let i = from;
    let count = 0;
    let fast = true;
    while (i < n) {
      // One field starts at i.
      let start = i;
      let end: number;
      let flags = 0;
      let c = bytes[i]!;
      if (c === QUOTE) {
        let after = i + 1;
        for (;;) {
          // The scratch buffer holds stale bytes past n: a quote found there is no quote.
          const close = bytes.indexOf(QUOTE, after);
          if (close === -1 || close >= n) {
            if (!final) return recordStart;
            // CsvTokenizer words the unclosed quote, with the row it opens on.
            this.#text(recordStart, n, sink);
            return n;
          }
          if (close + 1 < n && bytes[close + 1] === QUOTE) {
            flags |= DOUBLED_QUOTES;
            after = close + 2;
            continue;
          }
          if (close + 1 === n && !final) return recordStart;
          start = i + 1;
          end = close;
          i = close + 1;
          break;
        }
        if (fast)
          for (let k = start; k < end; k++) {
            // Quoted, the delimiter is text, and a tab delimiter is a tab (the special characters): flagged.
            const b = bytes[k]!;
            if (isPlainByte(b)) continue;
            if (SPECIAL_CHARACTER_BYTE[b] !== 0) flags |= SPECIAL_CHARACTERS;
            else {
              fast = false;
              break;
            }
          }
        // Text after the closing quote is kept (as CsvTokenizer does); such a record takes the text path.
        const rest = i;
        while (i < n && classes[bytes[i]!] !== STOP) i++;
        if (i !== rest) fast = false;
      } else {
        // The field's end, and whether its bytes are plain, in one pass: one test per plain byte.
        for (;;) {
          if ((i & 1) === 1 && i < n && classes[bytes[i]!] === PLAIN) i++;
          if ((i & 1) === 0) while (i + 1 < n && pairs[words[i >> 1]!] === PLAIN) i += 2;
          while (i < n && classes[bytes[i]!] === PLAIN) i++;
          if (i === n || classes[bytes[i]!] === STOP) break;
          fast = false;
          i++;
        }
        end = i;
      }
      if (fast) this.#cell(count, start, end, flags);
      count++;
      if (i >= n) {
        if (!final) return recordStart;
        if (this.#tooLong(bytes, recordStart, n)) this.#tooLarge();
        this.#emit(recordStart, n, fast, count, sink);
        return n;
      }
      c = bytes[i]!;
      if (c === delimiter) {
        i++;
        if (i === n) {
          if (!final) return recordStart;
          if (fast) this.#cell(count, n, n, 0);
          count++;
          if (this.#tooLong(bytes, recordStart, n)) this.#tooLarge();
          this.#emit(recordStart, n, fast, count, sink);
          return n;
        }
        continue;
      }
      // End of record: LF, CRLF or CR.
      const recordEnd = i;
      i++;
      if (c === CR) {
        if (i < n) {
          if (bytes[i] === LF) i++;
        } else if (!final) {
          this.#skipLeadingLF = true;
        }
      }
      if (this.#tooLong(bytes, recordStart, i)) this.#tooLarge();
      this.#emit(recordStart, recordEnd, fast, count, sink);
      recordStart = i;
      count = 0;
      fast = true;
    }
    return n;
  }

  #cell(k: number, start: number, end: number, flags: number): void {
    if (k === this.#starts.length) {
      const starts = new Int32Array(k * 2);
      const ends = new Int32Array(k * 2);
      const cellFlags = new Uint8Array(k * 2);
      starts.set(this.#starts);
      ends.set(this.#ends);
      cellFlags.set(this.#flags);
      this.#starts = starts;
      this.#ends = ends;
      this.#flags = cellFlags;
    }
    this.#starts[k] = start;
    this.#ends[k] = end;
    this.#flags[k] = flags;
  }

  #emit(from: number, to: number, fast: boolean, count: number, sink: ByteRecordSink): void {
    if (fast) {
      this.#records++;
      sink.fast(this.#scratch, this.#starts, this.#ends, this.#flags, count);
    } else this.#text(from, to, sink);
  }

  #text(from: number, to: number, sink: ByteRecordSink): void {
    sink.text(this.#scratchText.toString('utf8', from, to), this.#records++);
  }
}
