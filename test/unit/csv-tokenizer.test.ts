import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvTokenizer } from '#core/parse/csv-tokenizer';
import { expectImportError } from '#test/expect-error';
import { randomCsv } from '#test/random-csv';

/** Tokenizes `text` fed in pieces of `size` characters. */
function tokenize(text: string, size = text.length || 1, delimiter = ',', maxRecordChars = 1 << 20): string[][] {
  const records: string[][] = [];
  const tokenizer = new CsvTokenizer({ delimiter, maxRecordChars });
  for (let at = 0; at < text.length; at += size) tokenizer.write(text.slice(at, at + size), (r) => records.push(r));
  tokenizer.end((r) => records.push(r));
  return records;
}

describe('CsvTokenizer', () => {
  it('agrees with csv-parse on random well-formed CSV, whatever the chunking', () => {
    for (let seed = 1; seed <= 40; seed++) {
      // Prepare
      const text = randomCsv(seed, 60);
      const reference = parse(text, { relax_column_count: true, record_delimiter: ['\r\n', '\n'] }) as string[][];
      // Act + Assess
      for (const size of [1, 2, 7, 64, text.length])
        expect(tokenize(text, size), `seed ${seed}, chunk ${size}`).toEqual(reference);
    }
  });

  it('flags exactly the records with no cell that COPY text must escape or that holds a control character, whatever the chunking', () => {
    const special = /[\\\t\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;
    for (let seed = 1; seed <= 40; seed++) {
      const text = randomCsv(seed, 60);
      for (const size of [1, 7, text.length]) {
        const seen: Array<{ record: string[]; plain: boolean }> = [];
        const tokenizer = new CsvTokenizer({ delimiter: ',', maxRecordChars: 1 << 20 });
        for (let at = 0; at < text.length; at += size)
          tokenizer.write(text.slice(at, at + size), (record, plain) => seen.push({ record, plain }));
        tokenizer.end((record, plain) => seen.push({ record, plain }));
        expect(
          seen.map((s) => s.plain),
          `seed ${seed}, chunk ${size}`,
        ).toEqual(seen.map((s) => !s.record.some((cell) => special.test(cell))));
      }
    }
    const flags: boolean[] = [];
    const tokenizer = new CsvTokenizer({ delimiter: ',', maxRecordChars: 1 << 20 });
    tokenizer.write(
      'a,b\n"x\ty",z\r\nplain,"c\\d"\n"multi\nline",ok\nesc\x1b,x\nbel,\x07\nc1\u009b,x\nlast',
      (_, plain) => flags.push(plain),
    );
    tokenizer.end((_, plain) => flags.push(plain));
    expect(flags).toEqual([true, false, false, false, false, false, false, true]);
  });

  it('treats a quote inside an unquoted cell as text and keeps text after a closing quote', () => {
    expect(tokenize('a,2 "x" 3\n"x"y,1\n')).toEqual([
      ['a', '2 "x" 3'],
      ['xy', '1'],
    ]);
  });

  it('ends records at LF, CRLF and a lone CR, also when CR and LF arrive in different chunks', () => {
    expect(tokenize('a\rb\r\nc\nd', 1)).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(tokenize('a,b\r\nc,d\r\n', 4)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('keeps an empty last cell after a trailing delimiter', () => {
    expect(tokenize('a,\nb,', 1)).toEqual([
      ['a', ''],
      ['b', ''],
    ]);
  });

  it('uses the given delimiter only', () => {
    expect(tokenize('a;b,c\n', undefined, ';')).toEqual([['a', 'b,c']]);
  });

  it('names the row where a quote opens and never closes', () => {
    expectImportError(() => tokenize('h\nok\n"open\nmore\n'), 'CSV_QUOTE_NOT_CLOSED', { row: 3 });
  });

  it('refuses a record over the limit however the input is chunked', () => {
    const text = `h,n\n${'a,b\n'.repeat(100)}c,${'x'.repeat(500)}\n`;
    for (const size of [1, 64, 70_000])
      expectImportError(() => tokenize(text, size, ',', 200), 'CSV_RECORD_TOO_LARGE', { row: 102 });
    expectImportError(() => tokenize(`h\n${'x'.repeat(300)}`, undefined, ',', 200), 'CSV_RECORD_TOO_LARGE', { row: 2 });
  });
});
