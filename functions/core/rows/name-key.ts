/**
 * The key that matches a lead without an e-mail by company and contact name (`match_on:
 * email_or_name`). Both names are normalized the same way:
 *
 * 1. Unicode NFKC (full-width letters, ligatures and compatibility forms become their plain forms),
 * 2. lower case,
 * 3. dots and apostrophes removed (`S.A.` = `SA`, `O'Brien` = `OBrien`), every other character that
 *    is not a letter or digit becomes a space, runs of whitespace become one space, edges trimmed;
 * 4. the company only: trailing legal-form words removed, repeatedly (`Acme GmbH & Co. KG` = `Acme`),
 *    as long as a word remains.
 *
 * Accents are kept (NFKC does not remove them): `Société` and `Societe` are different names.
 */

/** Legal forms dropped from the end of a company name (after step 3, so `L.L.C.` is `llc`). */
export const LEGAL_SUFFIXES: readonly string[] = [
  'inc',
  'incorporated',
  'llc',
  'llp',
  'lp',
  'ltd',
  'limited',
  'plc',
  'corp',
  'corporation',
  'co',
  'gmbh',
  'mbh',
  'ag',
  'kg',
  'ug',
  'sa',
  'sas',
  'sarl',
  'srl',
  'spa',
  'bv',
  'nv',
  'oy',
  'ab',
  'pty',
];
const SUFFIXES = new Set(LEGAL_SUFFIXES);

const DROPPED = /[.'’]/g;
const SEPARATORS = /[^\p{L}\p{N}]+/gu;

/** Steps 1-3: NFKC, lower case, punctuation and whitespace. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(DROPPED, '').replace(SEPARATORS, ' ').trim();
}

/** Steps 1-4: a company name without its legal form. */
export function normalizeCompany(company: string): string {
  const words = normalizeName(company).split(' ');
  while (words.length > 1 && SUFFIXES.has(words[words.length - 1]!)) words.pop();
  return words.join(' ');
}

/**
 * The stored match key of a lead: normalized company and contact name, joined by `|` (which neither
 * part can contain). Only leads without an e-mail and with a contact name get one: rows with neither
 * e-mail nor contact name never match, and a lead with an e-mail is matched by its e-mail.
 */
export function nameKey(company: string, contactName: string | null, email: string | null): string | null {
  if (email !== null || contactName === null) return null;
  const contact = normalizeName(contactName);
  const firm = normalizeCompany(company);
  return contact === '' || firm === '' ? null : `${firm}|${contact}`;
}
