import { CsvTokenizer } from '#core/parse/csv-tokenizer';
import { runTokenizerCases, type Tokenize, type Tokenized } from '#test/tokenizer-cases';

/** CsvTokenizer over text fed in pieces of `size` characters. */
const byText: Tokenize = (text, { size = text.length || 1, delimiter = ',', maxRecordChars = 1 << 20 } = {}) => {
  const seen: Tokenized[] = [];
  const tokenizer = new CsvTokenizer({ delimiter, maxRecordChars });
  const sink = (record: string[], plain: boolean) => seen.push({ record, plain });
  for (let at = 0; at < text.length; at += size) tokenizer.write(text.slice(at, at + size), sink);
  tokenizer.end(sink);
  return seen;
};

runTokenizerCases('CsvTokenizer', byText);
