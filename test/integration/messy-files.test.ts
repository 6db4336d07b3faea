import { describe, expect, it } from 'vitest';
import type { ImportResult } from '#core/contract/result';
import { countImports } from '#test/database';
import { lambdaContext, s3Event, sampleCsv } from '#test/events';
import { useImportHandler } from '#test/import-harness';
import { TEST_BUCKET } from '#test/s3';

const h = useImportHandler('messy');
const importFixture = (body: string | Buffer, metadata?: Record<string, string>, name = 'file.csv') =>
  h.importCsv(body, metadata, name);

const COLUMNS =
  'company_name, industry, company_website, company_size, contact_name, contact_email, contact_phone, contact_title, notes, website_normalized, phone_e164';
const leadsOf = async (result: ImportResult) =>
  (await h.db.admin.query(`select ${COLUMNS} from leads where import_id = $1 order by source_row`, [result.import_id]))
    .rows;
const lead = (values: Partial<Record<string, string | null>>) => ({
  company_name: null,
  industry: null,
  company_website: null,
  company_size: null,
  contact_name: null,
  contact_email: null,
  contact_phone: null,
  contact_title: null,
  notes: null,
  website_normalized: null,
  phone_e164: null,
  ...values,
});

describe('encodings and delimiters', () => {
  it('reads an Excel UTF-16 tab-separated export and stores correct UTF-8', async () => {
    const { result } = await importFixture(sampleCsv('excel-utf16le-tab.csv'));
    expect(result).toMatchObject({
      status: 'succeeded',
      imported_count: 3,
      detected: { encoding: 'utf-16le', delimiter: '\t' },
    });
    expect(await leadsOf(result)).toEqual([
      lead({
        company_name: 'Société Générale',
        industry: 'Finance',
        company_website: 'SocieteGenerale.FR',
        contact_name: 'Amélie Durand',
        contact_email: 'amelie.durand@sg.example',
        contact_phone: '+33 1 42 14 20 00',
        contact_title: 'Directrice',
        notes: 'Rencontrée au salon, « très intéressée »',
        website_normalized: 'https://societegenerale.fr',
        phone_e164: '+33142142000',
      }),
      lead({
        company_name: 'Müller & Söhne',
        industry: 'Manufacturing',
        company_website: 'www.mueller-soehne.de/kontakt',
        contact_name: 'Jürgen Müller',
        contact_email: 'JUERGEN@Mueller-Soehne.example',
        contact_phone: '030 1234567',
        contact_title: 'Geschäftsführer',
        notes: 'Tab\tinside quotes',
        website_normalized: 'https://www.mueller-soehne.de/kontakt',
      }),
      lead({
        company_name: '東京ソフト株式会社',
        industry: 'Software',
        company_website: 'https://tokyo-soft.example.jp',
        contact_name: '山田 太郎',
        contact_email: 'yamada@tokyo-soft.example',
        contact_phone: '(212) 555-0143',
        contact_title: '部長',
        website_normalized: 'https://tokyo-soft.example.jp',
        phone_e164: '+12125550143',
      }),
    ]);
    expect(result.notes).toEqual([
      'Row 3: contact_phone: not a valid US phone number; kept as written ("030 1234567")',
    ]);
  });

  it('reads a Windows-1252 semicolon file with German headers, euro sign and smart quotes', async () => {
    const { result } = await importFixture(sampleCsv('windows1252-semicolon.csv'));
    expect(result).toMatchObject({
      status: 'succeeded',
      imported_count: 2,
      detected: { encoding: 'windows-1252', delimiter: ';' },
    });
    expect(result.detected.columns?.mapped).toEqual({
      Firma: 'company_name',
      Branche: 'industry',
      Website: 'company_website',
      Ansprechpartner: 'contact_name',
      'E-Mail': 'contact_email',
      Telefon: 'contact_phone',
      Position: 'contact_title',
      Notizen: 'notes',
    });
    expect(await leadsOf(result)).toEqual([
      lead({
        company_name: 'Müller & Söhne',
        industry: 'Maschinenbau',
        company_website: 'mueller.example',
        contact_name: 'Jürgen Müller',
        contact_email: 'juergen@mueller.example',
        contact_title: 'Geschäftsführer',
        notes: 'Budget 5.000 € – \u201CQ3\u201D',
        website_normalized: 'https://mueller.example',
      }),
      lead({
        company_name: 'Café Crème SARL',
        industry: 'Gastronomie',
        contact_name: 'Zoë Lefèvre',
        contact_email: 'zoe@cafe-creme.example',
        contact_title: 'Gérante',
        notes: 'Straße 1; 2. OG',
      }),
    ]);
  });

  it('reads UTF-8 with a BOM and CRLF line ends, keeping a CRLF inside a quoted cell', async () => {
    const { result } = await importFixture(sampleCsv('utf8-bom-crlf.csv'));
    expect(result).toMatchObject({
      status: 'succeeded',
      imported_count: 2,
      detected: { encoding: 'utf-8-bom', delimiter: ',' },
    });
    expect(await leadsOf(result)).toEqual([
      lead({ company_name: 'Ærøskøbing Fisk', contact_email: 'fisk@aero.example', notes: 'Line one\r\nline two' }),
      lead({ company_name: 'Zürich Data AG', contact_email: 'info@zuerich.example' }),
    ]);
  });

  it('honours encoding and delimiter options over detection', async () => {
    const body = Buffer.from('company_name|contact_email\nCaf\xe9 One|one@cafe.example\n', 'latin1');
    const { result } = await importFixture(body, { encoding: 'windows-1252', delimiter: '|' });
    expect(result).toMatchObject({ status: 'succeeded', detected: { encoding: 'windows-1252', delimiter: '|' } });
    expect((await leadsOf(result))[0]).toMatchObject({ company_name: 'Café One' });
  });
});

