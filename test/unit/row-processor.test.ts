import { describe, expect, it } from 'vitest';
import { LEAD_COLUMNS } from '#core/contract/columns';
import { mapHeaders } from '#core/parse/headers';
import { COPY_COLUMNS } from '#core/copy/copy-binary';
import { RowProcessor, type RowOutcome } from '#core/rows/row-processor';
import { type CopyRow, copyRowBytes, decodeCopyRows } from '#test/copy-rows';

const HEADER = [...LEAD_COLUMNS];
const processor = (headers: readonly string[] = HEADER, region = 'US') => new RowProcessor(mapHeaders(headers), region);
const IMPORT_ID = '00000000-0000-4000-8000-000000000042';

/** A lead's values as the engine writes them (row 7), read back as one COPY row: column -> text or null. */
function fields(outcome: RowOutcome): CopyRow {
  expect(outcome.kind).toBe('lead');
  const values = (outcome as Extract<RowOutcome, { kind: 'lead' }>).values;
  const rows = decodeCopyRows(copyRowBytes(IMPORT_ID, 7, values));
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

const record = [
  'Acme',
  'Analytics',
  'WWW.Acme.Example/Contact',
  '11-50',
  'Zoë Müller',
  'Zoe@Acme.Example',
  '(212) 555-0143',
  'CTO',
  'Met at the fair',
];

describe('COPY_COLUMNS', () => {
  it('lists the lead columns, then the import bookkeeping and the normalized keys', () => {
    expect(COPY_COLUMNS).toEqual([
      'company_name',
      'industry',
      'company_website',
      'company_size',
      'contact_name',
      'contact_email',
      'contact_phone',
      'contact_title',
      'notes',
      'import_id',
      'source_row',
      'website_normalized',
      'phone_e164',
      'name_key',
    ]);
  });
});

describe('RowProcessor', () => {
  it('gives one COPY row in COPY_COLUMNS order, with the import id, row and normalized keys', () => {
    // Act
    const outcome = processor().process(record);
    // Assess
    expect(fields(outcome)).toEqual({
      company_name: 'Acme',
      industry: 'Analytics',
      company_website: 'WWW.Acme.Example/Contact',
      company_size: '11-50',
      contact_name: 'Zoë Müller',
      contact_email: 'Zoe@Acme.Example',
      contact_phone: '(212) 555-0143',
      contact_title: 'CTO',
      notes: 'Met at the fair',
      import_id: IMPORT_ID,
      source_row: '7',
      website_normalized: 'https://www.acme.example/Contact',
      phone_e164: '+12125550143',
      name_key: null,
    });
    expect(outcome).toMatchObject({ kind: 'lead', notes: undefined, nameKey: null });
  });

  it('gives the same values for a record the tokenizer flagged plain, with empty cells as NULL', () => {
    const sparse = ['Acme', '', 'acme.example', '', '', 'zoe@acme.example', '', '', ''];
    expect(processor().process(record, true)).toEqual(processor().process(record, false));
    expect(processor().process(sparse, true)).toEqual(processor().process(sparse, false));
    expect(fields(processor().process(sparse, true)).industry).toBeNull();
  });

  it('places cells by header, whatever the column order in the file', () => {
    const outcome = processor(['E-mail', 'Notes', 'Company']).process(['a@b.co', 'hi', 'Beta']);
    expect(fields(outcome)).toMatchObject({
      company_name: 'Beta',
      contact_email: 'a@b.co',
      notes: 'hi',
      industry: null,
    });
  });

  it('trims cells and writes empty or missing optional cells as NULL', () => {
    const outcome = processor().process(['  Acme  ', ' ', '', '\t', '', '', '', '', '']);
    const line = fields(outcome);
    expect(line.company_name).toBe('Acme');
    for (const column of COPY_COLUMNS.filter((c) => c !== 'company_name' && c !== 'import_id' && c !== 'source_row'))
      expect(line[column], column).toBeNull();
  });

  it('keeps tabs, newlines and backslashes as they are (COPY BINARY escapes nothing)', () => {
    const outcome = processor(['Company', 'Notes']).process(['A\\B', 'line 1\nline\t2']);
    expect(fields(outcome)).toMatchObject({ company_name: 'A\\B', notes: 'line 1\nline\t2' });
  });

  it.each([
    ['all empty cells', ['', '', '']],
    ['whitespace only', ['  ', '\t', ' ']],
    ['one empty cell (an empty line)', ['']],
  ])('treats a row of %s as blank', (_name, cells) => {
    expect(processor(['Company', 'Email', 'Notes']).process(cells)).toEqual({ kind: 'blank' });
  });

  it('refuses a row with an extra non-empty cell with FIELD_COUNT_MISMATCH', () => {
    const outcome = processor(['Company', 'Email']).process(['Acme', 'a@b.co', 'stray']);
    expect(outcome).toEqual({
      kind: 'invalid',
      problems: [
        {
          column: null,
          code: 'FIELD_COUNT_MISMATCH',
          value: null,
          message: expect.stringContaining('has 3 fields but the header has 2'),
        },
      ],
    });
  });

  it('refuses a short row with FIELD_COUNT_MISMATCH', () => {
    const outcome = processor(['Company', 'Email', 'Notes']).process(['Acme', 'a@b.co']);
    expect(outcome).toMatchObject({
      kind: 'invalid',
      problems: [
        { code: 'FIELD_COUNT_MISMATCH', message: expect.stringContaining('has 2 fields but the header has 3') },
      ],
    });
  });

  it('tolerates trailing empty extra cells (a trailing delimiter)', () => {
    const outcome = processor(['Company', 'Email']).process(['Acme', 'a@b.co', '', '  ']);
    expect(fields(outcome)).toMatchObject({ company_name: 'Acme', contact_email: 'a@b.co' });
  });

  it('joins first and last name into contact_name', () => {
    const p = processor(['Company', 'First Name', 'Last Name']);
    expect(fields(p.process(['Acme', ' Zoë ', ' Müller '])).contact_name).toBe('Zoë Müller');
    expect(fields(p.process(['Acme', 'Zoë', ''])).contact_name).toBe('Zoë');
    expect(fields(p.process(['Acme', '', 'Müller'])).contact_name).toBe('Müller');
    expect(fields(p.process(['Acme', '', ''])).contact_name).toBeNull();
  });

  it('reports validation problems with the offending (trimmed) value', () => {
    const outcome = processor(['Company', 'Email']).process(['   ', ' not-an-email ']);
    expect(outcome).toEqual({
      kind: 'invalid',
      problems: [
        { column: 'company_name', code: 'REQUIRED', message: 'is required', value: null },
        {
          column: 'contact_email',
          code: 'INVALID_EMAIL',
          message: 'not a valid e-mail address',
          value: 'not-an-email',
        },
      ],
    });
  });

  it('keeps an unusable website or phone as written and adds a note', () => {
    // Act
    const outcome = processor(['Company', 'Website', 'Phone'], 'US').process(['Acme', 'n/a', '555-0143']);
    // Assess
    expect(fields(outcome)).toMatchObject({
      company_website: 'n/a',
      contact_phone: '555-0143',
      website_normalized: null,
      phone_e164: null,
    });
    expect(outcome).toMatchObject({
      notes: [
        { column: 'company_website', message: 'not a usable URL; kept as written', value: 'n/a' },
        { column: 'contact_phone', message: 'not a valid US phone number; kept as written', value: '555-0143' },
      ],
    });
  });

  it('writes a name key only for a lead without an e-mail that has a contact name', () => {
    const p = processor(['Company', 'Contact', 'Email']);
    const noEmail = p.process(['Acme, Inc.', 'Zoë  Müller', '']);
    expect(fields(noEmail).name_key).toBe('acme|zoë müller');
    expect(noEmail).toMatchObject({ nameKey: 'acme|zoë müller', email: null });
    expect(fields(p.process(['Acme, Inc.', 'Zoë Müller', 'zoe@acme.example'])).name_key).toBeNull();
    expect(fields(p.process(['Acme, Inc.', '', ''])).name_key).toBeNull();
  });

  it.each([
    ['2,048 characters that gain a scheme', `acme.example/${'a'.repeat(2048 - 13)}`],
    ['accented letters that percent-encoding multiplies', `acme.example/${'é'.repeat(400)}`],
    ['700 quotes that percent-encoding triples', `acme.example/${'"'.repeat(700)}`],
  ])('keeps a website whose normalized form would not fit its column as written (%s), with a note', (_, website) => {
    // Act
    const outcome = processor(['Company', 'Website']).process(['Acme', website]);
    // Assess
    expect(fields(outcome)).toMatchObject({ company_website: website, website_normalized: null });
    expect(outcome).toMatchObject({
      notes: [
        {
          column: 'company_website',
          message: 'its normalized form is too long to store; kept as written, not normalized',
          value: website,
        },
      ],
    });
  });

  it('parses phones for the configured region', () => {
    const outcome = processor(['Company', 'Phone'], 'GB').process(['Acme', '020 7946 0958']);
    expect(fields(outcome).phone_e164).toBe('+442079460958');
  });
});
