import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvText, HEADER, invalidLead, validLead } from '../support/csv.ts';
import { countImports, countLeads } from '../support/database.ts';
import { useFileImports } from '../support/import-harness.ts';

const files = useFileImports('file-import');

describe('importFile', () => {
  it('imports a file from disk and writes its rejected rows beside it', async () => {
    const text = csvText([HEADER, ...Array.from({ length: 9 }, (_, i) => validLead(i)), invalidLead(1)]);
    const result = await files.importText(text, {}, 'with-errors.csv');
    expect(result).toMatchObject({
      status: 'succeeded',
      imported_count: 9,
      failed_count: 1,
      filename: 'with-errors.csv',
    });
    const reportPath = join(files.dir, 'with-errors.csv.rejected.csv');
    expect(result.error_report_key).toBe(reportPath);
    expect(await readFile(reportPath, 'utf8')).toMatch(/^\uFEFFrow,error,company_name,[^\n]*\n11,/);
    expect(await countLeads(db(), 'import_id = $1', [result.import_id])).toBe(9);
  });

  it('treats every run as a new import, even of the same bytes', async () => {
    const text = csvText([HEADER, validLead(100)]);
    const first = await files.importText(text, { on_duplicate: 'allow' }, 'again.csv');
    const second = await files.importText(text, { on_duplicate: 'allow' }, 'again.csv');
    expect(second.import_id).not.toBe(first.import_id);
    expect(second).toMatchObject({ status: 'succeeded', imported_count: 1 });
    expect(await countImports(db(), 'filename = $1', ['again.csv'])).toBe(2);
  });
});

const db = () => files.db;