describe('header names', () => {
  it('maps a HubSpot export, joining first and last name, and lists unknown columns', async () => {
    const { result } = await importFixture(sampleCsv('hubspot-export.csv'));
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 3 });
    expect(result.detected.columns?.unknown).toEqual(['Record ID', 'Lifecycle Stage', 'Create Date']);
    expect(await leadsOf(result)).toEqual([
      lead({
        company_name: 'Analytical Engines Ltd',
        industry: 'Computing',
        company_website: 'analytical.example',
        company_size: '11-50',
        contact_name: 'Ada Lovelace',
        contact_email: 'ada@analytical.example',
        contact_phone: '(415) 555-0101',
        contact_title: 'CTO',
        website_normalized: 'https://analytical.example',
        phone_e164: '+14155550101',
      }),
      lead({
        company_name: 'Cobol Systems',
        industry: 'Software',
        company_website: 'https://cobol.example/about',
        company_size: '201-500',
        contact_name: 'Grace Hopper',
        contact_email: 'grace@cobol.example',
        contact_phone: '415.555.0102',
        contact_title: 'VP Engineering',
        website_normalized: 'https://cobol.example/about',
        phone_e164: '+14155550102',
      }),
      lead({ company_name: 'Bombe Works', contact_name: 'Turing', contact_email: 'alan@bombe.example' }),
    ]);
  });

  it('maps a Salesforce export (Company, No. of Employees, Description)', async () => {
    const { result } = await importFixture(sampleCsv('salesforce-export.csv'));
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 2 });
    expect(result.detected.columns?.unknown).toEqual(['Lead ID', 'Lead Source']);
    expect(await leadsOf(result)).toEqual([
      lead({
        company_name: 'Kernel Co',
        industry: 'Software',
        company_website: 'kernel.example',
        company_size: '51-200',
        contact_name: 'Linus Torvalds',
        contact_email: 'linus@kernel.example',
        contact_phone: '+1 (503) 555-0199',
        contact_title: 'Chief Architect',
        notes: 'Prefers e-mail, not phone',
        website_normalized: 'https://kernel.example',
        phone_e164: '+15035550199',
      }),
      lead({
        company_name: 'Apollo Guidance',
        industry: 'Aerospace',
        company_website: 'apollo.example',
        company_size: '1000+',
        contact_name: 'Margaret Hamilton',
        contact_email: 'margaret@apollo.example',
        contact_phone: '617-555-0143',
        contact_title: 'Director',
        website_normalized: 'https://apollo.example',
        phone_e164: '+16175550143',
      }),
    ]);
  });

  it('lets an explicit mapping from metadata win, and fails a header that maps twice naming both', async () => {
    const { result } = await importFixture('Org,Mail\nMapped Co,mapped@example.com\n', {
      mapping: JSON.stringify({ Org: 'company_name', Mail: 'contact_email' }),
    });
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 1 });
    const twice = await importFixture('Company,Account Name\nA,B\n');
    expect(twice.result).toMatchObject({ status: 'failed', error_code: 'DUPLICATE_COLUMN' });
    expect(twice.result.message).toContain('"Company" and "Account Name"');
  });
});

