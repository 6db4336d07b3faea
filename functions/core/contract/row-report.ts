import type { RowErrorCode } from './errors.ts';

export interface RowErrorDetail {
  /** Spreadsheet row number: the header is row 1. */
  row: number;
  column: string | null;
  value: string | null;
  code: RowErrorCode;
  message: string;
}

/** `contact_email: not a valid e-mail address` (the rejected-rows file's `error` cell). */
export const describeProblem = (e: Pick<RowErrorDetail, 'column' | 'message'>): string =>
  e.column ? `${e.column}: ${e.message}` : e.message;

/** `Row 31: contact_email: not a valid e-mail address` (the result's `errors`). */
export const formatRowError = (e: Pick<RowErrorDetail, 'row' | 'column' | 'message'>): string =>
  `Row ${e.row}: ${describeProblem(e)}`;

/** Keeps the first `limit` errors for the result JSON and counts the rest. */
export class RowErrorLog {
  readonly details: RowErrorDetail[] = [];
  truncated = false;
  constructor(private readonly limit: number) {}
  add(detail: RowErrorDetail): void {
    if (this.details.length < this.limit) this.details.push(detail);
    else this.truncated = true;
  }
}

/**
 * Cells a spreadsheet could run as a formula get a leading apostrophe, as OWASP advises
 * (https://owasp.org/www-community/attacks/CSV_Injection): cells starting with `=`, `+`, `-`, `@`,
 * tab or CR. Spreadsheets skip leading whitespace and line breaks before a formula, so a cell whose
 * first non-whitespace character is one of `= + - @` (`" =1+1"`, `"\n=1+1"`) is guarded too.
 */
const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@])/;
const NEEDS_QUOTES = /[",\r\n]/;
export const neutralizeCell = (value: string): string => (FORMULA_START.test(value) ? `'${value}` : value);
const quoteCell = (value: string): string => (NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
export const csvLine = (cells: readonly string[]): string =>
  cells.map((c) => quoteCell(neutralizeCell(c))).join(',') + '\r\n';

/**
 * The rejected-rows file is capped so that /tmp (or the disk under the CLI) cannot fill: at most
 * REJECTED_REPORT_RATIO bytes per byte of the upload read so far plus REJECTED_REPORT_SLACK_BYTES,
 * and never more than REJECTED_REPORT_MAX_BYTES. The import function's ephemeral storage is sized
 * from the absolute cap (infra).
 */
export const REJECTED_REPORT_RATIO = 2;
export const REJECTED_REPORT_SLACK_BYTES = 1024 * 1024;
export const REJECTED_REPORT_MAX_BYTES = 512 * 1024 * 1024;

export const rejectedReportCap = (bytesRead: number, maxBytes = REJECTED_REPORT_MAX_BYTES): number =>
  Math.min(maxBytes, REJECTED_REPORT_RATIO * bytesRead + REJECTED_REPORT_SLACK_BYTES);

/** UTF-8 BOM so Excel opens the rejected-rows file with the right encoding. */
export const REJECTED_FILE_BOM = '\uFEFF';

export const rejectedHeaderLine = (headers: readonly string[]): string =>
  REJECTED_FILE_BOM + csvLine(['row', 'error', ...headers]);
export const rejectedRowLine = (row: number, error: string, cells: readonly string[]): string =>
  csvLine([String(row), error, ...cells]);
