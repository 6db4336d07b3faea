import { z } from 'zod';
import { COLUMN_MAX_CHARS, LEAD_COLUMNS, type LeadColumn } from './columns.ts';
import { CONTROL_CHARACTER, codePointName } from './control-characters.ts';
import type { RowErrorCode } from './errors.ts';

/** PostgreSQL varchar(n) counts characters; JS length counts UTF-16 units, so count code points when close. */
const fitsChars = (max: number) => (value: string) => value.length <= max || [...value].length <= max;

const optionalText = (column: LeadColumn) =>
  z
    .string()
    .refine(fitsChars(COLUMN_MAX_CHARS[column]), {
      message: `longer than ${COLUMN_MAX_CHARS[column]} characters`,
      params: { code: 'TOO_LONG' },
    })
    .nullable();

/** One compiled schema for every row; cells arrive trimmed with empty cells as null. */
export const leadRowSchema = z.object({
  company_name: z.string({ error: 'is required' }).refine(fitsChars(COLUMN_MAX_CHARS.company_name), {
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

/** Returns the validated row or the list of problems, never throws. */
export function validateRow(
  cells: Record<LeadColumn, string | null>,
): { ok: true; row: LeadRow } | { ok: false; problems: CellProblem[] } {
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
