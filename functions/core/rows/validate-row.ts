import { z } from 'zod';
import { COLUMN_MAX_CHARS, fitsChars, LEAD_COLUMNS, type LeadColumn } from '../contract/columns.ts';
import { CONTROL_CHARACTER, codePointName } from '../text/control-characters.ts';
import type { RowErrorCode } from '../contract/errors.ts';

const fitsWithin = (max: number) => (value: string) => fitsChars(value, max);

const optionalText = (column: LeadColumn) =>
  z
    .string()
    .refine(fitsWithin(COLUMN_MAX_CHARS[column]), {
      message: `longer than ${COLUMN_MAX_CHARS[column]} characters`,
      params: { code: 'TOO_LONG' },
    })
    .nullable();

/** One compiled schema for every row; cells arrive trimmed with empty cells as null. */
export const leadRowSchema = z.object({
  company_name: z.string({ error: 'is required' }).refine(fitsWithin(COLUMN_MAX_CHARS.company_name), {
    message: `longer than ${COLUMN_MAX_CHARS.company_name} characters`,
    params: { code: 'TOO_LONG' },
  }),
  industry: optionalText('industry'),
  company_website: optionalText('company_website'),
  company_size: optionalText('company_size'),
  contact_name: optionalText('contact_name'),
  contact_email: z
    .email({ error: 'not a valid e-mail address' })
    .max(COLUMN_MAX_CHARS.contact_email, { error: `longer than ${COLUMN_MAX_CHARS.contact_email} characters` })
    .nullable(),
  contact_phone: optionalText('contact_phone'),
  contact_title: optionalText('contact_title'),
  notes: optionalText('notes'),
});

export type LeadRow = z.output<typeof leadRowSchema>;

export interface CellProblem {
  column: LeadColumn;
  code: RowErrorCode;
  message: string;
}

function codeOf(issue: z.core.$ZodIssue): RowErrorCode {
  if (issue.code === 'invalid_type') return 'REQUIRED';
  if (issue.code === 'too_big') return 'TOO_LONG';
  if (issue.code === 'invalid_format') return issue.format === 'email' ? 'INVALID_EMAIL' : 'INVALID_TEXT';
  if (issue.code === 'custom') return (issue.params as { code?: RowErrorCode } | undefined)?.code ?? 'INVALID_TEXT';
  return 'INVALID_TEXT';
}

/** The e-mail pattern zod itself applies (taken from the schema, so the two cannot drift apart). */
const EMAIL_PATTERN = leadRowSchema.shape.contact_email.unwrap()._zod.def.pattern!;
const MAX = COLUMN_MAX_CHARS;
/** fitsChars for an optional cell: null, short enough in UTF-16 units, or in code points. */
const fits = (value: string | null, max: number) => value === null || fitsChars(value, max);

/**
 * The schema's answer to "is this row valid?", compiled by hand: zod's safeParse costs about a
 * microsecond and a copied object per row, this a few comparisons. It makes the same checks from the
 * same limits and the schema's own e-mail pattern; a row it refuses goes through zod, which words
 * the problems, and test/unit/validate-row checks on generated rows that the two always agree.
 */
function passes(cells: Record<LeadColumn, string | null>): boolean {
  const email = cells.contact_email;
  return (
    cells.company_name !== null &&
    fits(cells.company_name, MAX.company_name) &&
    fits(cells.industry, MAX.industry) &&
    fits(cells.company_website, MAX.company_website) &&
    fits(cells.company_size, MAX.company_size) &&
    fits(cells.contact_name, MAX.contact_name) &&
    (email === null || (email.length <= MAX.contact_email && EMAIL_PATTERN.test(email))) &&
    fits(cells.contact_phone, MAX.contact_phone) &&
    fits(cells.contact_title, MAX.contact_title) &&
    fits(cells.notes, MAX.notes)
  );
}

/** Returns the validated row (the cells themselves) or the list of problems, never throws. */
export function validateRow(
  cells: Record<LeadColumn, string | null>,
): { ok: true; row: LeadRow } | { ok: false; problems: CellProblem[] } {
  if (passes(cells)) return { ok: true, row: cells as LeadRow };
  const result = leadRowSchema.safeParse(cells);
  if (result.success) return { ok: true, row: result.data };
  const problems = result.error.issues.map((issue) => {
    const column = (issue.path[0] as LeadColumn | undefined) ?? LEAD_COLUMNS[0];
    return { column, code: codeOf(issue), message: issue.message };
  });
  return { ok: false, problems };
}

/**
 * Cells holding a control character (control-characters.ts), one problem per column. Only needed
 * for records the tokenizer did not find plain, so clean files pay nothing for it.
 */
export function controlCharacterProblems(cells: Record<LeadColumn, string | null>): CellProblem[] | undefined {
  let problems: CellProblem[] | undefined;
  for (const column of LEAD_COLUMNS) {
    const found = cells[column] === null ? null : CONTROL_CHARACTER.exec(cells[column]);
    if (found) {
      (problems ??= []).push({
        column,
        code: 'CONTROL_CHARACTER',
        message: `contains the control character ${codePointName(found[0])}; remove it`,
      });
    }
  }
  return problems;
}
