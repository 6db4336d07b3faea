import { describe, expect, it } from 'vitest';
import { buildPreview, parseRecords } from '../../functions/upload-page/preview.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('upload page preview', () => {
  it('reads quoted delimiters, doubled quotes and line breaks as the importer does, skipping blank lines', () => {
    const file =
      'Company;Email;Notes\r\n"Acme; Inc";a@acme.example;"said ""hi""\ntwice"\r\n\r\nBeta;b@beta.example;\r\n';
    const preview = buildPreview(bytes(file), file.length);
    expect(preview).toMatchObject({ encoding: 'utf-8', delimiter: ';', problem: null, estimatedRows: 2 });
    expect(preview.columns).toEqual([
      { header: 'Company', column: 'company_name' },
      { header: 'Email', column: 'contact_email' },
      { header: 'Notes', column: 'notes' },
    ]);
    expect(preview.rows).toEqual([
      ['Acme; Inc', 'a@acme.example', 'said "hi"\ntwice'],
      ['Beta', 'b@beta.example', ''],
    ]);
  });

  it('holds back the record cut at the end of a sample, and keeps it when the sample is the whole file', () => {
    const text = 'Company,Email\nAcme,a@acme.example\nBeta,b@be';
    expect(parseRecords(text, ',', false)).toEqual({
      records: [
        ['Company', 'Email'],
        ['Acme', 'a@acme.example'],
      ],
      problem: null,
    });
    expect(parseRecords(text, ',', true).records.at(-1)).toEqual(['Beta', 'b@be']);
  });

  it("reports a quote that never closes in a whole file; header problems are the mapping's to flag", () => {
    const unclosed = 'Company,Notes\nAcme,"open\n';
    expect(buildPreview(bytes(unclosed), unclosed.length).problem).toMatch(/never closed/);
    const noCompany = 'Email,Notes,Mail\na@acme.example,hi,x\n';
    const preview = buildPreview(bytes(noCompany), noCompany.length);
    expect(preview.problem).toBeNull();
    expect(preview.columns.map((c) => c.column)).toEqual(['contact_email', 'notes', null]);
    expect(preview.unknown).toEqual(['Mail']);
  });
});
