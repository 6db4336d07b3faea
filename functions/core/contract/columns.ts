/** The canonical lead columns, in COPY order. Kept from the original service. */
export const LEAD_COLUMNS = [
  'company_name',
  'industry',
  'company_website',
  'company_size',
  'contact_name',
  'contact_email',
  'contact_phone',
  'contact_title',
  'notes',
] as const;
export type LeadColumn = (typeof LEAD_COLUMNS)[number];

/** Character limits (PostgreSQL counts characters, not bytes). */
export const COLUMN_MAX_CHARS: Record<LeadColumn, number> = {
  company_name: 255,
  industry: 255,
  company_website: 2048,
  company_size: 255,
  contact_name: 255,
  contact_email: 254,
  contact_phone: 255,
  contact_title: 255,
  notes: 10_000,
};

/**
 * Normalized values stored beside what the user wrote (COPY, the update policy and revert use them).
 * `name_key` matches leads without an e-mail by company and contact name (#core/rows/name-key).
 */
export const NORMALIZED_COLUMNS = ['website_normalized', 'phone_e164', 'name_key'] as const;
export type NormalizedColumn = (typeof NORMALIZED_COLUMNS)[number];

/** Their column sizes (functions/db/001_schema.ts): a derived value that would not fit is left NULL. */
export const NORMALIZED_MAX_CHARS: Record<NormalizedColumn, number> = {
  website_normalized: 2048,
  phone_e164: 16,
  // text: any length fits.
  name_key: Number.MAX_SAFE_INTEGER,
};

/** PostgreSQL varchar(n) counts characters; JS length counts UTF-16 units, so count code points when close. */
export const fitsChars = (value: string, max: number): boolean => value.length <= max || [...value].length <= max;

/** Import ids are UUIDs (the presign grant chooses them, the importer checks them). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

export const isLeadColumn = (value: string): value is LeadColumn => (LEAD_COLUMNS as readonly string[]).includes(value);
