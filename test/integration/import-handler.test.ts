import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { countImports, countLeads } from '#test/database';
import { useImportHandler } from '#test/import-harness';
import { lambdaContext, s3Event, sampleCsv } from '#test/events';
import { csvText, HEADER, leadsCsv, validLead } from '#test/csv';
import { TEST_BUCKET } from '#test/s3';
import type { ImportResult } from '#core/contract/result';

const h = useImportHandler('test');
const importCsv = async (body: string | Buffer, metadata?: Record<string, string>) =>
  (await h.importCsv(body, metadata)).result;
const leadsOf = (result: ImportResult) => countLeads(h.db, 'import_id = $1', [result.import_id]);

describe('import handler against PostgreSQL and the local S3 server', () => {
  it('imports 1,000 valid leads and writes a complete result JSON next to the file', async () => {
    const result = await importCsv(sampleCsv('leads_1000.csv'));
    expect(result).toMatchObject({
      status: 'succeeded',
      total_leads: 1000,
      imported_count: 1000,
      failed_count: 0,
      errors: [],
      error_details: [],
    });
    expect(await leadsOf(result)).toBe(1000);
    for (const field of [
      'import_id',
      'status',
      'message',
      'filename',
      'source',
      'options',
      'total_leads',
      'imported_count',
      'updated_count',
      'duplicate_count',
      'failed_count',
      'duration_ms',
      'leads_per_second',
      'errors',
      'error_details',
      'errors_truncated',
      'error_report_key',
    ]) {
      expect(result, field).toHaveProperty(field);
    }
    expect(result.source).toMatchObject({ bucket: TEST_BUCKET, size: sampleCsv('leads_1000.csv').length });
    expect(result.leads_per_second).toBeGreaterThan(0);
    const history = await h.db.admin.query(
      'select status, total_leads, imported_count from lead_imports where id = $1',
      [result.import_id],
    );
    expect(history.rows[0]).toEqual({ status: 'succeeded', total_leads: 1000, imported_count: 1000 });
  });

  it('rejects a file with 11% invalid rows and keeps no lead', async () => {
    const result = await importCsv(leadsCsv(100, 11));
    expect(result).toMatchObject({
      status: 'rejected',
      error_code: 'ERROR_THRESHOLD_EXCEEDED',
      total_leads: 100,
      failed_count: 11,
      imported_count: 0,
    });
    expect(await leadsOf(result)).toBe(0);
    const history = await h.db.admin.query('select status from lead_imports where id = $1', [result.import_id]);
    expect(history.rows[0]?.status).toBe('rejected');
  });

  it('accepts exactly 10% invalid rows and imports the valid 90%', async () => {
    const result = await importCsv(leadsCsv(100, 10));
    expect(result).toMatchObject({ status: 'succeeded', total_leads: 100, failed_count: 10, imported_count: 90 });
    expect(await leadsOf(result)).toBe(90);
    expect(result.errors[0]).toMatch(/^Row \d+: contact_email: not a valid e-mail address$/);
  });

  it('honours a custom error threshold from object metadata', async () => {
    const result = await importCsv(leadsCsv(100, 10), { 'error-threshold': '0.05' });
    expect(result).toMatchObject({ status: 'rejected', error_code: 'ERROR_THRESHOLD_EXCEEDED' });
    expect(result.options.error_threshold).toBe(0.05);
  });

  it('rejects the whole file in strict mode at the first bad row, naming the row', async () => {
    const rows = [
      HEADER,
      validLead(1),
      validLead(2),
      [...validLead(3).slice(0, 5), 'bob@', ...validLead(3).slice(6)],
      validLead(4),
    ];
    const result = await importCsv(csvText(rows), { 'strict-mode': 'true' });
    expect(result).toMatchObject({ status: 'rejected', error_code: 'STRICT_MODE_ROW_ERROR', imported_count: 0 });
    expect(result.message).toContain('Row 4: contact_email: not a valid e-mail address');
    expect(result.error_details[0]).toMatchObject({
      row: 4,
      column: 'contact_email',
      value: 'bob@',
      code: 'INVALID_EMAIL',
    });
    expect(await leadsOf(result)).toBe(0);
  });

  it('keeps quoted commas, doubled quotes and newlines byte for byte', async () => {
    const notes = 'Met at expo, booth 7; said "call me"\nsecond line\r\nthird\tcolumn \\ backslash';
    const company = 'Müller & Söhne, "GmbH"';
    const result = await importCsv(csvText([HEADER, [company, 'Retail', '', '', '', '', '', '', notes]]));
    expect(result.status).toBe('succeeded');
    const { rows } = await h.db.admin.query(
      'select company_name, notes, industry, company_website from leads where import_id = $1',
      [result.import_id],
    );
    expect(rows).toEqual([{ company_name: company, notes, industry: 'Retail', company_website: null }]);
  });

  it('does not let a UTF-8 BOM hide the first header', async () => {
    const result = await importCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(leadsCsv(5))]));
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 5 });
    expect(result.detected.columns?.mapped).toHaveProperty('company_name', 'company_name');
  });

  it('fails a file without a company column with a message naming company_name', async () => {
    const result = await importCsv('industry,contact_email\nRetail,a@b.co\n');
    expect(result).toMatchObject({ status: 'failed', error_code: 'MISSING_COMPANY_COLUMN', imported_count: 0 });
    expect(result.message).toContain('company_name');
    const history = await h.db.admin.query('select status, error_code from lead_imports where id = $1', [
      result.import_id,
    ]);
    expect(history.rows[0]).toEqual({ status: 'failed', error_code: 'MISSING_COMPANY_COLUMN' });
  });

  it('accepts a 255-character company name and refuses 256', async () => {
    const ok = 'A'.repeat(254) + 'é';
    const long = 'B'.repeat(256);
    const result = await importCsv(
      csvText([
        HEADER,
        [ok, '', '', '', '', '', '', '', ''],
        [long, '', '', '', '', '', '', '', ''],
        ...Array.from({ length: 8 }, (_, i) => validLead(i)),
      ]),
    );
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 9, failed_count: 1 });
    expect(result.error_details).toEqual([
      // The echoed value is cut to ECHO_MAX_CHARS (200) with a marker: results stay bounded.
      {
        row: 3,
        column: 'company_name',
        value: `${'B'.repeat(200)}… [cut: 256 characters]`,
        code: 'TOO_LONG',
        message: 'longer than 255 characters',
      },
    ]);
    expect(await countLeads(h.db, 'company_name = $1', [ok])).toBe(1);
  });

  it('reports every bad row of the sample error file by row, column and reason', async () => {
    const result = await importCsv(sampleCsv('leads_with_errors.csv'), { 'error-threshold': '0.25' });
    expect(result).toMatchObject({ status: 'succeeded', total_leads: 20, imported_count: 16, failed_count: 4 });
    expect(result.errors).toEqual([
      'Row 4: company_name: is required',
      'Row 7: contact_email: not a valid e-mail address',
      'Row 10: has 10 fields but the header has 9; check for an unquoted delimiter or a missing quote',
      'Row 13: company_name: longer than 255 characters',
    ]);
    const strict = await importCsv(sampleCsv('leads_with_errors.csv'));
    expect(strict).toMatchObject({ status: 'rejected', error_code: 'ERROR_THRESHOLD_EXCEEDED', imported_count: 0 });
  });

  it('fails an empty file', async () => {
    const result = await importCsv('');
    expect(result).toMatchObject({ status: 'failed', error_code: 'EMPTY_FILE' });
  });

  it('succeeds with zero leads for a header-only file', async () => {
    const result = await importCsv(HEADER.join(',') + '\n');
    expect(result).toMatchObject({ status: 'succeeded', total_leads: 0, imported_count: 0 });
  });

  it('fails random binary bytes with a clear message instead of crashing', async () => {
    const result = await importCsv(randomBytes(200_000));
    expect(result.status).toBe('failed');
    expect(result.error_code).toBe('BINARY_CONTENT');
    expect(result.message).toMatch(/binary/);
  });

  it('imports a key that S3 URL-encodes (spaces as +, UTF-8 escapes)', async () => {
    const key = 'uploads/a bü.csv';
    await h.s3.put(key, leadsCsv(3));
    const event = s3Event(TEST_BUCKET, undefined, 's3-put-encoded-key.json');
    expect(event.Records[0]!.s3.object.key).toBe('uploads/a+b%C3%BC.csv');
    await h.handler(event, lambdaContext());
    const result = await h.s3.getJson<ImportResult>(`${key}.result.json`);
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 3, filename: 'a bü.csv' });
  });

  it('does nothing for its own result JSON or a key outside uploads/', async () => {
    const before = await countImports(h.db);
    await h.s3.put('incoming/leads_1000.csv', sampleCsv('leads_1000.csv'));
    await h.handler(s3Event(TEST_BUCKET, undefined, 's3-put-outside-uploads.json'), lambdaContext());
    await h.handler(s3Event(TEST_BUCKET, undefined, 's3-put-result-json.json'), lambdaContext());
    expect(await countImports(h.db)).toBe(before);
    expect(await h.s3.getText('incoming/leads_1000.csv.result.json')).toBeUndefined();
  });
});
