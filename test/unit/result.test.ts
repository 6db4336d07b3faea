import { describe, expect, it } from 'vitest';
import { ECHO_MAX_CHARS } from '#core/contract/echo';
import type { EngineSummary } from '#core/contract/result';
import { parseImportOptions } from '#core/contract/options';
import {
  RESULT_MAX_BYTES,
  buildResult,
  resultBytes,
  type DuplicateOutcome,
  type ResultInput,
} from '#core/contract/result';

const STARTED = new Date('2024-05-01T10:00:00.000Z');
const FINISHED = new Date('2024-05-01T10:00:02.000Z');

const summary: EngineSummary = {
  encoding: 'utf-8',
  delimiter: ',',
  columns: {
    mapped: { Company: 'company_name', Email: 'contact_email' },
    unknown: ['Region'],
    unknown_truncated: false,
  },
  total_leads: 10,
  valid_count: 9,
  failed_count: 1,
  blank_rows: 2,
  error_details: [
    { row: 4, column: 'contact_email', value: 'bad', code: 'INVALID_EMAIL', message: 'not a valid e-mail address' },
  ],
  errors_truncated: false,
  notes: ['Row 5: contact_phone: not a valid US phone number; kept as written ("123")'],
  notes_truncated: false,
  error_report_truncated: false,
};

const duplicates: DuplicateOutcome = {
  duplicate_count: 2,
  updated_count: 0,
  duplicates: [
    {
      row: 6,
      email: 'a@b.co',
      matched_on: 'email',
      duplicate_of_row: 3,
      duplicate_of_lead_id: null,
      action: 'skipped',
    },
  ],
  duplicates_truncated: true,
};

const input = (overrides: Partial<ResultInput> = {}): ResultInput => ({
  importId: 'imp-1',
  status: 'succeeded',
  filename: 'leads.csv',
  source: { bucket: 'b', key: 'uploads/x/leads.csv', version_id: null, etag: '"e"', size: 123 },
  options: parseImportOptions({}),
  startedAt: STARTED,
  finishedAt: FINISHED,
  summary,
  duplicates,
  importedCount: 7,
  ...overrides,
});

describe('buildResult', () => {
  it('says a dry run is one, with the same counts a real import would have', () => {
    const result = buildResult(input({ options: parseImportOptions({ dry_run: true }) }));
    expect(result).toMatchObject({ dry_run: true, status: 'succeeded', imported_count: 7, duplicate_count: 2 });
    expect(result.message).toBe(
      'Dry run, nothing kept: 7 of 10 leads from leads.csv would be imported; 1 row invalid; 2 duplicates (0 updated).',
    );
    expect(buildResult(input({ options: parseImportOptions({ dry_run: true }), status: 'rejected' })).message).toBe(
      'leads.csv was not imported (dry run).',
    );
  });

  it('describes a successful import with counts, timings, errors and duplicates', () => {
    // Act
    const result = buildResult(input());
    // Assess
    expect(result).toMatchObject({
      import_id: 'imp-1',
      status: 'succeeded',
      dry_run: false,
      message: 'Imported 7 of 10 leads from leads.csv; 1 row invalid; 2 duplicates (0 updated).',
      error_code: null,
      filename: 'leads.csv',
      detected: { encoding: 'utf-8', delimiter: ',', columns: summary.columns },
      total_leads: 10,
      imported_count: 7,
      updated_count: 0,
      duplicate_count: 2,
      failed_count: 1,
      blank_rows: 2,
      duration_ms: 2000,
      leads_per_second: 5,
      errors: ['Row 4: contact_email: not a valid e-mail address'],
      error_details: summary.error_details,
      errors_truncated: false,
      error_report_key: null,
      duplicates: duplicates.duplicates,
      duplicates_truncated: true,
      notes: summary.notes,
      started_at: '2024-05-01T10:00:00.000Z',
      finished_at: '2024-05-01T10:00:02.000Z',
    });
  });

  it('keeps the message short when nothing went wrong', () => {
    const result = buildResult(
      input({ summary: { ...summary, total_leads: 1, failed_count: 0 }, importedCount: 1, duplicates: undefined }),
    );
    expect(result.message).toBe('Imported 1 of 1 lead from leads.csv.');
  });

  it('reports nothing imported or duplicated for a rejected file, with its code and report key', () => {
    const result = buildResult(
      input({
        status: 'rejected',
        errorCode: 'ERROR_THRESHOLD_EXCEEDED',
        message: '2 of 10 rows are invalid.',
        errorReportKey: 'uploads/x/leads.csv.rejected.csv',
      }),
    );
    expect(result).toMatchObject({
      status: 'rejected',
      message: '2 of 10 rows are invalid.',
      error_code: 'ERROR_THRESHOLD_EXCEEDED',
      imported_count: 0,
      duplicate_count: 0,
      updated_count: 0,
      duplicates: [],
      failed_count: 1,
      error_report_key: 'uploads/x/leads.csv.rejected.csv',
    });
  });

  it('gives a failed file a default message and empty detection when nothing was read', () => {
    const result = buildResult(input({ status: 'failed', errorCode: 'ENCODING_INVALID', summary: undefined }));
    expect(result).toMatchObject({
      message: 'leads.csv was not imported.',
      error_code: 'ENCODING_INVALID',
      detected: { encoding: null, delimiter: null, columns: null },
      total_leads: 0,
      errors: [],
      notes: [],
    });
  });

  it('describes an import in progress without a finish time', () => {
    const result = buildResult(input({ status: 'processing', finishedAt: null, summary: { total_leads: 1 } }));
    expect(result.message).toBe('Importing leads.csv: 1 row read so far.');
    expect(result.finished_at).toBeNull();
  });

  it('reports the rows read as the rate when no time has passed', () => {
    const result = buildResult(input({ finishedAt: STARTED }));
    expect(result).toMatchObject({ duration_ms: 0, leads_per_second: 10 });
  });
});

describe('the result stays under RESULT_MAX_BYTES', () => {
  it('halves long lists and marks them truncated when an error list limit lets them grow past the budget', () => {
    // Prepare: 5,000 errors and notes quoting cut cells of control characters (6 JSON bytes each).
    const value = `${'\u0001'.repeat(ECHO_MAX_CHARS)}… [cut: 9999 characters]`;
    const error_details = Array.from({ length: 5_000 }, (_, i) => ({
      row: i + 2,
      column: 'notes',
      value,
      code: 'TOO_LONG' as const,
      message: 'longer than 10000 characters',
    }));
    const notes = error_details.map((d) => `Row ${d.row}: company_website: not a usable URL ("${value}")`);
    // Act
    const result = buildResult(input({ summary: { ...summary, error_details, notes } }));
    // Assess
    expect(resultBytes(result)).toBeLessThan(RESULT_MAX_BYTES);
    expect(result.error_details.length).toBeGreaterThan(10);
    expect(result.errors).toHaveLength(result.error_details.length);
    expect(result).toMatchObject({ errors_truncated: true, notes_truncated: true, failed_count: 1 });
  });

  it('leaves a result within the budget untouched', () => {
    const result = buildResult(input());
    expect(result.errors_truncated).toBe(false);
    expect(result.error_details).toEqual(summary.error_details);
  });
});
