import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LeadEngine, thresholdRejection, type EngineLimits } from '#core/engine/lead-engine';
import type { CopyPart } from '#core/copy/copy-output';
import { parseImportOptions, type ImportOptionsInput } from '#core/contract/options';
import { COLUMN_LIST_LIMIT, ECHO_MAX_CHARS } from '#core/contract/echo';
import { REJECTED_REPORT_SLACK_BYTES, rejectedReportCap } from '#core/contract/row-report';
import { copyRowsOf } from '#test/copy-rows';
import { expectImportError } from '#test/expect-error';

interface RunOptions {
  options?: ImportOptionsInput;
  /** Feed the input in chunks of this many bytes (default: one chunk). */
  chunkSize?: number;
  limits?: Partial<EngineLimits>;
}

const IMPORT_ID = '00000000-0000-4000-8000-000000000001';

/** Runs a whole file through the engine and gathers everything it produced (COPY rows read back). */
function run(input: string | Buffer, { options = {}, chunkSize, limits = {} }: RunOptions = {}) {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const engine = new LeadEngine(IMPORT_ID, parseImportOptions(options), { ...DEFAULT_LIMITS, ...limits });
  const parts: CopyPart[] = [];
  let rejected = '';
  const size = chunkSize ?? Math.max(1, bytes.length);
  for (let at = 0; at < bytes.length; at += size) {
    const out = engine.write(bytes.subarray(at, at + size));
    parts.push(...out.copy);
    rejected += out.rejected ?? '';
  }
  const last = engine.end();
  parts.push(...last.copy);
  rejected += last.rejected ?? '';
  return { copy: copyRowsOf(parts), rejected, summary: last.summary, leadsRead: last.leadsRead };
}

const SMALL =
  [
    'Company,Email Address,Phone,Region',
    'Acme,Zoe@Acme.Example,(212) 555-0143,East',
    'Société Générale,not-an-email,,West',
    'Müller & Söhne,jurgen@mueller.example,,North',
  ].join('\n') + '\n';

