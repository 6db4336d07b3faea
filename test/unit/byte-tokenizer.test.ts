import { describe, expect, it } from 'vitest';
import { fastCellText } from '#core/text/ascii-cells';
import { ByteCsvTokenizer, SPECIAL_CHARACTERS, DOUBLED_QUOTES, utf16Length } from '#core/parse/byte-tokenizer';
import { CsvTokenizer } from '#core/parse/csv-tokenizer';
import { expectImportError } from '#test/expect-error';
import { randomCsv } from '#test/random-csv';
import { runTokenizerCases } from '#test/tokenizer-cases';

interface Seen {
  record: string[];
  plain: boolean;
  fast: boolean;
  /** Of a fast record: each cell's flags. */
  flags?: number[];
}

/** CsvTokenizer over the whole text: the reference. */
function byText(text: string, delimiter = ',', maxRecordChars = 1 << 20): Seen[] {
  const seen: Seen[] = [];
  const tokenizer = new CsvTokenizer({ delimiter, maxRecordChars });
  const sink = (record: string[], plain: boolean) => seen.push({ record, plain, fast: false });
  tokenizer.write(text, sink);
  tokenizer.end(sink);
  return seen;
}

/**
 * The engine's arrangement: CsvTokenizer reads the first `handover` characters, then ByteCsvTokenizer
 * takes its carry and reads the rest as UTF-8 in pieces of about `size` bytes (cut on character
 * boundaries, as ByteDecoder cuts them), handing non-fast records back to CsvTokenizer.parseRecord.
 */
function byBytes(text: string, { size = 1 << 20, handover = 0, delimiter = ',', maxRecordChars = 1 << 20 } = {}) {
  const seen: Seen[] = [];
  const csv = new CsvTokenizer({ delimiter, maxRecordChars });
  const onText = (record: string[], plain: boolean) => seen.push({ record, plain, fast: false });
  csv.write(text.slice(0, handover), onText);
  const bytes = new ByteCsvTokenizer({ delimiter, maxRecordChars, records: csv.records, ...csv.takeCarry() });
  const sink = {
    fast: (b: Uint8Array, starts: Int32Array, ends: Int32Array, flags: Uint8Array, count: number) => {
      const cells = Array.from({ length: count }, (_, k) =>
        fastCellText(b, starts[k]!, ends[k]!, (flags[k]! & DOUBLED_QUOTES) !== 0),
      );
      const cellFlags = Array.from(flags.subarray(0, count));
      // Plain as CsvTokenizer means it: no cell holds a byte COPY escapes.
      seen.push({
        record: cells,
        plain: cellFlags.every((f) => (f & SPECIAL_CHARACTERS) === 0),
        fast: true,
        flags: cellFlags,
      });
    },
    text: (recordText: string, before: number) => csv.parseRecord(recordText, before, onText),
  };
  const rest = Buffer.from(text.slice(handover), 'utf8');
  for (let at = 0; at < rest.length; ) {
    let end = Math.min(at + size, rest.length);
    while (end < rest.length && (rest[end]! & 0xc0) === 0x80) end++; // a character boundary
    bytes.write(rest.subarray(at, end), sink);
    at = end;
  }
  bytes.end(sink);
  return seen;
}

runTokenizerCases('ByteCsvTokenizer', (text, { size, delimiter, maxRecordChars } = {}) =>
  byBytes(text, {
    ...(size ? { size } : {}),
    ...(delimiter ? { delimiter } : {}),
    ...(maxRecordChars ? { maxRecordChars } : {}),
  }).map(({ record, plain }) => ({ record, plain })),
);

// The byte path must also take over from CsvTokenizer anywhere: the same records from any hand-over point.
const strip = (seen: Seen[]) => seen.map(({ record, plain }) => ({ record, plain }));

