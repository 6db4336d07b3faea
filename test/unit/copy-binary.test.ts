import { describe, expect, it } from 'vitest';
import {
  COPY_BINARY_HEADER,
  COPY_BINARY_TRAILER,
  CopyRowWriter,
  importIdField,
  writeInt32,
} from '#core/copy/copy-binary';
import { CopyOutput } from '#core/copy/copy-output';
import { decodeCopyRows } from '#test/copy-rows';

const IMPORT_ID = '0123abcd-4567-4890-8abc-def012345678';
const nulls = (n: number) => Array<null>(n).fill(null);

function written(rows: { values: (string | null)[]; row: number }[]): Buffer {
  const out = new CopyOutput();
  const writer = new CopyRowWriter(IMPORT_ID);
  for (const { values, row } of rows) writer.write(out, values, row);
  return Buffer.from(out.take(0)!.bytes);
}

describe('COPY BINARY framing', () => {
  it('starts with the signature, no-OID flags and an empty extension, and ends with a -1 field count', () => {
    expect(Buffer.from(COPY_BINARY_HEADER).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0' + '\0'.repeat(8));
    expect([...COPY_BINARY_TRAILER]).toEqual([0xff, 0xff]);
  });

  it('writes 32-bit big-endian integers, -1 (NULL) included', () => {
    const buffer = new Uint8Array(12);
    const end = writeInt32(buffer, writeInt32(buffer, writeInt32(buffer, 0, -1), 2_147_483_647), 258);
    expect(end).toBe(12);
    expect(Buffer.from(buffer).toString('hex')).toBe('ffffffff' + '7fffffff' + '00000102');
  });

  it('refuses an import id that is not a UUID rather than write a wrong one', () => {
    expect(() => importIdField('imp-1')).toThrow(/not a UUID/);
    expect(() => importIdField(`${IMPORT_ID}0`)).toThrow(/not a UUID/);
  });
});

describe('CopyRowWriter (the text path)', () => {
  it('writes each value as its UTF-8 bytes, NULL apart from the empty string, with the import id and row', () => {
    // Arrange
    const values = [
      'Acme',
      '',
      'https://acme.example',
      null,
      'Zoë Müller',
      'zoe@acme.example',
      null,
      'CTO\tand\\more',
      'line 1\r\nline 2 東京 🚀',
      'https://acme.example/',
      '+12125550143',
      'acme|zoë müller',
    ];
    // Act
    const rows = decodeCopyRows(written([{ values, row: 7 }]));
    // Assess
    expect(rows).toEqual([
      {
        company_name: 'Acme',
        industry: '',
        company_website: 'https://acme.example',
        company_size: null,
        contact_name: 'Zoë Müller',
        contact_email: 'zoe@acme.example',
        contact_phone: null,
        contact_title: 'CTO\tand\\more',
        notes: 'line 1\r\nline 2 東京 🚀',
        import_id: IMPORT_ID,
        source_row: '7',
        website_normalized: 'https://acme.example/',
        phone_e164: '+12125550143',
        name_key: 'acme|zoë müller',
      },
    ]);
  });

  it('writes a lone surrogate as U+FFFD, as the string encoder always did', () => {
    const rows = decodeCopyRows(written([{ values: ['Acme \uD800 end', ...nulls(11)], row: 2 }]));
    expect(rows[0]!.company_name).toBe('Acme \uFFFD end');
    expect(
      written([{ values: ['\uDC00', ...nulls(11)], row: 2 }])
        .subarray(2, 9)
        .toString('hex'),
    ).toBe('00000003efbfbd');
  });

  it('refuses a row of the wrong number of values rather than write a malformed one', () => {
    expect(() => written([{ values: ['Acme', ...nulls(10)], row: 2 }])).toThrow(/takes 12 values, got 11/);
  });

  it('gives each field its length in bytes, not characters, where ASCII turns into other text', () => {
    const bytes = written([{ values: ['ab€', ...nulls(11)], row: 2 }]);
    // field count (2), then the first field's length: 2 ASCII bytes + 3 for the euro sign.
    expect(bytes.readInt16BE(0)).toBe(14);
    expect(bytes.readInt32BE(2)).toBe(5);
    expect(bytes.subarray(6, 11).toString('utf8')).toBe('ab€');
  });

  it('writes rows in order, a value larger than an arena whole', () => {
    const big = 'x'.repeat(1_500_000) + 'é';
    const rows = decodeCopyRows(
      written([
        { values: ['First', ...nulls(11)], row: 2 },
        { values: ['Big', ...nulls(7), big, ...nulls(3)], row: 3 },
        { values: ['Last', ...nulls(11)], row: 2_000_000_000 },
      ]),
    );
    expect(rows.map((r) => [r.company_name, r.source_row, r.notes?.length])).toEqual([
      ['First', '2', undefined],
      ['Big', '3', 1_500_001],
      ['Last', '2000000000', undefined],
    ]);
    expect(rows[1]!.notes).toBe(big);
  });
});