describe('LeadEngine: a small file end to end', () => {
  it('produces COPY lines, a rejected-rows file and a complete summary', () => {
    // Act
    const { copy, rejected, summary, leadsRead } = run(SMALL);
    // Assess
    expect(copy).toEqual([
      expect.objectContaining({
        company_name: 'Acme',
        contact_email: 'Zoe@Acme.Example',
        source_row: '2',
        phone_e164: '+12125550143',
        import_id: IMPORT_ID,
      }),
      expect.objectContaining({ company_name: 'Müller & Söhne', source_row: '4', contact_phone: null }),
    ]);
    expect(rejected).toBe(
      '\uFEFFrow,error,Company,Email Address,Phone,Region\r\n3,contact_email: not a valid e-mail address,Société Générale,not-an-email,,West\r\n',
    );
    expect(leadsRead).toBe(3);
    expect(summary).toEqual({
      encoding: 'utf-8',
      delimiter: ',',
      columns: {
        mapped: { Company: 'company_name', 'Email Address': 'contact_email', Phone: 'contact_phone' },
        unknown: ['Region'],
        unknown_truncated: false,
      },
      total_leads: 3,
      valid_count: 2,
      failed_count: 1,
      blank_rows: 0,
      error_details: [
        {
          row: 3,
          column: 'contact_email',
          value: 'not-an-email',
          code: 'INVALID_EMAIL',
          message: 'not a valid e-mail address',
        },
      ],
      errors_truncated: false,
      notes: [],
      notes_truncated: false,
      error_report_truncated: false,
      no_repeated_emails: true,
      name_keys: 0,
      no_repeated_names: true,
    });
  });

  it('counts name keys of rows without an e-mail and tells whether one repeats', () => {
    const csv = (rows: string[]) => `Company,Contact,Email\n${rows.join('\n')}\n`;
    const distinct = run(csv(['Acme Inc,Jane Doe,', 'Acme Inc,John Doe,', 'Acme Inc,Jane Doe,jane@acme.example']));
    expect(distinct.summary).toMatchObject({ name_keys: 2, no_repeated_names: true, no_repeated_emails: true });
    const repeated = run(csv(['Acme Inc,Jane Doe,', 'ACME LLC,jane  doe,']));
    expect(repeated.summary).toMatchObject({ name_keys: 2, no_repeated_names: undefined });
    expect(repeated.copy.map((r) => r.name_key)).toEqual(['acme|jane doe', 'acme|jane doe']);
  });

  it('joins two columns the mapping sends to contact_name as "first last"', () => {
    const { copy } = run('Firma,Vorname,Nachname\nAcme,Jane,Doe\nBeta,,Roe\n', {
      options: { mapping: { Firma: 'company_name', Vorname: 'contact_name', Nachname: 'contact_name' } },
    });
    expect(copy.map((r) => r.contact_name)).toEqual(['Jane Doe', 'Roe']);
  });

  it('reads a semicolon-separated UTF-16LE export with a BOM', () => {
    const text =
      'Account Name;E-mail\r\nSociété Générale;contact@sg.example\r\n東京ソフト株式会社;info@tokyo.example\r\n';
    const { copy, summary } = run(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(summary).toMatchObject({ encoding: 'utf-16le', delimiter: ';', valid_count: 2 });
    expect(copy.map((r) => r.company_name)).toEqual(['Société Générale', '東京ソフト株式会社']);
  });

  it('reads a windows-1252 file', () => {
    const { copy, summary } = run(Buffer.from('Company\tWork Email\nCaf\xe9 M\xfcller\tcafe@example.com\n', 'latin1'));
    expect(summary).toMatchObject({ encoding: 'windows-1252', delimiter: '\t' });
    expect(copy[0]).toMatchObject({ company_name: 'Café Müller' });
  });

  it('does not keep a UTF-8 BOM on the first header', () => {
    const { summary } = run('\uFEFFcompany_name,contact_email\nAcme,a@b.co\n');
    expect(summary).toMatchObject({
      encoding: 'utf-8-bom',
      valid_count: 1,
      columns: { mapped: { company_name: 'company_name' } },
    });
  });

  it('uses an explicit delimiter instead of guessing', () => {
    // Prepare: one comma and one semicolon per line; the guess (a tie) would be the comma
    const file = 'Company;Notes,Region\nAcme;a,b\n';
    // Act
    const { copy, summary } = run(file, { options: { delimiter: ';' } });
    // Assess
    expect(summary.delimiter).toBe(';');
    expect(summary.columns).toEqual({
      mapped: { Company: 'company_name' },
      unknown: ['Notes,Region'],
      unknown_truncated: false,
    });
    expect(copy[0]).toMatchObject({ company_name: 'Acme' });
    expectImportError(() => run(file), 'MISSING_COMPANY_COLUMN', { message: '"Company;Notes"' });
  });

  it('applies the mapping option', () => {
    const { copy } = run('Kunde,Mail\nAcme,a@b.co\n', {
      options: { mapping: { Kunde: 'company_name', Mail: 'contact_email' } },
    });
    expect(copy[0]).toMatchObject({ company_name: 'Acme', contact_email: 'a@b.co' });
  });

  it('reads a file with only a header as zero leads', () => {
    const { copy, rejected, summary } = run('company_name,contact_email\n');
    expect({ copy, rejected }).toEqual({ copy: [], rejected: '' });
    expect(summary).toMatchObject({ total_leads: 0, valid_count: 0, failed_count: 0 });
  });

  it('counts blank lines as blank rows, not leads', () => {
    const { summary } = run('Company\n\nAcme\n ,\n\n');
    expect(summary).toMatchObject({ total_leads: 1, valid_count: 1, blank_rows: 3 });
  });

  it('lists notes for values kept as written', () => {
    const { summary } = run('Company,Phone\nAcme,555-0143\n');
    expect(summary.notes).toEqual(['Row 2: contact_phone: not a valid US phone number; kept as written ("555-0143")']);
  });
});

describe('LeadEngine: control characters in cells', () => {
  // Enough clean text that a few control bytes stay under decode's 1% binary-content share (NUL anywhere is binary).
  const PADDING = Array.from(
    { length: 1500 },
    (_, i) => `Filler ${i},filler${i}@example.com,padding padding padding,x`,
  );
  const FIRST = PADDING.length + 2;

  it('fails a row whose mapped cell holds ESC, BEL, BS, DEL or a C1 control with CONTROL_CHARACTER naming the column', () => {
    const csv =
      [
        'Company,Email,Notes,Extra',
        ...PADDING,
        'Esc Co,esc@example.com,"\x1b]0;pwned\x07\x1b[31mred",x',
        'Bel\x07 Co,bel@example.com,,x',
        'Bs Co,bs@example.com,back\bspace,x',
        'Del Co,del@example.com,del\x7f,x',
        'C1 Co,c1@example.com,csi\u009b2J,x',
        'Tab Co,tab@example.com,"tab\tand\nnewline stay",\x1b only in an unmapped column',
      ].join('\n') + '\n';
    const { copy, rejected, summary } = run(csv);
    expect(copy.slice(PADDING.length).map((r) => r.company_name)).toEqual(['Tab Co']);
    const cells = copy.flatMap((row) => Object.values(row)).filter((value) => value !== null);
    expect(cells.filter((value) => /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/.test(value))).toEqual([]);
    expect(summary.failed_count).toBe(5);
    expect(summary.error_details.map((e) => [e.row - FIRST, e.column, e.code, e.message])).toEqual([
      [0, 'notes', 'CONTROL_CHARACTER', 'contains the control character U+001B; remove it'],
      [1, 'company_name', 'CONTROL_CHARACTER', 'contains the control character U+0007; remove it'],
      [2, 'notes', 'CONTROL_CHARACTER', 'contains the control character U+0008; remove it'],
      [3, 'notes', 'CONTROL_CHARACTER', 'contains the control character U+007F; remove it'],
      [4, 'notes', 'CONTROL_CHARACTER', 'contains the control character U+009B; remove it'],
    ]);
    expect(summary.error_details[0]!.value).toBe('\x1b]0;pwned\x07\x1b[31mred');
    expect(rejected).toContain(`${FIRST},notes: contains the control character U+001B; remove it,`);
  });

  it("reports a control character together with the row's other problems", () => {
    const { summary } = run('Company,Email\nAcme,not-an-email\x1b\n' + 'Clean,clean@example.com\n'.repeat(200));
    expect(summary.error_details.map((e) => [e.column, e.code])).toEqual([
      ['contact_email', 'CONTROL_CHARACTER'],
      ['contact_email', 'INVALID_EMAIL'],
    ]);
  });
});

describe('LeadEngine: CSV parsing', () => {
  it.each([
    ['a doubled quote inside a quoted cell', 'Company,Notes\nAcme,"say ""hi"""\n', 'say "hi"'],
    ['the delimiter inside a quoted cell', 'Company,Notes\nAcme,"a, b, c"\n', 'a, b, c'],
    ['a line break inside a quoted cell', 'Company,Notes\r\nAcme,"line 1\r\nline 2"\r\n', 'line 1\r\nline 2'],
    ['an empty quoted cell', 'Company,Notes\nAcme,""\n', null],
    ['a quote inside an unquoted cell, kept literally', 'Company,Notes\nAcme,5" screen\n', '5" screen'],
    ['a last line without a line break', 'Company,Notes\nAcme,last', 'last'],
    ['old Mac line ends (CR only)', 'Company,Notes\rAcme,mac\r', 'mac'],
  ])('reads %s', (_name, file, notes) => {
    // Act
    const { copy, summary } = run(file);
    // Assess
    expect(summary).toMatchObject({ valid_count: 1, failed_count: 0 });
    expect(copy[0]).toMatchObject({ company_name: 'Acme', notes });
  });
});

describe('LeadEngine: chunking', () => {
  /** Past both sniff windows (64 KiB bytes, 16 KiB text), with multi-byte text, multi-line cells, CRLF and bad rows. */
  function bigFile(): string {
    const lines = ['Company,Contact Name,Email,Notes'];
    for (let i = 0; i < 1500; i++) {
      if (i % 97 === 0) lines.push(`Bad ${i},x,broken-${i},`);
      else if (i % 50 === 0) lines.push(`"Société ""${i}""",Zoë,zoe${i}@example.com,"line one\r\nline two, 東京 🚀"`);
      else if (i % 211 === 0) lines.push('');
      else lines.push(`Müller & Söhne ${i},Jürgen,j${i}@mueller.example,é€😀`);
    }
    return lines.join('\r\n') + '\r\n';
  }

  it('gives identical output when fed one byte at a time', () => {
    // Prepare
    const file = Buffer.from(bigFile(), 'utf8');
    expect(file.length).toBeGreaterThan(64 * 1024);
    // Act
    const whole = run(file);
    const bytewise = run(file, { chunkSize: 1 });
    // Assess
    expect(whole.summary.valid_count).toBeGreaterThan(1400);
    expect(whole.summary.failed_count).toBe(16);
    expect(bytewise).toEqual(whole);
  });

  it('gives identical output for odd chunk sizes of a UTF-16 file', () => {
    const file = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(bigFile(), 'utf16le').swap16()]);
    const whole = run(file);
    expect(whole.summary.encoding).toBe('utf-16be');
    expect(run(file, { chunkSize: 7 })).toEqual(whole);
    expect(run(file, { chunkSize: 4099 })).toEqual(whole);
  });
});

