import { ByteCsvTokenizer, type ByteRecordSink, SPECIAL_CHARACTERS, DOUBLED_QUOTES } from '../parse/byte-tokenizer.ts';
import { CopyRowWriter } from '../copy/copy-binary.ts';
import { CopyOutput, type CopyPart } from '../copy/copy-output.ts';
import { CsvTokenizer } from '../parse/csv-tokenizer.ts';
import { EmailRepeatDetector, emailHash } from '../rows/email-set.ts';
import { ByteDecoder } from '../parse/decode.ts';
import { detectDelimiter } from '../parse/delimiter.ts';
import { COLUMN_LIST_LIMIT, echo, echoOrNull } from '../contract/echo.ts';
import { FileError, RejectionError } from '../contract/errors.ts';
import { mapHeaders, type HeaderMap } from '../parse/headers.ts';
import type { Delimiter, DetectedEncoding, ImportOptions } from '../contract/options.ts';
import type { DetectedColumns, EngineSummary } from '../contract/result.ts';
import { FastRowWriter } from '../rows/fast-row.ts';
import { fastCellText } from '../text/ascii-cells.ts';
import { RowProcessor, type RowNote } from '../rows/row-processor.ts';
import type { RuleCheck } from '../rows/row-check.ts';
import { compileRules } from '../rules/rule-checker.ts';
import type { RuleSet } from '../contract/rule-set.ts';
import {
  REJECTED_REPORT_MAX_BYTES,
  RowErrorLog,
  describeProblem,
  rejectedReportCap,
  formatRowError,
  rejectedHeaderLine,
  rejectedRowLine,
  type RowErrorDetail,
} from '../contract/row-report.ts';

export interface EngineLimits {
  /** Largest single record (all its cells and delimiters), in characters. */
  maxRecordChars: number;
  /** How many row errors (and notes) the result JSON lists. */
  errorListLimit: number;
  /**
   * Allocate the e-mail repeat list at its full size up front (large files: flat memory, no regrowth).
   * Default: when `inputBytes` is at least PREALLOCATE_MIN_BYTES.
   */
  preallocateEmailTable?: boolean;
  /** Absolute cap on the rejected-rows file (default REJECTED_REPORT_MAX_BYTES; tests lower it). */
  maxRejectedBytes?: number;
  /** The upload's size when known: the rejected-rows cap is relative to it (else to the bytes read so far). */
  inputBytes?: number | undefined;
  /**
   * Read UTF-8 files without a rule set as bytes after the header (#core/parse/byte-tokenizer,
   * #core/rows/fast-row). Default true; false reads every file as text (tests compare the two).
   */
  byteRecords?: boolean;
}

/** Files this large get the e-mail repeat list at full size at once (about 25,000 leads and up). */
export const PREALLOCATE_MIN_BYTES = 4 * 1024 * 1024;

export const DEFAULT_LIMITS: EngineLimits = { maxRecordChars: 1024 * 1024, errorListLimit: 100 };

/** What one write() produced: COPY rows for PostgreSQL and rejected-rows CSV text. */
export interface EngineOutput {
  /** In order; not joined into one buffer, which cost a copy of every COPY byte. */
  copy: CopyPart[];
  rejected: string | undefined;
  leadsRead: number;
}

export interface EngineProgress {
  total_leads: number;
  failed_count: number;
  error_details: RowErrorDetail[];
  errors_truncated: boolean;
  encoding: DetectedEncoding | undefined;
  delimiter: Delimiter | undefined;
}

const SNIFF_TEXT_CHARS = 16 * 1024;
/** Bytes decoded, parsed and turned into COPY bytes at a time inside one write(). */
const SLICE_BYTES = 32 * 1024;

/**
 * The import pipeline for one file: bytes in, COPY BINARY rows and row reports out.
 * decode -> detect delimiter -> tokenize -> map headers -> validate (zod) -> COPY rows.
 * No I/O: the caller feeds chunks and ships the output, inline or in a worker thread.
 */