describe('ByteCsvTokenizer', () => {
  it('gives the records and plain flags CsvTokenizer gives, whatever the chunking and hand-over point', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const text = randomCsv(seed, 60);
      const reference = strip(byText(text));
      for (const size of [1, 2, 7, 64, 1 << 20])
        for (const handover of [0, 5, 33])
          expect(strip(byBytes(text, { size, handover })), `seed ${seed}, chunk ${size}, handover ${handover}`).toEqual(
            reference,
          );
    }
  });

  it('sends exactly the records of plain printable ASCII as byte ranges, everything else as text', () => {
    const text = [
      'plain,"quoted, with comma",x y',
      'back\\slash,b',
      '"doubled ""quote""",b',
      '"after"quote,b',
      'tab\tin,b',
      'café,b',
      '"multi\nline",b',
      '',
      'trailing,',
      'last',
    ].join('\r\n');
    const seen = byBytes(text, { size: 5 });
    // Quoted cells may hold doubled quotes and bytes COPY escapes (flagged); unquoted ones may not.
    expect(seen.map((s) => s.fast)).toEqual([true, false, true, false, false, false, true, true, true, true]);
    expect(seen[0]!.record).toEqual(['plain', 'quoted, with comma', 'x y']);
    expect(seen[2]).toMatchObject({ record: ['doubled "quote"', 'b'], flags: [DOUBLED_QUOTES, 0], plain: true });
    expect(seen[6]).toMatchObject({ record: ['multi\nline', 'b'], flags: [SPECIAL_CHARACTERS, 0], plain: false });
    expect(seen[7]!.record).toEqual(['']);
    expect(seen[8]!.record).toEqual(['trailing', '']);
    expect(strip(seen)).toEqual(strip(byText(text)));
  });

  it('reads semicolon, pipe and tab delimiters; a quoted tab is a special character, so its cell is flagged', () => {
    for (const delimiter of [';', '\t', '|']) {
      const text = `a${delimiter}"b${delimiter}c"${delimiter}d\nx${delimiter}${delimiter}z\n`;
      const seen = byBytes(text, { delimiter, size: 3 });
      expect(seen.map((s) => s.fast)).toEqual([true, true]);
      expect(seen[0]!.flags).toEqual([0, delimiter === '\t' ? SPECIAL_CHARACTERS : 0, 0]);
      expect(seen.map((s) => s.record)).toEqual(byText(text, delimiter).map((s) => s.record));
      // CsvTokenizer calls every tab-separated record not plain (its delimiter is a special character);
      // a fast record's unflagged cells hold no special character either way.
      for (const s of seen.filter((s) => s.fast))
        for (const [k, cell] of s.record.entries()) if (s.flags![k] === 0) expect(cell).toMatch(/^[ -[\]-~]*$/);
    }
  });

  it('flags quoted cells by what they hold, and still sends control characters and non-ASCII as text', () => {
    const text = ['"C:\\temp\there\r\n","""",""""""', '"bell\x07",b', '"ünï",b', '" ""x"" ",y'].join('\n');
    const seen = byBytes(text, { size: 4 });
    expect(seen.map((s) => s.fast)).toEqual([true, false, false, true]);
    expect(seen[0]).toMatchObject({
      record: ['C:\\temp\there\r\n', '"', '""'],
      flags: [SPECIAL_CHARACTERS, DOUBLED_QUOTES, DOUBLED_QUOTES],
    });
    expect(seen[3]!.record).toEqual([' "x" ', 'y']);
    expect(strip(seen)).toEqual(strip(byText(text)));
  });

  it('takes over a pending CR, so a CRLF split across chunks is one line ending', () => {
    const text = 'h\r\na,b\r\nc,d\r\n';
    for (let handover = 1; handover < text.length; handover++)
      for (const size of [1, 3])
        expect(strip(byBytes(text, { handover, size })), `handover ${handover}`).toEqual(strip(byText(text)));
  });

  it('names the row of a quote that never closes, as CsvTokenizer does', () => {
    const text = 'h\nok\nfine\n"open\nmore\n';
    for (const size of [1, 4, 100])
      expectImportError(() => byBytes(text, { size, handover: 2 }), 'CSV_QUOTE_NOT_CLOSED', { row: 4 });
  });

  it('counts the record limit in characters, not bytes', () => {
    // 150 two-byte characters: 300 bytes, 151 characters with the line ending.
    const text = `h\n${'é'.repeat(150)}\nok\n`;
    expect(strip(byBytes(text, { maxRecordChars: 160, size: 7, handover: 2 }))).toEqual(strip(byText(text, ',', 160)));
    for (const size of [1, 64, 1000])
      expectImportError(() => byBytes(text, { maxRecordChars: 140, size, handover: 2 }), 'CSV_RECORD_TOO_LARGE', {
        row: 2,
      });
  });

  it('counts UTF-16 units of UTF-8 bytes: two for a character beyond U+FFFF', () => {
    for (const text of ['', 'abc', 'é東', 'a😀b', '𝄞x'])
      expect(utf16Length(Buffer.from(text), 0, Buffer.byteLength(text))).toBe(text.length);
  });
});
