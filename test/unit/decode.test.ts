import { describe, expect, it } from 'vitest';
import { ByteDecoder, completeUtf8Length, detectEncoding } from '#core/parse/decode';
import type { EncodingOption } from '#core/contract/options';
import { expectImportError } from '#test/expect-error';

/** More than the decoder's 64 KiB sniff window, so later chunks take the streaming path. */
const PAST_SNIFF_WINDOW = 70_000;

const TEXT = 'company_name,contact_name\nSociété Générale,Zoë\nMüller & Söhne,Jürgen\n東京ソフト株式会社,田中 🚀\n';

function decode(chunks: Uint8Array[], option: EncodingOption = 'auto') {
  const decoder = new ByteDecoder(option);
  const out: string[] = [];
  for (const chunk of chunks) out.push(...decoder.write(chunk));
  out.push(...decoder.end());
  const text = out.join('');
  return { bytes: Buffer.from(text, 'utf8'), text, chunks: out, encoding: decoder.encoding };
}

/** A chunk cut inside a character decodes to U+FFFD (or a lone surrogate); whole characters never do here. */
const splitCharacter = (chunk: string) =>
  chunk.includes('\uFFFD') || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(chunk);

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
const bytesOf = (buffer: Buffer) => [...buffer].map((b) => Buffer.from([b]));

/** Deterministic pseudo-random bytes (no flaky tests). */
function noise(length: number, seed = 42): Buffer {
  const out = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

describe('ByteDecoder: encoding detection', () => {
  it('passes UTF-8 through byte for byte', () => {
    // Prepare
    const input = Buffer.from(TEXT, 'utf8');
    // Act
    const { bytes, encoding } = decode([input]);
    // Assess
    expect(encoding).toBe('utf-8');
    expect(bytes.equals(input)).toBe(true);
  });

  it('strips a UTF-8 BOM and reports utf-8-bom', () => {
    const { text, encoding } = decode([Buffer.from('\uFEFF' + TEXT, 'utf8')]);
    expect(encoding).toBe('utf-8-bom');
    expect(text).toBe(TEXT);
  });

  it('decodes UTF-16LE with a BOM to UTF-8 without the BOM', () => {
    const input = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]);
    const { text, encoding } = decode([input]);
    expect(encoding).toBe('utf-16le');
    expect(text).toBe(TEXT);
  });

  it('decodes UTF-16BE with a BOM to UTF-8 without the BOM', () => {
    const input = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(TEXT)]);
    const { text, encoding } = decode([input]);
    expect(encoding).toBe('utf-16be');
    expect(text).toBe(TEXT);
  });

  it('recognizes UTF-16LE without a BOM from its zero bytes', () => {
    const { text, encoding } = decode([Buffer.from(TEXT, 'utf16le')]);
    expect(encoding).toBe('utf-16le');
    expect(text).toBe(TEXT);
  });

  it('decodes UTF-16 split into one-byte chunks (surrogate pairs included)', () => {
    const input = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT.repeat(800), 'utf16le')]);
    const { text, encoding } = decode(bytesOf(input));
    expect(encoding).toBe('utf-16le');
    expect(text).toBe(TEXT.repeat(800));
  });

  it('falls back to windows-1252 when the bytes are not UTF-8 (é as 0xE9)', () => {
    // Prepare: "Café,Müller,Straße\n" as Excel on Windows saves it
    const input = Buffer.from([
      0x43, 0x61, 0x66, 0xe9, 0x2c, 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x2c, 0x53, 0x74, 0x72, 0x61, 0xdf, 0x65, 0x0a,
    ]);
    // Act
    const { text, encoding } = decode([input]);
    // Assess
    expect(encoding).toBe('windows-1252');
    expect(text).toBe('Café,Müller,Straße\n');
  });

  it('sniffs across small chunks: a windows-1252 byte in the second chunk still selects windows-1252', () => {
    const { text, encoding } = decode([
      Buffer.from('company\nSoci'),
      Buffer.from([0xe9]),
      Buffer.from('t\xe9\n', 'latin1'),
    ]);
    expect(encoding).toBe('windows-1252');
    expect(text).toBe('company\nSociété\n');
  });

  it('honours an explicit encoding over detection', () => {
    // UTF-8 bytes read as windows-1252 on request: the user asked for it
    expect(decode([Buffer.from('Café', 'utf8')], 'windows-1252')).toMatchObject({
      text: 'CafÃ©',
      encoding: 'windows-1252',
    });
    // BOM-less UTF-16BE is not guessed when the option names it
    expect(decode([utf16be('Müller & Söhne')], 'utf-16be')).toMatchObject({
      text: 'Müller & Söhne',
      encoding: 'utf-16be',
    });
    // A UTF-16LE BOM is consumed when the option agrees
    expect(decode([Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('東京', 'utf16le')])], 'utf-16le').text).toBe(
      '東京',
    );
  });

  it('does not fall back to windows-1252 when utf-8 is explicit', () => {
    const decoder = new ByteDecoder('utf-8');
    expectImportError(
      () => {
        decoder.write(Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a]));
        decoder.end();
      },
      'ENCODING_INVALID',
      { message: 'UTF-8', detail: { encoding: 'utf-8' } },
    );
  });
});