describe('LeadEngine: row numbers', () => {
  it('numbers rows as a spreadsheet does: header is row 1, a multi-line cell is one row, blank lines count', () => {
    // Prepare
    const file =
      'Company,Email,Notes\nAcme,a@acme.example,"line 1\nline 2\nline 3"\n\nBeta,bad,\nGamma,g@gamma.example,\n"Delta\nCorp",@nope,\n';
    // Act
    const { copy, summary } = run(file);
    // Assess
    expect(summary.error_details.map((d) => d.row)).toEqual([4, 6]);
    expect(copy.map((r) => r.source_row)).toEqual(['2', '5']);
    expect(summary.blank_rows).toBe(1);
  });

  it('keeps counting rows across a CRLF file', () => {
    const { summary } = run('Company,Email\r\nA,a@a.co\r\nB,b@b.co\r\nC,bad\r\n');
    expect(summary.error_details[0]?.row).toBe(4);
  });
});

describe('LeadEngine: file and rejection errors', () => {
  it('in strict mode throws STRICT_MODE_ROW_ERROR at the first bad row', () => {
    const file = 'Company,Email\nAcme,a@acme.example\nBeta,bob@\nGamma,worse\n';
    expectImportError(() => run(file, { options: { strict_mode: true } }), 'STRICT_MODE_ROW_ERROR', {
      row: 3,
      column: 'contact_email',
      message: ['Row 3: contact_email: not a valid e-mail address', 'Nothing was imported'],
      detail: {
        error_details: [
          {
            row: 3,
            column: 'contact_email',
            value: 'bob@',
            code: 'INVALID_EMAIL',
            message: 'not a valid e-mail address',
          },
        ],
      },
    });
  });

  it('in strict mode names no column for a field-count mismatch', () => {
    expectImportError(
      () => run('Company,Email\nAcme,a@b.co,extra\n', { options: { strict_mode: 'true' } }),
      'STRICT_MODE_ROW_ERROR',
      {
        row: 2,
        column: undefined,
        message: 'has 3 fields but the header has 2',
      },
    );
  });

  it('in strict mode accepts a clean file', () => {
    expect(run('Company,Email\nAcme,a@acme.example\n', { options: { strict_mode: true } }).summary.valid_count).toBe(1);
  });

  it('throws CSV_QUOTE_NOT_CLOSED naming the row where the quote opens', () => {
    const file = 'Company,Notes\nAcme,"multi\nline"\nBeta,plain\nGamma,"never closed\nDelta,x\n';
    expectImportError(() => run(file), 'CSV_QUOTE_NOT_CLOSED', { row: 4, message: 'Row 4' });
  });

  it('throws CSV_RECORD_TOO_LARGE for a streamed record over the size limit', () => {
    // Prepare: past the sniff windows, so the record arrives in pieces
    const file = 'Company,Notes\n' + 'Acme,filler\n'.repeat(8000) + `Beta,${'x'.repeat(500)}\nGamma,after\n`;
    // Act / Assess
    expectImportError(() => run(file, { chunkSize: 64, limits: { maxRecordChars: 200 } }), 'CSV_RECORD_TOO_LARGE', {
      row: 8002,
      message: ['Row 8002', '200 characters'],
    });
    expect(run(file, { chunkSize: 64, limits: { maxRecordChars: 1000 } }).summary.valid_count).toBe(8002);
  });

  it('throws CSV_RECORD_TOO_LARGE when an unclosed quote swallows the rest of a large file', () => {
    const file = 'Company,Notes\nAcme,"never closed\n' + 'Beta,filler\n'.repeat(8000);
    expectImportError(() => run(file, { limits: { maxRecordChars: 10_000 } }), 'CSV_RECORD_TOO_LARGE', { row: 2 });
  });

  it('throws MISSING_COMPANY_COLUMN from the header row', () => {
    expectImportError(() => run('Name,Email\nZoë,z@b.co\n'), 'MISSING_COMPANY_COLUMN', { column: 'company_name' });
  });

  it('throws DUPLICATE_COLUMN from the header row', () => {
    expectImportError(() => run('Company,Email,E-mail\nAcme,a@b.co,a@b.co\n'), 'DUPLICATE_COLUMN', {
      column: 'contact_email',
    });
  });

  it('throws EMPTY_FILE for no bytes and for a BOM alone', () => {
    expectImportError(() => run(''), 'EMPTY_FILE');
    expectImportError(() => run('\uFEFF'), 'EMPTY_FILE');
  });

  it('throws BINARY_CONTENT and ENCODING_INVALID from the decoder', () => {
    expectImportError(() => run(Buffer.from('Company\nAc\0me\n', 'latin1')), 'BINARY_CONTENT');
    expectImportError(
      () => run(Buffer.from('Company\nCaf\xe9\n', 'latin1'), { options: { encoding: 'utf-8' } }),
      'ENCODING_INVALID',
    );
  });
});

