import { NORMALIZED_MAX_CHARS, fitsChars, type LeadColumn } from '../contract/columns.ts';
import type { CopyValues } from '../copy/copy-binary.ts';
import type { HeaderMap } from '../parse/headers.ts';
import { nameKey } from './name-key.ts';
import { normalizePhone, normalizeWebsite } from './normalize.ts';
import type { RowProblem, RuleCheck } from './row-check.ts';
import { controlCharacterProblems, validateRow } from './validate-row.ts';

export interface RowNote {
  column: LeadColumn;
  message: string;
  value: string;
}

export type RowOutcome =
  | { kind: 'lead'; values: CopyValues; email: string | null; nameKey: string | null; notes: RowNote[] | undefined }
  | { kind: 'blank' }
  | { kind: 'invalid'; problems: RowProblem[] };

const TOO_LONG_NORMALIZED = 'its normalized form is too long to store; kept as written, not normalized';

/** Printable ASCII other than space: an edge that cannot be whitespace of any kind. */
const solid = (code: number) => code > 32 && code < 127;

/** The trimmed cell, null when absent or empty; calls trim() only when an edge might be whitespace. */
function cell(record: readonly string[], at: number): string | null {
  if (at < 0) return null;
  const raw = record[at];
  if (raw === undefined || raw.length === 0) return null;
  if (solid(raw.charCodeAt(0)) && solid(raw.charCodeAt(raw.length - 1))) return raw;
  const trimmed = raw.trim();
  return trimmed.length === 0 ? null : trimmed;
}

/** true when every cell from `from` on is empty or whitespace. */
function blankFrom(record: readonly string[], from: number): boolean {
  for (let i = from; i < record.length; i++) if (record[i]!.trim() !== '') return false;
  return true;
}

/**
 * Turns one parsed record into a lead's COPY values, or the reasons it cannot be a lead.
 * Built once per file from the header map; nothing per row is compiled or allocated beyond the cells.
 */
export class RowProcessor {
  readonly #map: HeaderMap;
  readonly #phoneRegion: string;
  readonly #headerLength: number;
  readonly #rules: RuleCheck | undefined;

  constructor(map: HeaderMap, phoneRegion: string, rules?: RuleCheck) {
    this.#rules = rules;
    this.#map = map;
    this.#phoneRegion = phoneRegion;
    this.#headerLength = map.headers.length;
  }

  /** `plain`: the tokenizer found no control character (nor tab, line break or backslash) in the record. */
  process(record: readonly string[], plain = false): RowOutcome {
    const index = this.#map.columnIndex;
    // An object literal keeps one hidden class for every row (computed keys would not).
    const cells: Record<LeadColumn, string | null> = {
      company_name: cell(record, index[0]!),
      industry: cell(record, index[1]!),
      company_website: cell(record, index[2]!),
      company_size: cell(record, index[3]!),
      contact_name: cell(record, index[4]!),
      contact_email: cell(record, index[5]!),
      contact_phone: cell(record, index[6]!),
      contact_title: cell(record, index[7]!),
      notes: cell(record, index[8]!),
    };
    if (cells.company_name === null && blankFrom(record, 0)) return { kind: 'blank' };

    if (record.length !== this.#headerLength && !this.#onlyEmptyExtras(record)) {
      return {
        kind: 'invalid',
        problems: [
          {
            column: null,
            code: 'FIELD_COUNT_MISMATCH',
            message: `has ${record.length} fields but the header has ${this.#headerLength}; check for an unquoted delimiter or a missing quote`,
            value: null,
          },
        ],
      };
    }
    if (cells.contact_name === null && (this.#map.firstNameIndex !== -1 || this.#map.lastNameIndex !== -1)) {
      const first = cell(record, this.#map.firstNameIndex);
      const last = cell(record, this.#map.lastNameIndex);
      cells.contact_name = first && last ? `${first} ${last}` : (first ?? last);
    }

    // A rule set's rules run first: an allowed value takes the list's spelling before validation.
    const broken = this.#rules?.(cells);
    const checked = validateRow(cells);
    // Only a record the tokenizer did not find plain can hold a control character.
    const controls = plain ? undefined : controlCharacterProblems(cells);
    if (!checked.ok || controls || broken) {
      const builtIn: RowProblem[] = [...(controls ?? []), ...(checked.ok ? [] : checked.problems)].map((p) => ({
        ...p,
        value: cells[p.column],
      }));
      return { kind: 'invalid', problems: broken ? builtIn.concat(broken) : builtIn };
    }
    const lead = checked.row;
    let notes: RowNote[] | undefined;
    let website: string | undefined;
    if (lead.company_website !== null) {
      website = normalizeWebsite(lead.company_website);
      if (website === undefined)
        (notes ??= []).push({
          column: 'company_website',
          message: 'not a usable URL; kept as written',
          value: lead.company_website,
        });
      else if (!fitsChars(website, NORMALIZED_MAX_CHARS.website_normalized)) {
        // A scheme and percent-encoding can push a written website that fits past its column.
        website = undefined;
        (notes ??= []).push({ column: 'company_website', message: TOO_LONG_NORMALIZED, value: lead.company_website });
      }
    }
    let phone: string | undefined;
    if (lead.contact_phone !== null) {
      const parsed = this.#rules?.phone; // the phone rule parsed this number already
      phone = parsed ? parsed(lead.contact_phone) : normalizePhone(lead.contact_phone, this.#phoneRegion);
      if (phone === undefined)
        (notes ??= []).push({
          column: 'contact_phone',
          message: `not a valid ${this.#phoneRegion} phone number; kept as written`,
          value: lead.contact_phone,
        });
      else if (!fitsChars(phone, NORMALIZED_MAX_CHARS.phone_e164)) {
        phone = undefined;
        (notes ??= []).push({ column: 'contact_phone', message: TOO_LONG_NORMALIZED, value: lead.contact_phone });
      }
    }

    const key = nameKey(lead.company_name, lead.contact_name, lead.contact_email);
    // An array literal with named reads (not a loop over column names, whose keyed reads V8 cannot specialize).
    const values: CopyValues = [
      lead.company_name,
      lead.industry,
      lead.company_website,
      lead.company_size,
      lead.contact_name,
      lead.contact_email,
      lead.contact_phone,
      lead.contact_title,
      lead.notes,
      website ?? null,
      phone ?? null,
      key,
    ];
    return { kind: 'lead', values, email: lead.contact_email, nameKey: key, notes };
  }

  #onlyEmptyExtras(record: readonly string[]): boolean {
    return record.length >= this.#headerLength && blankFrom(record, this.#headerLength);
  }
}