describe('ByteDecoder: streaming UTF-8', () => {
  it('holds back a multi-byte character split across write() chunks', () => {
    // Prepare: past the sniff window, then é (2 bytes), € (3 bytes), 😀 (4 bytes) one byte per chunk
    const head = Buffer.alloc(PAST_SNIFF_WINDOW, 'a');
    const tail = Buffer.from('é€😀\n', 'utf8');
    // Act
    const { bytes, chunks } = decode([head, ...bytesOf(tail)], 'utf-8');
    // Assess: nothing lost or doubled, and no chunk ends inside a character
    expect(bytes.equals(Buffer.concat([head, tail]))).toBe(true);
    for (const chunk of chunks) expect(splitCharacter(chunk)).toBe(false);
  });

  it('keeps a character split exactly at the sniff window boundary intact', () => {
    const first = Buffer.concat([Buffer.alloc(64 * 1024 - 1, 'b'), Buffer.from([0xe2])]);
    const second = Buffer.from([0x82, 0xac, 0x0a]);
    const { text, chunks, encoding } = decode([first, second]);
    expect(encoding).toBe('utf-8');
    expect(text.endsWith('b€\n')).toBe(true);
    for (const chunk of chunks) expect(splitCharacter(chunk)).toBe(false);
  });

  it('refuses invalid UTF-8 after the sniff window (explicit utf-8) with ENCODING_INVALID', () => {
    // Prepare
    const decoder = new ByteDecoder('utf-8');
    // Act: the clean start is accepted and released
    const before = decoder.write(Buffer.alloc(PAST_SNIFF_WINDOW, 'a'));
    // Assess
    expect(before.join('').length).toBe(PAST_SNIFF_WINDOW);
    expectImportError(() => decoder.write(Buffer.from([0x41, 0xe9, 0x41, 0x0a])), 'ENCODING_INVALID', {
      message: ['not valid UTF-8', 'encoding option'],
      detail: { encoding: 'utf-8' },
    });
  });

  it('refuses invalid UTF-8 after the sniff window in auto mode too (UTF-8 was already chosen)', () => {
    const decoder = new ByteDecoder('auto');
    decoder.write(Buffer.alloc(PAST_SNIFF_WINDOW, 'a'));
    expectImportError(() => decoder.write(Buffer.from([0xff, 0x0a])), 'ENCODING_INVALID', {
      detail: { encoding: 'utf-8' },
    });
  });

  it('refuses a character cut off by the end of the file', () => {
    const decoder = new ByteDecoder('utf-8');
    decoder.write(Buffer.concat([Buffer.alloc(PAST_SNIFF_WINDOW, 'a'), Buffer.from([0xe2, 0x82])]));
    expectImportError(() => decoder.end(), 'ENCODING_INVALID');
  });

  it('refuses a lead byte followed by a non-continuation byte in the next chunk', () => {
    const decoder = new ByteDecoder('utf-8');
    decoder.write(Buffer.alloc(PAST_SNIFF_WINDOW, 'a'));
    decoder.write(Buffer.from([0xc3]));
    expectImportError(() => decoder.write(Buffer.from([0x41])), 'ENCODING_INVALID');
  });
});