describe('LeadEngine: the rejected-rows file and the error list', () => {
  it('writes every invalid row with its row number, joined errors and original cells', () => {
    // Prepare: an injection attempt, a short row and a row with two problems
    const file = 'Company,Email\n=HYPERLINK("x"),bad\nShort\n,also bad\nAcme,ok@acme.example\n';
    // Act
    const { rejected, summary } = run(file);
    // Assess
    expect(rejected).toBe(
      '\uFEFFrow,error,Company,Email\r\n' +
        `2,contact_email: not a valid e-mail address,"'=HYPERLINK(""x"")",bad\r\n` +
        '3,has 1 fields but the header has 2; check for an unquoted delimiter or a missing quote,Short\r\n' +
        '4,company_name: is required; contact_email: not a valid e-mail address,,also bad\r\n',
    );
    expect(summary).toMatchObject({ total_leads: 4, valid_count: 1, failed_count: 3 });
  });

  it('caps the error list but still counts every failed row', () => {
    const rows = Array.from({ length: 5 }, (_, i) => `Co ${i},bad-${i}`);
    const { summary, rejected } = run(`Company,Email\n${rows.join('\n')}\n`, { limits: { errorListLimit: 2 } });
    expect(summary).toMatchObject({ failed_count: 5, errors_truncated: true });
    expect(summary.error_details.map((d) => d.row)).toEqual([2, 3]);
    expect(rejected.trimEnd().split('\r\n')).toHaveLength(6);
  });

  it('caps the notes list', () => {
    const rows = Array.from({ length: 3 }, (_, i) => `Co ${i},555-000${i}`);
    const { summary } = run(`Company,Phone\n${rows.join('\n')}\n`, { limits: { errorListLimit: 2 } });
    expect(summary.notes).toHaveLength(2);
    expect(summary.notes_truncated).toBe(true);
  });

  it('cuts echoed cells to ECHO_MAX_CHARS with a marker, in the error list and in strict mode', () => {
    // Prepare
    const huge = 'x'.repeat(1_000_000);
    const file = `Company,Notes\nAcme 1,${huge}\n`;
    const cut = `${'x'.repeat(ECHO_MAX_CHARS)}… [cut: 1000000 characters]`;
    // Act
    const { summary } = run(file);
    // Assess
    expect(summary.error_details).toEqual([
      { row: 2, column: 'notes', value: cut, code: 'TOO_LONG', message: 'longer than 10000 characters' },
    ]);
    expectImportError(() => run(file, { options: { strict_mode: true } }), 'STRICT_MODE_ROW_ERROR', {
      detail: { error_details: [expect.objectContaining({ value: cut })] },
    });
  });

  it('cuts the value a note quotes', () => {
    const website = `acme.example/${'é'.repeat(1_000)}`;
    const { summary } = run(`Company,Website\nAcme,${website}\n`);
    expect(summary.notes).toEqual([
      `Row 2: company_website: its normalized form is too long to store; kept as written, not normalized ("${[...website].slice(0, ECHO_MAX_CHARS).join('')}… [cut: 1013 characters]")`,
    ]);
  });

  it('caps the unknown columns it lists and cuts long headers', () => {
    const headers = ['Company', 'h'.repeat(5_000), ...Array.from({ length: 80 }, (_, i) => `Extra ${i}`)];
    const { summary } = run(`${headers.join(',')}\n`);
    expect(summary.columns.unknown).toHaveLength(COLUMN_LIST_LIMIT);
    expect(summary.columns.unknown[0]).toBe(`${'h'.repeat(ECHO_MAX_CHARS)}… [cut: 5000 characters]`);
    expect(summary.columns.unknown_truncated).toBe(true);
  });

  it('stops the rejected-rows file at its absolute cap and says so', () => {
    // Prepare
    const rows = Array.from({ length: 200 }, (_, i) => `,${i}`);
    const file = `Company,Industry\n${rows.join('\n')}\n`;
    const full = run(file).rejected;
    // Act
    const { rejected, summary } = run(file, { limits: { maxRejectedBytes: 2_000 } });
    // Assess
    expect(Buffer.byteLength(rejected)).toBeLessThanOrEqual(2_000);
    expect(Buffer.byteLength(rejected)).toBeGreaterThan(1_900);
    expect(full.startsWith(rejected)).toBe(true);
    expect(rejected.endsWith('\r\n')).toBe(true);
    expect(summary).toMatchObject({ failed_count: 200, error_report_truncated: true });
    expect(run(file).summary.error_report_truncated).toBe(false);
  });

  it('keeps the rejected-rows file within REJECTED_REPORT_RATIO bytes per byte read, plus the slack', () => {
    // Prepare: rows whose error text is many times their size (the full report would be ~14x the file).
    const file = `Company,Email\n${'A,x\n'.repeat(60_000)}`;
    // Act
    const { rejected, summary } = run(file, { chunkSize: 16_384 });
    // Assess
    const bytes = Buffer.byteLength(rejected);
    expect(bytes).toBeLessThanOrEqual(rejectedReportCap(file.length));
    expect(bytes).toBeGreaterThan(REJECTED_REPORT_SLACK_BYTES);
    expect(summary).toMatchObject({ failed_count: 60_000, error_report_truncated: true });
  });

  it('measures the rejected-rows cap against the whole upload when its size is known', () => {
    const file = `Company,Email\n${'A,x\n'.repeat(60_000)}`;
    const { rejected, summary } = run(file, { chunkSize: 16_384, limits: { inputBytes: file.length } });
    expect(Buffer.byteLength(rejected)).toBeLessThanOrEqual(rejectedReportCap(file.length));
    expect(Buffer.byteLength(rejected)).toBeGreaterThan(rejectedReportCap(file.length) - 1_000);
    expect(summary.error_report_truncated).toBe(true);
  });

  it('reports partial progress after a failure', () => {
    const engine = new LeadEngine(IMPORT_ID, parseImportOptions({ strict_mode: true }));
    expectImportError(
      () => {
        engine.write(Buffer.from('Company,Email\nA,a@a.co\nB,bad\n'));
        engine.end();
      },
      'STRICT_MODE_ROW_ERROR',
      { row: 3 },
    );
    expect(engine.progress).toMatchObject({ total_leads: 2, failed_count: 1, encoding: 'utf-8', delimiter: ',' });
  });
});

