/**
 * The preview: the first ~64 KB of the file read as the importer will read it. Pure (no DOM), so it
 * runs in the browser and in unit tests; the tokenizer, delimiter and header rules are the importer's
 * own (#core/parse/csv-tokenizer, #core/parse/delimiter, #core/parse/headers), not a copy. The columns' fields are the
 * importer's guesses; the user's choices and their problems are mapping.ts's.
 */
import { CsvTokenizer } from '#core/parse/csv-tokenizer';
import type { DetectedEncoding } from '#core/contract/options';
import { detectDelimiter } from '#core/parse/delimiter';
import { detectedChoices } from './mapping.ts';

/** How much of the file the preview reads (File.slice), as the importer sniffs its encoding. */
export const PREVIEW_BYTES = 64 * 1024;
/** Data rows shown in the preview table. */
export const PREVIEW_ROWS = 5;

export type SampleEncoding = DetectedEncoding;

export interface DecodedSample {
  encoding: SampleEncoding;
  text: string;
}

/**
 * UTF-8 (with or without BOM) and UTF-16 with a BOM as the importer detects them; text that is not
 * valid UTF-8 falls back to windows-1252. `complete` is false when the sample is a prefix of the
 * file: a character cut at the end is then held back instead of counted as invalid.
 */
export function decodeSample(bytes: Uint8Array, complete: boolean): DecodedSample {
  const stream = { stream: !complete };
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { encoding: 'utf-8-bom', text: new TextDecoder('utf-8').decode(bytes.subarray(3), stream) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { encoding: 'utf-16le', text: new TextDecoder('utf-16le').decode(bytes.subarray(2), stream) };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { encoding: 'utf-16be', text: new TextDecoder('utf-16be').decode(bytes.subarray(2), stream) };
  try {
    return { encoding: 'utf-8', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes, stream) };
  } catch {
    return { encoding: 'windows-1252', text: new TextDecoder('windows-1252').decode(bytes) };
  }
}

/**
 * Records of `text` by the importer's own tokenizer, blank lines left out. When the text is only a
 * prefix of the file the tokenizer holds back the last, possibly cut, record; when it is the whole
 * file, a quote that never closes is reported as the importer would.
 */
export function parseRecords(
  text: string,
  delimiter: string,
  complete: boolean,
): { records: string[][]; problem: string | null } {
  const records: string[][] = [];
  const push = (record: string[]) => {
    if (!(record.length === 1 && record[0] === '')) records.push(record);
  };
  const tokenizer = new CsvTokenizer({ delimiter, maxRecordChars: Number.MAX_SAFE_INTEGER });
  try {
    tokenizer.write(text, push);
    if (complete) tokenizer.end(push);
  } catch (error) {
    return { records, problem: (error as Error).message };
  }
  return { records, problem: null };
}

export interface PreviewColumn {
  header: string;
  /** The lead column the importer will fill from it, or null when the column is not imported. */
  column: string | null;
}

export interface Preview {
  encoding: SampleEncoding;
  delimiter: string;
  columns: PreviewColumn[];
  /** Headers the importer does not know: their cells are not imported. */
  unknown: string[];
  rows: string[][];
  /** Why the importer will refuse the file whatever the mapping (empty, a quote never closed), if it will. */
  problem: string | null;
  /** Rough data-row count of the whole file from the sample's bytes per row; null if unknown. */
  estimatedRows: number | null;
}

export const DELIMITER_NAMES: Record<string, string> = {
  ',': 'comma (,)',
  ';': 'semicolon (;)',
  '\t': 'tab',
  '|': 'pipe (|)',
};

/** The preview of a file of `fileSize` bytes from its first bytes (`sample`). */
export function buildPreview(sample: Uint8Array, fileSize: number): Preview {
  const complete = sample.byteLength >= fileSize;
  const { encoding, text } = decodeSample(sample, complete);
  const delimiter = detectDelimiter(text);
  const parsed = parseRecords(text, delimiter, complete);
  const headers = (parsed.records[0] ?? []).map((h) => h.trim());
  const data = parsed.records.slice(1);
  let problem = parsed.problem;
  if (headers.length === 0) problem ??= 'The file is empty: it has no header row.';
  const detected = detectedChoices(headers);
  const columns = headers.map((header, i) => ({ header, column: detected[i] ?? null }));
  const unknown = headers.filter((header, i) => header !== '' && detected[i] === null);
  const estimatedRows = complete
    ? data.length
    : data.length > 0
      ? Math.round((data.length * fileSize) / sample.byteLength)
      : null;
  return { encoding, delimiter, columns, unknown, rows: data.slice(0, PREVIEW_ROWS), problem, estimatedRows };
}
