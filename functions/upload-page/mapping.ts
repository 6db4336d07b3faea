/**
 * The column mapping the page lets the user choose: one lead field (or "don't import") per column,
 * prefilled by the importer's own synonym rules (#core/parse/headers), checked in words before upload,
 * and sent as the grant's `mapping` option. Pure (no DOM), so unit tests cover it.
 */
import { LEAD_COLUMNS, type LeadColumn } from '#core/contract/columns';
import { guessColumn, headerKey, mapHeaders } from '#core/parse/headers';
import { GRANT_METADATA_RESERVE, MAX_METADATA_BYTES, metadataBytes, optionsToMetadata } from '#core/contract/metadata';

/** One choice per column, in header order: a lead field, or null for "don't import". */
export type Choices = (LeadColumn | null)[];

/**
 * What the importer would do with these headers on its own: synonyms, and First Name + Last Name
 * into contact_name when no column is a name. Unlike mapHeaders it never throws: two columns for
 * one field stay two, so the page can show them and ask.
 */
export function detectedChoices(headers: readonly string[]): Choices {
  const guesses = headers.map((h) => (h.trim() === '' ? undefined : guessColumn(h)));
  const hasName = guesses.includes('contact_name');
  const firstAt = guesses.indexOf('first_name');
  const lastAt = guesses.indexOf('last_name');
  return guesses.map((guess, i) => {
    if (guess === 'first_name' || guess === 'last_name')
      return !hasName && (i === firstAt || i === lastAt) ? 'contact_name' : null;
    return guess ?? null;
  });
}

const quoted = (headers: readonly string[], at: readonly number[]) => at.map((i) => `"${headers[i] || '(no name)'}"`);
const list = (items: readonly string[]) =>
  items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/** Why the importer would refuse these choices, in words; empty when it would not. */
export function mappingProblems(headers: readonly string[], choices: Choices): string[] {
  const problems: string[] = [];
  const byField = new Map<LeadColumn, number[]>();
  choices.forEach((field, i) => {
    if (field !== null) byField.set(field, [...(byField.get(field) ?? []), i]);
  });
  // The mapping option names headers as the importer compares them (case, spaces and punctuation
  // ignored), so two headers that compare equal can only be mapped alike.
  const seen = new Map<string, number>();
  headers.forEach((header, i) => {
    const key = headerKey(header);
    const before = seen.get(key);
    if (key !== '' && before !== undefined && choices[before] !== choices[i])
      problems.push(
        `Columns ${list(quoted(headers, [before, i]))} have the same name to the importer (case, spaces and punctuation aside), so they can only go to the same field.`,
      );
    if (key !== '' && before === undefined) seen.set(key, i);
  });
  if (!byField.has('company_name'))
    problems.push('No column goes to company_name, which every lead needs: choose the column that holds the company.');
  for (const field of LEAD_COLUMNS) {
    const at = byField.get(field) ?? [];
    const allowed = field === 'contact_name' ? 2 : 1;
    if (at.length <= allowed) continue;
    const limit = field === 'contact_name' ? ' (at most two: a first and a last name)' : '';
    problems.push(
      `Columns ${list(quoted(headers, at))} ${at.length === 2 ? 'both' : 'all'} go to ${field}${limit}: choose one, and set the others to "don't import".`,
    );
  }
  return problems;
}

/** The note shown when two columns make the contact name, as the importer joins them. */
export function nameJoinNote(headers: readonly string[], choices: Choices): string | null {
  const at = choices.flatMap((field, i) => (field === 'contact_name' ? [i] : []));
  if (at.length !== 2) return null;
  const [first, last] = quoted(headers, at);
  return `${first} and ${last} are joined into contact_name as "${first!.slice(1, -1)} ${last!.slice(1, -1)}" (a space between, either may be empty).`;
}

/**
 * The `mapping` option for these choices: only what differs from what the importer detects by itself,
 * so it stays small in the 2 KB of metadata. When the contact name changes at all, every column of
 * it is named, so the importer joins exactly the columns shown. Undefined when nothing differs.
 */
export function mappingOption(headers: readonly string[], choices: Choices): Record<string, string> | undefined {
  const detected = detectedChoices(headers);
  const mapping: Record<string, string> = {};
  const changed = choices.map((field, i) => field !== detected[i] && headers[i]!.trim() !== '');
  const nameChanged = changed.some((c, i) => c && (choices[i] === 'contact_name' || detected[i] === 'contact_name'));
  choices.forEach((field, i) => {
    if (changed[i] || (nameChanged && field === 'contact_name')) mapping[headers[i]!.trim()] = field ?? 'ignore';
  });
  return Object.keys(mapping).length === 0 ? undefined : mapping;
}

export interface MappedColumns {
  /** The field each column fills, as the importer will map it with the option (null: not imported). */
  fields: (string | null)[];
  /** The importer's own refusal of the option, when it would refuse it. */
  problem: string | null;
}

/** The importer's own reading of the headers with the option: what the preview shows. */
export function mappedColumns(headers: readonly string[], mapping: Record<string, string> | undefined): MappedColumns {
  try {
    const map = mapHeaders(headers, mapping);
    return { fields: headers.map((h) => map.mapped[h.trim()] ?? null), problem: null };
  } catch (error) {
    return { fields: headers.map(() => null), problem: (error as Error).message };
  }
}

export interface Budget {
  /** Metadata bytes the grant will sign at most (options, import id, the longest caller segment). */
  bytes: number;
  fits: boolean;
}

/** The page's options as S3 metadata, with what the grant adds, against S3's 2 KB budget. */
export function metadataBudget(options: Readonly<Record<string, unknown>>): Budget {
  // The grant signs every option, defaults included: those the page does not set at their defaults.
  const signed = { encoding: 'auto', delimiter: 'auto', phone_region: 'US', ...options };
  const bytes = metadataBytes(optionsToMetadata(signed)) + GRANT_METADATA_RESERVE;
  return { bytes, fits: bytes <= MAX_METADATA_BYTES };
}

export const budgetProblem = (budget: Budget): string =>
  `The mapping is too large to send: with the other options it takes ${budget.bytes} bytes of S3's 2 KB user-metadata budget (${MAX_METADATA_BYTES} bytes). Map fewer columns by hand, or rename the file's headers to names the importer recognizes.`;

/** localStorage key of the mapping remembered for one set of headers (their order included). */
export const memoryKey = (headers: readonly string[]): string =>
  `lead-import-mapping:${JSON.stringify(headers.map((h) => h.trim()))}`;

/** Choices read back from localStorage; anything malformed or for other headers is ignored. */
export function parseRemembered(text: string | null, headers: readonly string[]): Choices | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (!Array.isArray(value) || value.length !== headers.length) return undefined;
    const fields: readonly unknown[] = LEAD_COLUMNS;
    return value.every((v) => v === null || fields.includes(v)) ? (value as Choices) : undefined;
  } catch {
    return undefined;
  }
}