describe('thresholdRejection', () => {
  it('passes exactly 10% invalid rows with the default threshold', () => {
    expect(thresholdRejection({ total_leads: 100, failed_count: 10 }, 0.1)).toBeUndefined();
    expect(thresholdRejection({ total_leads: 30, failed_count: 3 }, 0.1)).toBeUndefined();
  });

  it('rejects 11% invalid rows with ERROR_THRESHOLD_EXCEEDED', () => {
    expectImportError(thresholdRejection({ total_leads: 100, failed_count: 11 }, 0.1), 'ERROR_THRESHOLD_EXCEEDED', {
      message: ['11 of 100 rows (11.0%)', 'more than the 10% allowed'],
      detail: { failed_count: 11, total_leads: 100 },
    });
  });

  it('honours a custom threshold', () => {
    expect(thresholdRejection({ total_leads: 100, failed_count: 5 }, 0.05)).toBeUndefined();
    expectImportError(thresholdRejection({ total_leads: 100, failed_count: 6 }, 0.05), 'ERROR_THRESHOLD_EXCEEDED', {
      message: 'more than the 5% allowed',
    });
  });

  it('keeps an exact share on the passing side despite floating point (57 of 100 at 0.57)', () => {
    expect(100 * 0.57).toBeLessThan(57);
    expect(thresholdRejection({ total_leads: 100, failed_count: 57 }, 0.57)).toBeUndefined();
  });

  it('rejects any invalid row with a zero threshold and never rejects an empty file', () => {
    expectImportError(thresholdRejection({ total_leads: 1000, failed_count: 1 }, 0), 'ERROR_THRESHOLD_EXCEEDED');
    expect(thresholdRejection({ total_leads: 1000, failed_count: 0 }, 0)).toBeUndefined();
    expect(thresholdRejection({ total_leads: 0, failed_count: 0 }, 0.1)).toBeUndefined();
  });

  it('applies to an engine summary: 10 of 100 bad rows pass, 11 reject', () => {
    const file = (bad: number) =>
      'Company,Email\n' +
      Array.from({ length: 100 }, (_, i) => (i < bad ? `Co ${i},bad-${i}` : `Co ${i},ok${i}@co.example`)).join('\n') +
      '\n';
    expect(thresholdRejection(run(file(10)).summary, 0.1)).toBeUndefined();
    expectImportError(thresholdRejection(run(file(11)).summary, 0.1), 'ERROR_THRESHOLD_EXCEEDED', {
      detail: { failed_count: 11, total_leads: 100 },
    });
  });
});
