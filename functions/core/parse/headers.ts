import { LEAD_COLUMNS, isLeadColumn, type LeadColumn } from '../contract/columns.ts';
import { COLUMN_LIST_LIMIT, echo } from '../contract/echo.ts';
import { FileError } from '../contract/errors.ts';

/** Header matching ignores case, spaces and punctuation: "E-mail Address" -> "emailaddress". */
export const headerKey = (header: string): string => header.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/**
 * Synonyms per canonical column, as exported by Excel, HubSpot, Salesforce and older CRMs.
 * Documented in the README; keys are compared after headerKey().
 */
export const HEADER_SYNONYMS: Record<LeadColumn, readonly string[]> = {
  company_name: [
    'company_name',
    'company',
    'company name',
    'organization',
    'organisation',
    'account name',
    'account',
    'business name',
    'employer',
    'firma',
    'unternehmen',
    'société',
    'entreprise',
    'empresa',
  ],
  industry: ['industry', 'sector', 'vertical', 'branche', 'secteur', 'industria'],
  company_website: [
    'company_website',
    'website',
    'web site',
    'website url',
    'url',
    'domain',
    'company domain name',
    'homepage',
    'webseite',
    'site web',
  ],
  company_size: [
    'company_size',
    'company size',
    'employees',
    'number of employees',
    'no. of employees',
    'headcount',
    'size',
    'mitarbeiter',
    'effectif',
  ],
  contact_name: ['contact_name', 'contact', 'contact name', 'full name', 'name', 'lead name', 'ansprechpartner', 'nom'],
  contact_email: [
    'contact_email',
    'email',
    'e-mail',
    'email address',
    'e-mail address',
    'work email',
    'contact email',
    'e-mail-adresse',
    'courriel',
  ],
  contact_phone: [
    'contact_phone',
    'phone',
    'phone number',
    'mobile',
    'mobile phone',
    'telephone',
    'contact phone',
    'work phone',
    'telefon',
    'téléphone',
    'teléfono',
  ],
  contact_title: [
    'contact_title',
    'title',
    'job title',
    'position',
    'role',
    'contact title',
    'funktion',
    'fonction',
    'cargo',
  ],
  notes: ['notes', 'note', 'comments', 'comment', 'description', 'notizen', 'bemerkungen', 'remarques'],
};
const FIRST_NAME_KEYS = new Set(['firstname', 'givenname', 'first']);
const LAST_NAME_KEYS = new Set(['lastname', 'surname', 'familyname', 'last']);

const SYNONYM_INDEX = new Map<string, LeadColumn>();
for (const column of LEAD_COLUMNS) {
  for (const synonym of HEADER_SYNONYMS[column]) SYNONYM_INDEX.set(headerKey(synonym), column);
}

/**
 * What the synonym rules alone make of one header: a lead column, a part of the contact name
 * (joined into contact_name when the file has no name column), or undefined. The upload page
 * prefills its column choices with it; mapHeaders applies the same rules to the whole header.
 */
export function guessColumn(header: string): LeadColumn | 'first_name' | 'last_name' | undefined {
  const key = headerKey(header);
  if (FIRST_NAME_KEYS.has(key)) return 'first_name';
  if (LAST_NAME_KEYS.has(key)) return 'last_name';
  return SYNONYM_INDEX.get(key);
}

export interface HeaderMap {
  /** For each LEAD_COLUMNS entry, the index of its cell in a record, or -1. */
  readonly columnIndex: Int32Array;
  /** When there is no contact_name column: first and last name cells joined into it. */
  readonly firstNameIndex: number;
  readonly lastNameIndex: number;
  readonly headers: readonly string[];
  /** header -> column, for the result JSON */
  readonly mapped: Record<string, string>;
  readonly unknown: readonly string[];
}

