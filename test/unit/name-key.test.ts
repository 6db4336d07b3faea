import { describe, expect, it } from 'vitest';
import { nameKey, normalizeCompany, normalizeName } from '#core/rows/name-key';

describe('normalizeName', () => {
  it.each([
    ['  Jane   DOE ', 'jane doe'],
    ['Ｊａｎｅ　Ｄｏｅ', 'jane doe'], // full-width letters and space (NFKC)
    ["O'Brien-Smith, Mary", 'obrien smith mary'],
    ['Mary\tO’Brien', 'mary obrien'],
    ['J. R. R. Tolkien', 'j r r tolkien'],
    ['Zoë Ångström', 'zoë ångström'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });
});

describe('normalizeCompany', () => {
  it.each([
    ['Acme Inc.', 'acme'],
    ['ACME, INC', 'acme'],
    ['Acme Incorporated', 'acme'],
    ['Acme L.L.C.', 'acme'],
    ['Acme Ltd', 'acme'],
    ['Acme Co., Ltd.', 'acme'],
    ['Müller GmbH', 'müller'],
    ['Müller GmbH & Co. KG', 'müller'],
    ['Banque S.A.', 'banque'],
    ['Dupont SARL', 'dupont'],
    ['Vos B.V.', 'vos'],
    ['Siemens AG', 'siemens'],
    ['Ａｃｍｅ　Ｉｎｃ', 'acme'],
  ])('%j -> %j (legal form dropped)', (input, expected) => {
    expect(normalizeCompany(input)).toBe(expected);
  });

  it('keeps a legal-form word that is the whole name or not at the end', () => {
    expect(normalizeCompany('AG')).toBe('ag');
    expect(normalizeCompany('Inc Magazine Group')).toBe('inc magazine group');
    expect(normalizeCompany('Co-operative Bank')).toBe('co operative bank');
  });
});

describe('nameKey', () => {
  it('joins normalized company and contact for a lead without e-mail', () => {
    expect(nameKey('Acme, Inc.', ' Jane  Doe ', null)).toBe('acme|jane doe');
    expect(nameKey('ACME LLC', 'jane doe', null)).toBe(nameKey('Acme Inc', 'Jane Doe', null));
  });

  it('tells different contacts at one company apart', () => {
    expect(nameKey('Acme Inc', 'Jane Doe', null)).not.toBe(nameKey('Acme Inc', 'John Doe', null));
  });

  it('gives no key to a lead with an e-mail or without a contact name', () => {
    expect(nameKey('Acme Inc', 'Jane Doe', 'jane@acme.com')).toBeNull();
    expect(nameKey('Acme Inc', null, null)).toBeNull();
    expect(nameKey('Acme Inc', ' -- ', null)).toBeNull();
  });
});
