import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '#core/contract/result';
import { getImport, listImports } from '#io/history';
import { csvText, HEADER, validLead } from '#test/csv';
import { useFileImports } from '#test/import-harness';

const files = useFileImports('history');

const importText = files.importText;

const withEmail = (lead: string[], email: string): string[] => [...lead.slice(0, 5), email, ...lead.slice(6)];

const cli = files.cli;

describe('import history', () => {
  let succeeded: ImportResult;
  let rejected: ImportResult;
  let failed: ImportResult;

  beforeAll(async () => {
    // Prepare: one import of each outcome, in this order.
    succeeded = await importText(
      csvText([HEADER, validLead(1), validLead(2), withEmail(validLead(3), 'not-an-email')]),
      { error_threshold: 0.5 },
    );
    rejected = await importText(csvText([HEADER, validLead(4), withEmail(validLead(5), 'bob@'), validLead(6)]), {
      strict_mode: true,
    });
    failed = await importText(
      csvText([
        ['contact_email', 'notes'],
        ['a@b.com', 'x'],
      ]),
      {},
      'no-company.csv',
    );
    expect([succeeded.status, rejected.status, failed.status]).toEqual(['succeeded', 'rejected', 'failed']);
  });

  it('lists every outcome newest first with its counts and error code', async () => {
    const rows = await listImports(files.db.admin);

    expect(rows.map((r) => r.id)).toEqual([failed.import_id, rejected.import_id, succeeded.import_id]);
    expect(rows[2]).toMatchObject({
      status: 'succeeded',
      filename: succeeded.filename,
      total_leads: 3,
      imported_count: 2,
      updated_count: 0,
      duplicate_count: 0,
      failed_count: 1,
      error_code: null,
      reverted_at: null,
    });
    expect(rows[1]).toMatchObject({
      status: 'rejected',
      total_leads: 2,
      imported_count: 0,
      failed_count: 1,
      error_code: 'STRICT_MODE_ROW_ERROR',
    });
    expect(rows[0]).toMatchObject({
      status: 'failed',
      filename: 'no-company.csv',
      imported_count: 0,
      error_code: 'MISSING_COMPANY_COLUMN',
    });
    for (const row of rows) {
      expect(row.duration_ms).toEqual(expect.any(Number));
      expect(Date.parse(row.started_at)).not.toBeNaN();
      expect(Date.parse(row.finished_at!)).toBeGreaterThanOrEqual(Date.parse(row.started_at));
    }
  });

  it('honours the limit', async () => {
    const rows = await listImports(files.db.admin, { limit: 2 });

    expect(rows.map((r) => r.id)).toEqual([failed.import_id, rejected.import_id]);
    await expect(listImports(files.db.admin, { limit: 0 })).rejects.toThrow(RangeError);
  });

  it('shows every column of a succeeded import, the stored result included', async () => {
    const record = await getImport(files.db.admin, succeeded.import_id);

    expect(record).toMatchObject({
      id: succeeded.import_id,
      status: 'succeeded',
      filename: succeeded.filename,
      source_bucket: 'local-file',
      source_key: join(files.dir, succeeded.filename),
      source_version: succeeded.import_id,
      source_size: succeeded.source.size,
      options: { error_threshold: 0.5, strict_mode: false, on_duplicate: 'skip' },
      encoding: 'utf-8',
      delimiter: ',',
      total_leads: 3,
      imported_count: 2,
      failed_count: 1,
      error_code: null,
      message: succeeded.message,
      lead_id_floor: 0,
      reverted_at: null,
    });
    expect(record!.result).toMatchObject({ import_id: succeeded.import_id, status: 'succeeded', imported_count: 2 });
    expect(record!.result!.errors[0]).toMatch(/^Row 4: contact_email: /);
  });

  it('shows the error code and message of rejected and failed imports', async () => {
    const r = await getImport(files.db.admin, rejected.import_id);
    const f = await getImport(files.db.admin, failed.import_id);

    expect(r).toMatchObject({
      status: 'rejected',
      error_code: 'STRICT_MODE_ROW_ERROR',
      message: rejected.message,
      options: { strict_mode: true },
    });
    expect(r!.message).toContain('Row 3');
    expect(f).toMatchObject({
      status: 'failed',
      error_code: 'MISSING_COMPANY_COLUMN',
      message: failed.message,
      imported_count: 0,
    });
    expect(f!.result).toMatchObject({ status: 'failed', error_code: 'MISSING_COMPANY_COLUMN' });
  });

  it('returns null for an unknown or malformed id', async () => {
    expect(await getImport(files.db.admin, '00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await getImport(files.db.admin, 'not-a-uuid')).toBeNull();
  });

  it('prints the history as JSON from the CLI, and exits 1 for an unknown id and 2 for bad arguments', async () => {
    const list = cli('list', '--json');
    const unknown = cli('show', '00000000-0000-4000-8000-000000000000');
    const bad = cli('list', '--limit', 'ten');

    expect(list.status, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as Array<{ id: string; status: string; error_code: string | null }>;
    expect(rows.map((r) => [r.id, r.status, r.error_code])).toEqual([
      [failed.import_id, 'failed', 'MISSING_COMPANY_COLUMN'],
      [rejected.import_id, 'rejected', 'STRICT_MODE_ROW_ERROR'],
      [succeeded.import_id, 'succeeded', null],
    ]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No import with id 00000000-0000-4000-8000-000000000000');
    expect(unknown.stdout).toBe('');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage: npm run imports');
  });

  it('prints the table and the detail view for people from the CLI', async () => {
    const table = cli('list');
    const show = cli('show', rejected.import_id);

    expect(table.status, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^ID\s+STARTED\s+STATUS\s+FILE\s+TOTAL\s+IMPORTED\s+UPDATED\s+DUPLICATES\s+FAILED\s+DURATION\s+ERROR$/,
    );
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
      failed.import_id,
      rejected.import_id,
      succeeded.import_id,
    ]);
    expect(lines[1]).toContain('MISSING_COMPANY_COLUMN');
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^status:\s+rejected$/m);
    expect(show.stdout).toMatch(/^error code:\s+STRICT_MODE_ROW_ERROR$/m);
    expect(show.stdout).toMatch(/^options:\s+\{.*"strict_mode":true/m);
  });
});
