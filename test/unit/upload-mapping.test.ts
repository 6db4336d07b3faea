import { describe, expect, it } from 'vitest';
import { mapHeaders } from '#core/parse/headers';
import {
  budgetProblem,
  detectedChoices,
  mappedColumns,
  mappingOption,
  mappingProblems,
  memoryKey,
  metadataBudget,
  nameJoinNote,
  parseRemembered,
  type Choices,
} from '../../functions/upload-page/mapping.ts';

describe('detectedChoices', () => {
  it('prefills each column from the importer synonyms, unknown columns as "don\'t import"', () => {
    expect(detectedChoices(['Company', 'E-mail', 'Organisation Name', 'Mail', 'Rufnummer'])).toEqual([
      'company_name',
      'contact_email',
      null,
      null,
      null,
    ]);
  });

  it('joins First and Last Name into contact_name only when no column is a name, as the importer does', () => {
    expect(detectedChoices(['Company', 'First Name', 'Last Name'])).toEqual([
      'company_name',
      'contact_name',
      'contact_name',
    ]);
    expect(detectedChoices(['Company', 'First Name', 'Last Name', 'Full Name'])).toEqual([
      'company_name',
      null,
      null,
      'contact_name',
    ]);
  });

  it('keeps two columns for one field (the importer would refuse them) instead of throwing', () => {
    expect(detectedChoices(['Company', 'Notes', 'Comments'])).toEqual(['company_name', 'notes', 'notes']);
  });
});

describe('mappingProblems', () => {
  const headers = ['Org', 'Mail', 'Email', 'Vorname', 'Nachname', 'Kontakt'];

  it('flags two columns for one field and a missing company_name in words', () => {
    const choices: Choices = [null, 'contact_email', 'contact_email', null, null, null];
    expect(mappingProblems(headers, choices)).toEqual([
      'No column goes to company_name, which every lead needs: choose the column that holds the company.',
      'Columns "Mail" and "Email" both go to contact_email: choose one, and set the others to "don\'t import".',
    ]);
  });

  it('allows a first and a last name for contact_name, not three columns', () => {
    const two: Choices = ['company_name', 'contact_email', null, 'contact_name', 'contact_name', null];
    expect(mappingProblems(headers, two)).toEqual([]);
    expect(nameJoinNote(headers, two)).toContain('"Vorname" and "Nachname" are joined into contact_name');
    const three: Choices = ['company_name', null, null, 'contact_name', 'contact_name', 'contact_name'];
    expect(mappingProblems(headers, three)).toEqual([
      'Columns "Vorname", "Nachname" and "Kontakt" all go to contact_name (at most two: a first and a last name): choose one, and set the others to "don\'t import".',
    ]);
  });

  it('flags headers the importer cannot tell apart that are mapped differently', () => {
    expect(mappingProblems(['Company', 'Email', 'E-mail'], ['company_name', 'contact_email', null])).toEqual([
      'Columns "Email" and "E-mail" have the same name to the importer (case, spaces and punctuation aside), so they can only go to the same field.',
    ]);
  });
});

describe('mappingOption', () => {
  it('sends nothing when the choices are what the importer detects', () => {
    const headers = ['Company', 'Email', 'First Name', 'Last Name'];
    expect(mappingOption(headers, detectedChoices(headers))).toBeUndefined();
  });

  it('sends only the changed columns, and the importer then maps exactly what was chosen', () => {
    // Prepare
    const headers = ['Organisation Name', 'Mail', 'Rufnummer', 'Company', 'Region'];
    const choices: Choices = ['company_name', 'contact_email', 'contact_phone', null, null];
    // Act
    const mapping = mappingOption(headers, choices);
    // Assess
    expect(mapping).toEqual({
      'Organisation Name': 'company_name',
      Mail: 'contact_email',
      Rufnummer: 'contact_phone',
      Company: 'ignore',
    });
    expect(mapHeaders(headers, mapping).mapped).toEqual({
      'Organisation Name': 'company_name',
      Mail: 'contact_email',
      Rufnummer: 'contact_phone',
    });
  });

  it('names every contact_name column when the name changes, so the importer joins the ones shown', () => {
    const headers = ['Company', 'First Name', 'Nachname'];
    const choices: Choices = ['company_name', 'contact_name', 'contact_name'];
    const mapping = mappingOption(headers, choices);
    expect(mapping).toEqual({ 'First Name': 'contact_name', Nachname: 'contact_name' });
    const map = mapHeaders(headers, mapping);
    expect([map.firstNameIndex, map.lastNameIndex]).toEqual([1, 2]);
  });
});

describe('mappedColumns', () => {
  it("is the importer's reading of the headers with the option, or its refusal", () => {
    expect(mappedColumns(['Org', 'Mail'], { Org: 'company_name', Mail: 'contact_email' })).toEqual({
      fields: ['company_name', 'contact_email'],
      problem: null,
    });
    expect(mappedColumns(['Org', 'Mail'], undefined).problem).toContain('No company_name column found');
  });
});

describe('metadataBudget', () => {
  it("counts the options as the grant signs them, plus the import id and the longest caller, against S3's 2 KB", () => {
    const small = metadataBudget({ strict_mode: false, mapping: { Org: 'company_name' } });
    expect(small.fits).toBe(true);
    const mapping = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`Spalte mit Umlaut ä ${i}`, 'notes']));
    const large = metadataBudget({ strict_mode: false, mapping });
    expect(large.fits).toBe(false);
    expect(budgetProblem(large)).toContain(`${large.bytes} bytes of S3's 2 KB user-metadata budget (2048 bytes)`);
  });
});

describe('remembered mappings', () => {
  it('are keyed by the header set and read back only when they fit it', () => {
    const headers = ['Org', 'Mail'];
    expect(memoryKey(headers)).not.toBe(memoryKey(['Mail', 'Org']));
    expect(parseRemembered('["company_name",null]', headers)).toEqual(['company_name', null]);
    expect(parseRemembered('["company_name"]', headers)).toBeUndefined();
    expect(parseRemembered('["company",null]', headers)).toBeUndefined();
    expect(parseRemembered('not json', headers)).toBeUndefined();
    expect(parseRemembered(null, headers)).toBeUndefined();
  });
});