describe('ByteDecoder: not text', () => {
  it('refuses NUL bytes with BINARY_CONTENT', () => {
    expectImportError(() => decode([Buffer.from('company\nAc\0me\n', 'latin1')]), 'BINARY_CONTENT', {
      message: 'binary data',
    });
  });

  it('refuses NUL bytes that arrive after the sniff window', () => {
    const decoder = new ByteDecoder('utf-8');
    decoder.write(Buffer.alloc(PAST_SNIFF_WINDOW, 'a'));
    expectImportError(() => decoder.write(Buffer.from([0x41, 0x00, 0x41])), 'BINARY_CONTENT');
  });

  it('refuses a NUL character in decoded UTF-16 text', () => {
    const input = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('company\nAc\0me\n', 'utf16le')]);
    expectImportError(() => decode([input]), 'BINARY_CONTENT');
  });

  it('refuses random bytes with BINARY_CONTENT', () => {
    expectImportError(() => decode([noise(4096)]), 'BINARY_CONTENT');
  });

  it('refuses text full of control bytes even without NUL', () => {
    // Prepare: 10% control bytes, none of them NUL, tab, CR, LF or form feed
    const input = Buffer.from('company\nAcme\n'.repeat(20), 'utf8');
    for (let i = 0; i < input.length; i += 10) input[i] = 0x01 + (i % 7);
    // Act / Assess
    expectImportError(() => decode([input]), 'BINARY_CONTENT');
  });

  it('accepts tabs, CR, LF and form feeds as text', () => {
    const input = Buffer.from('a\tb\r\nc\fd\n', 'utf8');
    expect(decode([input]).bytes.equals(input)).toBe(true);
  });

  it('refuses an empty file with EMPTY_FILE', () => {
    expectImportError(() => decode([]), 'EMPTY_FILE', { message: 'empty' });
    expectImportError(() => decode([Buffer.alloc(0), new Uint8Array(0)]), 'EMPTY_FILE');
  });

  it('accepts a Uint8Array view into a larger buffer', () => {
    const backing = Buffer.from('xxcompany\nAcme\nyy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, backing.length - 4);
    expect(decode([view]).text).toBe('company\nAcme\n');
  });
});

describe('detectEncoding', () => {
  it('ignores a BOM that contradicts the explicit encoding', () => {
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x41, 0x00]), 'utf-8')).toEqual({ encoding: 'utf-8', bomLength: 0 });
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), 'auto')).toEqual({
      encoding: 'utf-8-bom',
      bomLength: 3,
    });
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0x00, 0x41]), 'auto')).toEqual({
      encoding: 'utf-16be',
      bomLength: 2,
    });
  });

  it('judges UTF-8 validity on whole characters when the sample ends inside one', () => {
    const sample = Buffer.concat([Buffer.from('Société,'), Buffer.from('€').subarray(0, 2)]);
    expect(detectEncoding(sample, 'auto')).toEqual({ encoding: 'utf-8', bomLength: 0 });
  });
});

describe('completeUtf8Length', () => {
  it.each([
    ['ASCII', [0x61, 0x62], 2],
    ['complete é', [0x61, 0xc3, 0xa9], 3],
    ['lead byte of é only', [0x61, 0xc3], 1],
    ['two of three bytes of €', [0x61, 0xe2, 0x82], 1],
    ['complete €', [0xe2, 0x82, 0xac], 3],
    ['three of four bytes of 😀', [0xf0, 0x9f, 0x98], 0],
    ['complete 😀', [0xf0, 0x9f, 0x98, 0x80], 4],
    ['empty', [], 0],
  ])('%s', (_name, bytes, expected) => {
    expect(completeUtf8Length(Uint8Array.from(bytes))).toBe(expected);
  });
});