describe('duplicates', () => {
  it('skips duplicate e-mails inside a file, compared trimmed and case-insensitively', async () => {
    const { result } = await importFixture(sampleCsv('duplicates-in-file.csv'));
    expect(result).toMatchObject({
      status: 'succeeded',
      total_leads: 4,
      imported_count: 2,
      duplicate_count: 2,
      updated_count: 0,
    });
    expect(result.duplicates).toEqual([
      {
        row: 3,
        email: 'DUP@Example.COM',
        matched_on: 'email',
        duplicate_of_row: 2,
        duplicate_of_lead_id: null,
        action: 'skipped',
      },
      {
        row: 5,
        email: 'Dup@example.com',
        matched_on: 'email',
        duplicate_of_row: 2,
        duplicate_of_lead_id: null,
        action: 'skipped',
      },
    ]);
    expect((await leadsOf(result)).map((l) => l.company_name)).toEqual(['First Corp', 'Third Corp']);
  });

  const base = (tag: string) =>
    `company_name,industry,contact_email,notes,contact_title\nBase Co,Retail,lead@${tag}.example,original,\n`;
  const again = (tag: string) =>
    `company_name,industry,contact_email,notes,contact_title\nNew Co,,LEAD@${tag}.example,updated note,CEO\n`;
  const withEmail = async (tag: string) =>
    (
      await h.db.admin.query(`select ${COLUMNS} from leads where lower(contact_email) = $1 order by id`, [
        `lead@${tag}.example`,
      ])
    ).rows;

  it('skip (default): a duplicate of an existing lead is not inserted and the lead is untouched', async () => {
    const first = await importFixture(base('skip'));
    const { result } = await importFixture(again('skip'));
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 0, duplicate_count: 1, updated_count: 0 });
    const [row] = (await h.db.admin.query('select id from leads where import_id = $1', [first.result.import_id])).rows;
    expect(result.duplicates).toEqual([
      {
        row: 2,
        email: 'LEAD@skip.example',
        matched_on: 'email',
        duplicate_of_row: null,
        duplicate_of_lead_id: Number(row.id),
        action: 'skipped',
      },
    ]);
    expect(await withEmail('skip')).toEqual([
      lead({ company_name: 'Base Co', industry: 'Retail', contact_email: 'lead@skip.example', notes: 'original' }),
    ]);
  });

  it('update: fills the existing lead from the new row; empty cells do not erase', async () => {
    await importFixture(base('update'));
    const { result } = await importFixture(again('update'), { 'on-duplicate': 'update' });
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 0, duplicate_count: 1, updated_count: 1 });
    expect(result.duplicates[0]).toMatchObject({ action: 'updated' });
    expect(await withEmail('update')).toEqual([
      lead({
        company_name: 'Base Co',
        industry: 'Retail',
        contact_email: 'lead@update.example',
        notes: 'updated note',
        contact_title: 'CEO',
      }),
    ]);
  });

  it('allow: inserts the duplicate as a new lead', async () => {
    await importFixture(base('allow'));
    const { result } = await importFixture(again('allow'), { 'on-duplicate': 'allow' });
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 1, duplicate_count: 0 });
    expect((await withEmail('allow')).map((l) => l.company_name)).toEqual(['Base Co', 'New Co']);
  });

  it('skips tens of thousands of duplicates of existing leads (the candidate list stays in the database)', async () => {
    const body =
      'company_name,contact_email\n' +
      Array.from({ length: 60_000 }, (_, i) => `Bulk Co ${i},bulk${i}@bulk.example\n`).join('');
    const first = await importFixture(body);
    const again = await importFixture(
      body.toUpperCase().replace('COMPANY_NAME,CONTACT_EMAIL', 'company_name,contact_email'),
    );
    expect(first.result).toMatchObject({ status: 'succeeded', imported_count: 60_000 });
    expect(again.result).toMatchObject({
      status: 'succeeded',
      imported_count: 0,
      duplicate_count: 60_000,
      duplicates_truncated: true,
    });
    expect(again.result.duplicates[0]).toMatchObject({
      row: 2,
      email: 'BULK0@BULK.EXAMPLE',
      duplicate_of_row: null,
      action: 'skipped',
    });
  });

  it('two concurrent imports sharing e-mails create no duplicates', async () => {
    const [a, b] = await Promise.all([
      importFixture(sampleCsv('concurrent-a.csv'), undefined, 'a.csv'),
      importFixture(sampleCsv('concurrent-b.csv'), undefined, 'b.csv'),
    ]);
    // The handler's single connection serializes these in one process; reliability.test.ts runs
    // separate instances. Either way the totals must be exact.
    expect(a.result.imported_count + b.result.imported_count).toBe(5000);
    expect(a.result.duplicate_count + b.result.duplicate_count).toBe(1000);
    const { rows } = await h.db.admin.query(
      "select count(*)::int as n, count(distinct lower(contact_email))::int as d from leads where contact_email like '%@concurrent.example'",
    );
    expect(rows[0]).toEqual({ n: 5000, d: 5000 });
  });
});

