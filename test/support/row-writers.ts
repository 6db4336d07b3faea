/**
 * The engine's two row writers behind one call, for the shared contract suite
 * (test/support/row-writer-cases): one header line and one data line in, the stored row out, or
 * `declined` when the writer hands the row on (the byte writer does for every row that is not a
 * plain, valid ASCII lead; the text path then decides it).
 */
import { CopyRowWriter } from '#core/copy/copy-binary';
import { CopyOutput } from '#core/copy/copy-output';
import { ByteCsvTokenizer } from '#core/parse/byte-tokenizer';
import { CsvTokenizer } from '#core/parse/csv-tokenizer';
import { type HeaderMap, mapHeaders } from '#core/parse/headers';
import { FastRowWriter } from '#core/rows/fast-row';
import { RowProcessor } from '#core/rows/row-processor';
import { type CopyRow, decodeCopyRows } from './copy-rows.ts';

export const IMPORT_ID = '00000000-0000-4000-8000-000000000000';
const LIMITS = { delimiter: ',', maxRecordChars: 1 << 20 };

export type WriteOutcome =
  | { kind: 'written'; row: CopyRow }
  | { kind: 'declined' }
  | { kind: 'invalid'; codes: string[] };
export type WriteRow = (header: string, line: string, phoneRegion?: string) => WriteOutcome;

function records(text: string): { record: string[]; plain: boolean }[] {
  const out: { record: string[]; plain: boolean }[] = [];
  const tokenizer = new CsvTokenizer(LIMITS);
  tokenizer.write(text, (record, plain) => out.push({ record, plain }));
  tokenizer.end((record, plain) => out.push({ record, plain }));
  return out;
}

const headerMap = (header: string): HeaderMap => mapHeaders(records(header)[0]!.record);

/** RowProcessor and CopyRowWriter: the text path, which writes any valid lead. */
export const textWriter: WriteRow = (header, line, phoneRegion = 'US') => {
  const { record, plain } = records(line)[0]!;
  const outcome = new RowProcessor(headerMap(header), phoneRegion).process(record, plain);
  if (outcome.kind === 'blank') return { kind: 'declined' };
  if (outcome.kind === 'invalid') return { kind: 'invalid', codes: outcome.problems.map((p) => p.code) };
  const out = new CopyOutput();
  new CopyRowWriter(IMPORT_ID).write(out, outcome.values, 2);
  return { kind: 'written', row: decodeCopyRows(out.take(1)!.bytes)[0]! };
};

/** ByteCsvTokenizer and FastRowWriter: the byte path, straight from the input bytes. */
export const byteWriter: WriteRow = (header, line, phoneRegion = 'US') => {
  const writer = new FastRowWriter(headerMap(header), IMPORT_ID, phoneRegion);
  const out = new CopyOutput();
  let written = false;
  const tokenizer = new ByteCsvTokenizer({ ...LIMITS, records: 1, carry: '', skipLeadingLF: false });
  const sink = {
    fast: (bytes: Uint8Array, starts: Int32Array, ends: Int32Array, flags: Uint8Array, count: number) => {
      written = writer.write(bytes, starts, ends, flags, count, 2, out);
    },
    text: () => {},
  };
  tokenizer.write(Buffer.from(line, 'utf8'), sink);
  tokenizer.end(sink);
  return written ? { kind: 'written', row: decodeCopyRows(out.take(1)!.bytes)[0]! } : { kind: 'declined' };
};
