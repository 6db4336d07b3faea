/**
 * One contract for both tokenizers (CsvTokenizer over text; ByteCsvTokenizer over UTF-8 bytes,
 * handing every record that is not plain ASCII back to CsvTokenizer, as the engine runs it), as one
 * router suite runs against every router. csv-parse is the oracle for well-formed input; the
 * spreadsheet leniency and the errors are stated here. Each tokenizer's test file runs the suite.
 *
 * Known divergence, by design: ByteCsvTokenizer takes only an ASCII delimiter (the engine gives it
 * none other: it reads UTF-8 files with one of DELIMITERS), so no case uses another.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { expectImportError } from './expect-error.ts';
import { randomCsv } from './random-csv.ts';

export interface TokenizeOptions {
  /** Feed the input in pieces of about this many characters (bytes for the byte tokenizer). */
  size?: number;
  delimiter?: string;
  maxRecordChars?: number;
}

export interface Tokenized {
  record: string[];
  /** No cell holds a tab, line break, backslash or other control character. */
  plain: boolean;
}

export type Tokenize = (text: string, options?: TokenizeOptions) => Tokenized[];

const recordsOf = (seen: Tokenized[]) => seen.map((s) => s.record);
const SPECIAL = /[\\\t\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;

export function runTokenizerCases(name: string, tokenize: Tokenize): void {
  describe(`${name}: the tokenizers' contract`, () => {
    it('agrees with csv-parse on random well-formed CSV, whatever the chunking', () => {
      for (let seed = 1; seed <= 40; seed++) {
        const text = randomCsv(seed, 60);
        const reference = parse(text, { relax_column_count: true, record_delimiter: ['\r\n', '\n'] }) as string[][];
        for (const size of [1, 2, 7, 64, text.length || 1])
          expect(recordsOf(tokenize(text, { size })), `seed ${seed}, chunk ${size}`).toEqual(reference);
      }
    });

    it('flags as plain exactly the records with no special or control character, whatever the chunking', () => {
      for (let seed = 1; seed <= 40; seed++) {
        const text = randomCsv(seed, 60);
        for (const size of [1, 7, text.length || 1]) {
          const seen = tokenize(text, { size });
          expect(
            seen.map((s) => s.plain),
            `seed ${seed}, chunk ${size}`,
          ).toEqual(seen.map((s) => !s.record.some((cell) => SPECIAL.test(cell))));
        }
      }
      const text = 'a,b\n"x\ty",z\r\nplain,"c\\d"\n"multi\nline",ok\nesc\x1b,x\nbel,\x07\nc1\u009b,x\nlast';
      expect(tokenize(text).map((s) => s.plain)).toEqual([true, false, false, false, false, false, false, true]);
    });

    it('treats a quote inside an unquoted cell as text and keeps text after a closing quote', () => {
      expect(recordsOf(tokenize('a,2 "x" 3\n"x"y,1\n'))).toEqual([
        ['a', '2 "x" 3'],
        ['xy', '1'],
      ]);
    });

    it('ends records at LF, CRLF and a lone CR, also when CR and LF arrive in different chunks', () => {
      expect(recordsOf(tokenize('a\rb\r\nc\nd', { size: 1 }))).toEqual([['a'], ['b'], ['c'], ['d']]);
      expect(recordsOf(tokenize('a,b\r\nc,d\r\n', { size: 4 }))).toEqual([
        ['a', 'b'],
        ['c', 'd'],
      ]);
    });

    it('keeps an empty last cell after a trailing delimiter, and a quoted delimiter or line break as text', () => {
      expect(recordsOf(tokenize('a,\nb,', { size: 1 }))).toEqual([
        ['a', ''],
        ['b', ''],
      ]);
      expect(recordsOf(tokenize('"a,b","c\r\nd",""""\n'))).toEqual([['a,b', 'c\r\nd', '"']]);
    });

    it('uses the given delimiter only', () => {
      expect(recordsOf(tokenize('a;b,c\n', { delimiter: ';' }))).toEqual([['a', 'b,c']]);
      expect(recordsOf(tokenize('a\tb,c\n', { delimiter: '\t' }))).toEqual([['a', 'b,c']]);
    });

    it('reads characters beyond ASCII and beyond the BMP whole, whatever the chunking', () => {
      for (const size of [1, 3, 100])
        expect(recordsOf(tokenize('Société,😀 ok\n"Müller ""GmbH""",x\n', { size }))).toEqual([
          ['Société', '😀 ok'],
          ['Müller "GmbH"', 'x'],
        ]);
    });

    it('names the row where a quote opens and never closes', () => {
      expectImportError(() => tokenize('h\nok\n"open\nmore\n'), 'CSV_QUOTE_NOT_CLOSED', { row: 3 });
    });

    it('refuses a record over the limit however the input is chunked', () => {
      const text = `h,n\n${'a,b\n'.repeat(100)}c,${'x'.repeat(500)}\n`;
      for (const size of [1, 64, 70_000])
        expectImportError(() => tokenize(text, { size, maxRecordChars: 200 }), 'CSV_RECORD_TOO_LARGE', { row: 102 });
      expectImportError(() => tokenize(`h\n${'x'.repeat(300)}`, { maxRecordChars: 200 }), 'CSV_RECORD_TOO_LARGE', {
        row: 2,
      });
    });
  });
}