export function mapHeaders(headers: readonly string[], explicit: Record<string, string> = {}): HeaderMap {
  const explicitByKey = new Map(Object.entries(explicit).map(([h, c]) => [headerKey(h), c]));
  // A column the user mapped explicitly is not also guessed from a synonym elsewhere in the header.
  const explicitTargets = new Set(explicitByKey.values());
  const columnIndex = new Int32Array(LEAD_COLUMNS.length).fill(-1);
  const claimedBy = new Map<LeadColumn, string>();
  const mapped: Record<string, string> = {};
  const unknown: string[] = [];
  let firstNameIndex = -1;
  let lastNameIndex = -1;
  /** Headers the mapping sends to contact_name: two are a first and a last name, joined. */
  const explicitNames: number[] = [];

  headers.forEach((raw, index) => {
    const header = raw.trim();
    const key = headerKey(header);
    const guessed = SYNONYM_INDEX.get(key);
    const target = explicitByKey.get(key) ?? (guessed && explicitTargets.has(guessed) ? undefined : guessed);
    if (target === 'ignore') return;
    if (target === undefined || !isLeadColumn(target)) {
      if (!explicitByKey.has(key) && FIRST_NAME_KEYS.has(key) && firstNameIndex === -1) firstNameIndex = index;
      else if (!explicitByKey.has(key) && LAST_NAME_KEYS.has(key) && lastNameIndex === -1) lastNameIndex = index;
      else if (header !== '') unknown.push(header);
      if (firstNameIndex === index || lastNameIndex === index) mapped[header] = 'contact_name';
      return;
    }
    if (target === 'contact_name' && explicitByKey.has(key)) {
      explicitNames.push(index);
      if (explicitNames.length === 2) {
        mapped[header] = target;
        return;
      }
    }
    const previous = claimedBy.get(target);
    if (previous !== undefined) {
      throw new FileError(
        'DUPLICATE_COLUMN',
        `Columns "${echo(previous)}" and "${echo(header)}" both map to ${target}; remove one or set the mapping option.`,
        { column: target, detail: { headers: [echo(previous), echo(header)] } },
      );
    }
    claimedBy.set(target, header);
    columnIndex[LEAD_COLUMNS.indexOf(target)] = index;
    mapped[header] = target;
  });

  if (columnIndex[0] === -1) {
    // A header row can be a million characters: name a bounded number of headers, each cut.
    const named = headers.slice(0, COLUMN_LIST_LIMIT).map(echo);
    const more = headers.length > COLUMN_LIST_LIMIT ? `, and ${headers.length - COLUMN_LIST_LIMIT} more` : '';
    throw new FileError(
      'MISSING_COMPANY_COLUMN',
      `No company_name column found (headers: ${named.map((h) => `"${h}"`).join(', ') || 'none'}${more}). ` +
        'Name one column company_name (or Company, Account Name, Organization), or set the mapping option.',
      { column: 'company_name', detail: { headers: named } },
    );
  }
  if (explicitNames.length === 2) {
    // Mapped by hand, as the importer joins First Name and Last Name: "first last", in header order.
    for (const index of [firstNameIndex, lastNameIndex]) {
      if (index !== -1) {
        const header = headers[index]!.trim();
        delete mapped[header];
        unknown.push(header);
      }
    }
    columnIndex[LEAD_COLUMNS.indexOf('contact_name')] = -1;
    [firstNameIndex, lastNameIndex] = explicitNames as [number, number];
  }
  const hasContactName = columnIndex[LEAD_COLUMNS.indexOf('contact_name')] !== -1;
  if (hasContactName) {
    for (const index of [firstNameIndex, lastNameIndex]) {
      if (index !== -1) {
        const header = headers[index]!.trim();
        delete mapped[header];
        unknown.push(header);
      }
    }
  }
  return {
    columnIndex,
    firstNameIndex: hasContactName ? -1 : firstNameIndex,
    lastNameIndex: hasContactName ? -1 : lastNameIndex,
    headers,
    mapped,
    unknown,
  };
}
