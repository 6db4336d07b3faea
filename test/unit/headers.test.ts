import { describe, expect, it } from 'vitest';
import { LEAD_COLUMNS, type LeadColumn } from '#core/contract/columns';
import { headerKey, mapHeaders, type HeaderMap } from '#core/parse/headers';
import { expectImportError } from '#test/expect-error';

/** Column -> header index, only for the columns that were found. */
const found = (map: HeaderMap): Partial<Record<LeadColumn, number>> =>
  Object.fromEntries(LEAD_COLUMNS.map((c, i) => [c, map.columnIndex[i]]).filter(([, at]) => at !== -1));

describe('headerKey', () => {
  it('ignores case, spaces and punctuation', () => {
    expect(headerKey('E-mail Address')).toBe('emailaddress');
    expect(headerKey(' Company_Name ')).toBe('companyname');
    expect(headerKey('Société')).toBe('société');
  });
});

describe('mapHeaders', () => {
  it('maps the canonical names regardless of case, spaces, hyphens and underscores', () => {
    // Prepare
    const headers = [' COMPANY_NAME ', 'Contact-Email', 'contact title', 'Company_Website', 'companysize'];
    // Act
    const map = mapHeaders(headers);
    // Assess
    expect(found(map)).toEqual({
      company_name: 0,
      contact_email: 1,
      contact_title: 2,
      company_website: 3,
      company_size: 4,
    });
    expect(map.mapped).toEqual({
      COMPANY_NAME: 'company_name',
      'Contact-Email': 'contact_email',
      'contact title': 'contact_title',
      Company_Website: 'company_website',
      companysize: 'company_size',
    });
    expect(map.unknown).toEqual([]);
    expect(map.headers).toBe(headers);
  });

  it.each<[string, LeadColumn]>([
    ['Company', 'company_name'],
    ['Account Name', 'company_name'],
    ['Organization', 'company_name'],
    ['Organisation', 'company_name'],
    ['Business Name', 'company_name'],
    ['Email Address', 'contact_email'],
    ['E-mail', 'contact_email'],
    ['E-Mail Address', 'contact_email'],
    ['Work Email', 'contact_email'],
    ['Email', 'contact_email'],
    ['Job Title', 'contact_title'],
    ['Title', 'contact_title'],
    ['Position', 'contact_title'],
    ['Phone Number', 'contact_phone'],
    ['Mobile Phone', 'contact_phone'],
    ['Telephone', 'contact_phone'],
    ['Website', 'company_website'],
    ['Website URL', 'company_website'],
    ['Company Domain Name', 'company_website'],
    ['Employees', 'company_size'],
    ['Number of Employees', 'company_size'],
    ['Headcount', 'company_size'],
    ['Full Name', 'contact_name'],
    ['Lead Name', 'contact_name'],
    ['Sector', 'industry'],
    ['Comments', 'notes'],
    ['Description', 'notes'],
  ])('maps the synonym "%s" to %s', (header, column) => {
    // Prepare: a company column is required, so pair it with one unless it is the company synonym
    const headers = column === 'company_name' ? [header] : ['Company', header];
    // Act
    const map = mapHeaders(headers);
    // Assess
    expect(map.columnIndex[LEAD_COLUMNS.indexOf(column)]).toBe(headers.length - 1);
    expect(map.mapped[header]).toBe(column);
  });

  it('joins First Name and Last Name into contact_name when there is no name column', () => {
    const map = mapHeaders(['Company', 'First Name', 'last_name', 'Email']);
    expect(map.firstNameIndex).toBe(1);
    expect(map.lastNameIndex).toBe(2);
    expect(map.columnIndex[LEAD_COLUMNS.indexOf('contact_name')]).toBe(-1);
    expect(map.mapped).toMatchObject({ 'First Name': 'contact_name', last_name: 'contact_name' });
    expect(map.unknown).toEqual([]);
  });

  it('uses a single name column and lists First/Last Name as unknown when both exist', () => {
    const map = mapHeaders(['Company', 'First Name', 'Last Name', 'Full Name']);
    expect(map.firstNameIndex).toBe(-1);
    expect(map.lastNameIndex).toBe(-1);
    expect(found(map)).toEqual({ company_name: 0, contact_name: 3 });
    expect(map.mapped).toEqual({ Company: 'company_name', 'Full Name': 'contact_name' });
    expect(map.unknown).toEqual(['First Name', 'Last Name']);
  });

  it('lets the explicit mapping name a column no synonym knows', () => {
    const map = mapHeaders(['Kunde', 'Mail'], { Kunde: 'company_name', Mail: 'contact_email' });
    expect(found(map)).toEqual({ company_name: 0, contact_email: 1 });
    expect(map.unknown).toEqual([]);
  });

  it('lets the explicit mapping override a synonym, matching header names loosely', () => {
    // Prepare: "Title" would be contact_title by synonym
    const explicit = { 'TITLE ': 'notes', 'org-name': 'company_name' };
    // Act
    const map = mapHeaders(['Org Name', 'Title'], explicit);
    // Assess
    expect(found(map)).toEqual({ company_name: 0, notes: 1 });
    expect(map.mapped).toEqual({ 'Org Name': 'company_name', Title: 'notes' });
  });

  it("drops a column mapped to 'ignore', so it neither collides nor shows as unknown", () => {
    const map = mapHeaders(['Company', 'Email', 'Work Email'], { 'Work Email': 'ignore' });
    expect(found(map)).toEqual({ company_name: 0, contact_email: 1 });
    expect(map.mapped).toEqual({ Company: 'company_name', Email: 'contact_email' });
    expect(map.unknown).toEqual([]);
  });

  it("resolves two company candidates with an explicit mapping plus 'ignore'", () => {
    const map = mapHeaders(['Company', 'Org Name'], { 'Org Name': 'company_name', Company: 'ignore' });
    expect(found(map)).toEqual({ company_name: 1 });
  });

  it('does not treat an explicitly mapped "First Name" as a name part', () => {
    const map = mapHeaders(['Company', 'First Name'], { 'First Name': 'notes' });
    expect(map.firstNameIndex).toBe(-1);
    expect(found(map)).toEqual({ company_name: 0, notes: 1 });
  });

  it('joins two columns mapped by hand to contact_name, in header order, as First Name + Last Name', () => {
    // Prepare: headers no synonym knows, plus a First Name the mapping leaves out.
    const headers = ['Firma', 'Vorname', 'Nachname', 'First Name'];
    // Act
    const map = mapHeaders(headers, { Firma: 'company_name', Vorname: 'contact_name', Nachname: 'contact_name' });
    // Assess
    expect(found(map)).toEqual({ company_name: 0 });
    expect([map.firstNameIndex, map.lastNameIndex]).toEqual([1, 2]);
    expect(map.mapped).toEqual({ Firma: 'company_name', Vorname: 'contact_name', Nachname: 'contact_name' });
    expect(map.unknown).toEqual(['First Name']);
  });

  it('refuses three columns mapped by hand to contact_name', () => {
    expectImportError(
      () => mapHeaders(['Company', 'A', 'B', 'C'], { A: 'contact_name', B: 'contact_name', C: 'contact_name' }),
      'DUPLICATE_COLUMN',
      { column: 'contact_name', detail: { headers: ['A', 'C'] } },
    );
  });

  it('lists unknown columns (trimmed) and skips empty headers', () => {
    const map = mapHeaders(['Company', ' Lead Source ', '', 'Region', '  ']);
    expect(map.unknown).toEqual(['Lead Source', 'Region']);
    expect(found(map)).toEqual({ company_name: 0 });
  });

  it('refuses two headers for the same column with DUPLICATE_COLUMN naming both', () => {
    expectImportError(() => mapHeaders(['Company', 'Email', 'E-mail']), 'DUPLICATE_COLUMN', {
      column: 'contact_email',
      message: ['"Email"', '"E-mail"', 'contact_email'],
      detail: { headers: ['Email', 'E-mail'] },
    });
  });

  it('refuses two different synonyms of one column (Notes, Comments)', () => {
    expectImportError(() => mapHeaders(['Account', 'Notes', 'Comments']), 'DUPLICATE_COLUMN', {
      column: 'notes',
      detail: { headers: ['Notes', 'Comments'] },
    });
  });

  it('refuses a file without a company column with MISSING_COMPANY_COLUMN mentioning company_name', () => {
    expectImportError(() => mapHeaders(['Name', 'Email']), 'MISSING_COMPANY_COLUMN', {
      column: 'company_name',
      message: ['company_name', '"Name", "Email"'],
      detail: { headers: ['Name', 'Email'] },
    });
  });

  it("refuses a file whose only company column was mapped to 'ignore'", () => {
    expectImportError(() => mapHeaders(['Company', 'Email'], { Company: 'ignore' }), 'MISSING_COMPANY_COLUMN', {
      column: 'company_name',
    });
  });

  it('says "none" when the header row is empty', () => {
    expectImportError(() => mapHeaders([]), 'MISSING_COMPANY_COLUMN', { message: 'headers: none' });
  });
});
