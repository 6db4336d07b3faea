import { LEAD_COLUMNS, type LeadColumn } from './columns.ts';
import { copyField } from './copy-text.ts';
import type { RowErrorCode } from './errors.ts';
import type { HeaderMap } from './headers.ts';
import { emailKey, normalizePhone, normalizeWebsite } from './normalize.ts';
import { validateRow } from './validate-row.ts';

export interface RowProblem {
  column: LeadColumn | null;
  code: RowErrorCode;
  message: string;
  value: string | null;
}

export interface RowNote {
  column: LeadColumn;
  message: string;
  value: string;
}

export type RowOutcome =
  | { kind: 'lead'; line: string; notes: RowNote[] | undefined }
  | { kind: 'blank' }
  | { kind: 'invalid'; problems: RowProblem[] };

const COLUMN_COUNT = LEAD_COLUMNS.length;
const EMAIL = LEAD_COLUMNS.indexOf('contact_email');
const NAME = LEAD_COLUMNS.indexOf('contact_name');

/**
 * Turns one parsed record into one COPY text line, or the reasons it cannot be a lead.
 * Built once per file from the header map; nothing per row is compiled or allocated beyond the cells.
 */
export class RowProcessor {
  readonly #map: HeaderMap;
  readonly #suffix: string;
  readonly #phoneRegion: string;
  readonly #headerLength: number;

  constructor(map: HeaderMap, importId: string, phoneRegion: string) {
    this.#map = map;
    this.#suffix = `\t${importId}\t`;
    this.#phoneRegion = phoneRegion;
    this.#headerLength = map.headers.length;
  }

  process(record: readonly string[], row: number): RowOutcome {
    const cells = {} as Record<LeadColumn, string | null>;
    let empty = true;
    for (let i = 0; i < record.length; i++) if (record[i]!.trim() !== '') { empty = false; break; }
    if (empty) return { kind: 'blank' };

    if (record.length !== this.#headerLength && !this.#onlyEmptyExtras(record)) {
      return {
        kind: 'invalid',
        problems: [{
          column: null,
          code: 'FIELD_COUNT_MISMATCH',
          message: `has ${record.length} fields but the header has ${this.#headerLength}; check for an unquoted delimiter or a missing quote`,
          value: null,
        }],
      };
    }

    const index = this.#map.columnIndex;
    for (let c = 0; c < COLUMN_COUNT; c++) {
      const at = index[c]!;
      const raw = at >= 0 ? record[at] : undefined;
      const value = raw === undefined ? '' : raw.trim();
      cells[LEAD_COLUMNS[c]!] = value === '' ? null : value;
    }
    if (index[NAME] === -1 && (this.#map.firstNameIndex !== -1 || this.#map.lastNameIndex !== -1)) {
      const joined = [record[this.#map.firstNameIndex]?.trim(), record[this.#map.lastNameIndex]?.trim()].filter(Boolean).join(' ');
      cells.contact_name = joined === '' ? null : joined;
    }

    const checked = validateRow(cells);
    if (!checked.ok) {
      return {
        kind: 'invalid',
        problems: checked.problems.map((p) => ({ ...p, value: cells[p.column] })),
      };
    }
    const lead = checked.row;
    let notes: RowNote[] | undefined;
    let website: string | undefined;
    if (lead.company_website !== null) {
      website = normalizeWebsite(lead.company_website);
      if (website === undefined) (notes ??= []).push({ column: 'company_website', message: 'not a usable URL; kept as written', value: lead.company_website });
    }
    let phone: string | undefined;
    if (lead.contact_phone !== null) {
      phone = normalizePhone(lead.contact_phone, this.#phoneRegion);
      if (phone === undefined) (notes ??= []).push({ column: 'contact_phone', message: `not a valid ${this.#phoneRegion} phone number; kept as written`, value: lead.contact_phone });
    }

    let line = copyField(lead.company_name);
    for (let c = 1; c < COLUMN_COUNT; c++) line += '\t' + copyField(lead[LEAD_COLUMNS[c]!]);
    const email = lead[LEAD_COLUMNS[EMAIL]!];
    line += this.#suffix + row + '\t' + (email === null ? '\\N' : copyField(emailKey(email))) + '\t' + copyField(website) + '\t' + copyField(phone) + '\n';
    return { kind: 'lead', line, notes };
  }

  #onlyEmptyExtras(record: readonly string[]): boolean {
    if (record.length < this.#headerLength) return false;
    for (let i = this.#headerLength; i < record.length; i++) if (record[i]!.trim() !== '') return false;
    return true;
  }
}

/** Column order of the COPY lines RowProcessor builds. */
export const COPY_COLUMNS = [...LEAD_COLUMNS, 'import_id', 'source_row', 'email_normalized', 'website_normalized', 'phone_e164'] as const;