export class LeadEngine {
  readonly #options: ImportOptions;
  readonly #importId: string;
  readonly #limits: EngineLimits;
  readonly #decoder: ByteDecoder;
  /** Text held back until there is enough of it to guess the delimiter. */
  #sniffed = '';
  #csv: CsvTokenizer | undefined;
  #delimiter: Delimiter | undefined;
  #map: HeaderMap | undefined;
  #rows: RowProcessor | undefined;
  #row = 0;
  #total = 0;
  #failed = 0;
  #blank = 0;
  #errors: RowErrorLog;
  #notes: string[] = [];
  readonly #emails: EmailRepeatDetector;
  /** The same detector over name keys (they are already lower case), grown as they come: most files have few. */
  readonly #names = new EmailRepeatDetector();
  #nameKeys = 0;
  #notesTruncated = false;
  readonly #copy = new CopyOutput();
  readonly #copyRows: CopyRowWriter;
  #copyParts: CopyPart[] = [];
  /** Set once the header is read, for a UTF-8 file without a rule set: then the rows arrive as bytes. */
  #bytes: ByteCsvTokenizer | undefined;
  #fastRows: FastRowWriter | undefined;
  #byteRows = 0;
  readonly #byteSink: ByteRecordSink = {
    fast: (bytes, starts, ends, flags, count) => this.#onFastRecord(bytes, starts, ends, flags, count),
    text: (text, recordsBefore) => this.#csv!.parseRecord(text, recordsBefore, this.#push),
  };
  #rejected = '';
  /** UTF-8 bytes of rejected-rows text produced so far, and the input bytes it is capped against. */
  #rejectedBytes = 0;
  #bytesIn = 0;
  #reportTruncated = false;
  readonly #push = (record: string[], plain: boolean) => this.#onRecord(record, plain);
  readonly #rules: RuleCheck | undefined;

  constructor(importId: string, options: ImportOptions, limits: EngineLimits = DEFAULT_LIMITS, rules?: RuleSet) {
    // Compiled once per import; rows without a rule set pay nothing.
    this.#rules = rules && compileRules(rules, options.phone_region);
    this.#importId = importId;
    this.#copyRows = new CopyRowWriter(importId);
    this.#options = options;
    this.#limits = limits;
    this.#decoder = new ByteDecoder(options.encoding);
    this.#errors = new RowErrorLog(limits.errorListLimit);
    const preallocate = limits.preallocateEmailTable ?? (limits.inputBytes ?? 0) >= PREALLOCATE_MIN_BYTES;
    this.#emails = new EmailRepeatDetector({ preallocate });
  }

  write(chunk: Uint8Array): EngineOutput {
    // Work through a chunk in slices, taking the COPY rows written after each: the strings
    // of one slice die young, which measured 40% less CPU per million rows than whole 256 KiB chunks.
    for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
      const slice = chunk.subarray(at, at + SLICE_BYTES);
      this.#bytesIn += slice.length;
      if (this.#bytes) this.#bytes.write(this.#decoder.writeBytes(slice), this.#byteSink);
      else {
        for (const text of this.#decoder.write(slice)) this.#feed(text, false);
        this.#startBytes();
      }
      this.#flushCopy();
    }
    return this.#drain();
  }

  end(): EngineOutput & { summary: EngineSummary } {
    if (this.#bytes) {
      this.#bytes.write(this.#decoder.endBytes(), this.#byteSink);
      this.#bytes.end(this.#byteSink);
    } else {
      for (const text of this.#decoder.end()) this.#feed(text, false);
      this.#feed(undefined, true);
    }
    this.#flushCopy();
    if (this.#row === 0) throw new FileError('EMPTY_FILE', 'The file is empty: it has no header row and no leads.');
    const output = this.#drain();
    const summary: EngineSummary = {
      encoding: this.#decoder.encoding!,
      delimiter: this.#delimiter!,
      columns: detectedColumns(this.#map!),
      total_leads: this.#total,
      valid_count: this.#total - this.#failed,
      failed_count: this.#failed,
      blank_rows: this.#blank,
      error_details: this.#errors.details,
      errors_truncated: this.#errors.truncated,
      notes: this.#notes,
      notes_truncated: this.#notesTruncated,
      error_report_truncated: this.#reportTruncated,
      no_repeated_emails: this.#emails.noRepeats(),
      name_keys: this.#nameKeys,
      no_repeated_names: this.#names.noRepeats(),
    };
    return { ...output, summary };
  }

  #feed(text: string | undefined, end: boolean): void {
    if (this.#csv === undefined) {
      if (text) this.#sniffed += text;
      if (this.#sniffed.length < SNIFF_TEXT_CHARS && !end) return;
      text = this.#sniffed;
      this.#sniffed = '';
      this.#delimiter = this.#options.delimiter === 'auto' ? detectDelimiter(text) : this.#options.delimiter;
      this.#csv = new CsvTokenizer({ delimiter: this.#delimiter, maxRecordChars: this.#limits.maxRecordChars });
    }
    if (text) this.#csv.write(text, this.#push);
    if (end) this.#csv.end(this.#push);
  }

  /** After the header, a UTF-8 file without a rule set goes on as bytes, from where the text left off. */
  #startBytes(): void {
    if (this.#map === undefined || this.#rules || this.#limits.byteRecords === false || !this.#decoder.isUtf8) return;
    const { carry, skipLeadingLF } = this.#csv!.takeCarry();
    this.#bytes = new ByteCsvTokenizer({
      delimiter: this.#delimiter!,
      maxRecordChars: this.#limits.maxRecordChars,
      records: this.#csv!.records,
      carry,
      skipLeadingLF,
    });
    this.#fastRows = new FastRowWriter(this.#map, this.#importId, this.#options.phone_region);
  }

  #onFastRecord(bytes: Uint8Array, starts: Int32Array, ends: Int32Array, flags: Uint8Array, count: number): void {
    const fast = this.#fastRows!;
    if (!fast.write(bytes, starts, ends, flags, count, this.#row + 1, this.#copy)) {
      // Not a lead the byte path writes: its cells as text (ASCII), through the text path; plain
      // unless a cell holds a tab, line break or backslash (the special characters).
      const record: string[] = [];
      let plain = true;
      for (let k = 0; k < count; k++) {
        record.push(fastCellText(bytes, starts[k]!, ends[k]!, (flags[k]! & DOUBLED_QUOTES) !== 0));
        if ((flags[k]! & SPECIAL_CHARACTERS) !== 0) plain = false;
      }
      this.#onRecord(record, plain);
      return;
    }
    this.#row++;
    this.#byteRows++;
    this.#addLead(fast.emailHash, fast.nameKey);
  }

  /** A valid lead: counted, and its e-mail's hash (NaN for none) or else its name key tracked for repeats. */
  #addLead(emailHash: number, nameKey: string | null): void {
    this.#total++;
    if (!Number.isNaN(emailHash)) this.#emails.addHash(emailHash);
    else if (nameKey !== null) {
      this.#nameKeys++;
      this.#names.add(nameKey);
    }
  }

  #onRecord(record: string[], plain: boolean): void {
    const row = ++this.#row;
    if (row === 1) {
      this.#map = mapHeaders(record, this.#options.mapping);
      this.#rows = new RowProcessor(this.#map, this.#options.phone_region, this.#rules);
      return;
    }
    const outcome = this.#rows!.process(record, plain);
    if (outcome.kind === 'lead') {
      this.#addLead(outcome.email === null ? Number.NaN : emailHash(outcome.email), outcome.nameKey);
      this.#copyRows.write(this.#copy, outcome.values, row);
      if (outcome.notes) this.#addNotes(row, outcome.notes);
      return;
    }
    if (outcome.kind === 'blank') {
      this.#blank++;
      return;
    }
    this.#total++;
    this.#failed++;
    const details = outcome.problems.map(
      (p): RowErrorDetail => ({ row, column: p.column, value: echoOrNull(p.value), code: p.code, message: p.message }),
    );
    for (const detail of details) this.#errors.add(detail);
    if (this.#options.strict_mode) {
      const first = details[0]!;
      throw new RejectionError(
        'STRICT_MODE_ROW_ERROR',
        `Strict mode: ${formatRowError(first)}. Nothing was imported.`,
        {
          row,
          column: first.column ?? undefined,
          detail: { error_details: details },
        },
      );
    }
    if (this.#reportTruncated) return;
    let line = rejectedRowLine(row, details.map(describeProblem).join('; '), record);
    if (this.#failed === 1) line = rejectedHeaderLine(this.#map!.headers) + line;
    const bytes = Buffer.byteLength(line, 'utf8');
    const cap = rejectedReportCap(
      Math.max(this.#bytesIn, this.#limits.inputBytes ?? 0),
      this.#limits.maxRejectedBytes ?? REJECTED_REPORT_MAX_BYTES,
    );
    // Once a row does not fit, the report stops there: it stays a prefix of the file's bad rows.
    if (this.#rejectedBytes + bytes > cap) this.#reportTruncated = true;
    else {
      this.#rejectedBytes += bytes;
      this.#rejected += line;
    }
  }

  #addNotes(row: number, notes: RowNote[]): void {
    for (const note of notes) {
      if (this.#notes.length < this.#limits.errorListLimit)
        this.#notes.push(`Row ${row}: ${note.column}: ${note.message} ("${echo(note.value)}")`);
      else this.#notesTruncated = true;
    }
  }

  #flushCopy(): void {
    const part = this.#copy.take(this.#total - this.#failed);
    if (part) this.#copyParts.push(part);
  }

  #drain(): EngineOutput {
    const copy = this.#copyParts;
    const rejected = this.#rejected === '' ? undefined : this.#rejected;
    this.#copyParts = [];
    this.#rejected = '';
    return { copy, rejected, leadsRead: this.#total };
  }

  /** Leads written by the byte path (#core/rows/fast-row), not the text path. */
  get byteRows(): number {
    return this.#byteRows;
  }

  /** Counts so far; used when a rejection or failure needs the partial picture. */
  get progress(): EngineProgress {
    return {
      total_leads: this.#total,
      failed_count: this.#failed,
      error_details: this.#errors.details,
      errors_truncated: this.#errors.truncated,
      encoding: this.#decoder.encoding,
      delimiter: this.#delimiter,
    };
  }
}

/** The header map as the result shows it: headers cut, the unknown list capped. */
function detectedColumns(map: HeaderMap): DetectedColumns {
  const mapped: Record<string, string> = {};
  for (const [header, column] of Object.entries(map.mapped)) mapped[echo(header)] = column;
  return {
    mapped,
    unknown: map.unknown.slice(0, COLUMN_LIST_LIMIT).map(echo),
    unknown_truncated: map.unknown.length > COLUMN_LIST_LIMIT,
  };
}

/** More than `error_threshold` invalid rows rejects the file; exactly the threshold passes. */
export function thresholdRejection(
  summary: Pick<EngineSummary, 'total_leads' | 'failed_count'>,
  threshold: number,
): RejectionError | undefined {
  const { total_leads: total, failed_count: failed } = summary;
  // A tiny epsilon keeps "exactly 10%" on the passing side despite binary floating point.
  if (total === 0 || failed <= total * threshold + 1e-9) return undefined;
  const percent = ((failed / total) * 100).toFixed(1);
  return new RejectionError(
    'ERROR_THRESHOLD_EXCEEDED',
    `${failed} of ${total} rows (${percent}%) are invalid, more than the ${+(threshold * 100).toFixed(2)}% allowed. Nothing was imported.`,
    { detail: { failed_count: failed, total_leads: total } },
  );
}