describe('rejected-rows file', () => {
  it('writes the failed rows with row and error, BOM, and formulas neutralized; writing it starts no import', async () => {
    const { key, result } = await importFixture(sampleCsv('formula-injection.csv'));
    expect(result).toMatchObject({ status: 'succeeded', failed_count: 1, error_report_key: `${key}.rejected.csv` });
    const report = await h.s3.getText(`${key}.rejected.csv`);
    expect(report).toBe(
      '\uFEFFrow,error,company_name,contact_email,notes\r\n' +
        `3,contact_email: not a valid e-mail address,"'=HYPERLINK(""http://evil.example"",""click"")",not-an-email,'+1 boom\r\n`,
    );
    const before = await countImports(h.db);
    await h.handler(s3Event(TEST_BUCKET, `${key}.rejected.csv`), lambdaContext());
    expect(await countImports(h.db)).toBe(before);
  });
});

describe('hostile cells and metadata', () => {
  it('fails rows holding ESC, BEL, BS or DEL with CONTROL_CHARACTER and stores none of them', async () => {
    const clean = Array.from({ length: 40 }, (_, i) => `Clean ${i},clean${i}@example.com,ok`);
    const csv = [
      'Company,Email,Notes',
      ...clean,
      'Esc Co,esc@example.com,"\x1b]0;pwned\x07\x1b[31mred"',
      'Del Co\x7f,del@example.com,x',
      'Bs Co,bs@example.com,a\bb',
    ].join('\r\n');
    const { key, result } = await importFixture(csv);
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 40, failed_count: 3 });
    expect(result.error_details.map((e) => [e.row, e.column, e.code])).toEqual([
      [42, 'notes', 'CONTROL_CHARACTER'],
      [43, 'company_name', 'CONTROL_CHARACTER'],
      [44, 'notes', 'CONTROL_CHARACTER'],
    ]);
    const { rows } = await h.db.admin.query(
      "select count(*)::int as n from leads where import_id = $1 and concat(company_name, notes) ~ '[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]'",
      [result.import_id],
    );
    expect(rows[0]).toEqual({ n: 0 });
    expect(await h.s3.getText(`${key}.rejected.csv`)).toContain(
      '42,notes: contains the control character U+001B; remove it,',
    );
  });

  it('neutralizes a formula after leading whitespace or a line break in the rejected-rows file', async () => {
    const csv =
      'company_name,contact_email,notes\r\nAcme,not-an-email," =1+1"\r\nBeta,also-bad,"\n=2+2"\r\n' +
      'Ok,ok@example.com,fine\r\n'.repeat(18);
    const { key, result } = await importFixture(csv);
    expect(result).toMatchObject({ status: 'succeeded', failed_count: 2 });
    expect(await h.s3.getText(`${key}.rejected.csv`)).toBe(
      '\uFEFFrow,error,company_name,contact_email,notes\r\n' +
        "2,contact_email: not a valid e-mail address,Acme,not-an-email,' =1+1\r\n" +
        `3,contact_email: not a valid e-mail address,Beta,also-bad,"'\n=2+2"\r\n`,
    );
  });

  it.each([
    [{ mapping: '{"__proto__":"company_name"}' }, 'mapping.__proto__'],
    [{ constructor: 'x' }, 'constructor'],
  ])('fails a drop whose metadata %j uses a reserved key with INVALID_OPTIONS', async (metadata, name) => {
    const { result } = await importFixture('company_name\nAcme\n', metadata);
    expect(result).toMatchObject({ status: 'failed', error_code: 'INVALID_OPTIONS', imported_count: 0 });
    expect(result.message).toContain(name);
  });
});
