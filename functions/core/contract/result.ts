import type { ImportErrorCode } from './errors.ts';
import type { Delimiter, DetectedEncoding, ImportOptions } from './options.ts';
import type { RuleSetRef } from './rule-set.ts';
import type { RowErrorDetail } from './row-report.ts';
import { formatRowError } from './row-report.ts';
import { echo } from './echo.ts';
import type { GiveUpDetails } from './failed-event.ts';

export interface DetectedColumns {
  /** header -> column (headers cut to ECHO_MAX_CHARS) */
  mapped: Record<string, string>;
  /** headers that map to no column: at most COLUMN_LIST_LIMIT, each cut to ECHO_MAX_CHARS */
  unknown: string[];
  unknown_truncated: boolean;
}

export interface EngineSummary {
  encoding: DetectedEncoding;
  delimiter: Delimiter;
  columns: DetectedColumns;
  total_leads: number;
  valid_count: number;
  failed_count: number;
  blank_rows: number;
  error_details: RowErrorDetail[];
  errors_truncated: boolean;
  notes: string[];
  notes_truncated: boolean;
  /** The rejected-rows file reached its cap (rejectedReportCap) and the rows after it were left out. */
  error_report_truncated: boolean;
  /** true when no valid row repeats another's e-mail (case-insensitive); undefined when unknown. */
  no_repeated_emails?: boolean | undefined;
  /** Valid rows without an e-mail that have a name key (#core/rows/name-key). */
  name_keys?: number;
  /** true when no valid row repeats another's name key; undefined when unknown. */
  no_repeated_names?: boolean | undefined;
}

export type ImportStatus = 'processing' | 'succeeded' | 'rejected' | 'failed';

export interface SourceRef {
  bucket: string;
  key: string;
  version_id: string | null;
  etag: string | null;
  size: number | null;
}

export interface DuplicateRow {
  row: number;
  /** The row's e-mail; null when it matched by name. */
  email: string | null;
  /** Which key matched: the e-mail, or company and contact name of a row without e-mail (`match_on: email_or_name`). */
  matched_on: 'email' | 'name';
  /** The row earlier in the same file, when the duplicate is inside the file. */
  duplicate_of_row: number | null;
  /** The lead already in the table, when the duplicate is of an earlier import. */
  duplicate_of_lead_id: number | null;
  action: 'skipped' | 'updated';
}

export interface DuplicateOutcome {
  duplicate_count: number;
  updated_count: number;
  duplicates: DuplicateRow[];
  duplicates_truncated: boolean;
}

/** The result JSON written next to the file; field names follow the original LeadImportResponse. */
export interface ImportResult {
  import_id: string;
  status: ImportStatus;
  /** true for `dry_run`: the import ran to the end, duplicate checks included, and its leads were rolled back. */
  dry_run: boolean;
  message: string;
  error_code: ImportErrorCode | null;
  filename: string;
  source: SourceRef;
  options: ImportOptions;
  /** The rule set applied on top of the built-in rules (name and version), or null. */
  rule_set: RuleSetRef | null;
  detected: { encoding: string | null; delimiter: string | null; columns: EngineSummary['columns'] | null };
  total_leads: number;
  imported_count: number;
  updated_count: number;
  duplicate_count: number;
  failed_count: number;
  blank_rows: number;
  duration_ms: number;
  leads_per_second: number;
  errors: string[];
  error_details: RowErrorDetail[];
  errors_truncated: boolean;
  error_report_key: string | null;
  /** The rejected-rows file reached its size cap; rows after that point are not in it. */
  error_report_truncated: boolean;
  duplicates: DuplicateRow[];
  duplicates_truncated: boolean;
  notes: string[];
  notes_truncated: boolean;
  started_at: string;
  finished_at: string | null;
  /** Where the time went (copy = read, parse, validate and COPY overlapped; duplicates; commit). */
  timings_ms: Record<string, number>;
  /** Only on a RETRIES_EXHAUSTED result: why Lambda gave up and the last attempt's error. */
  details?: GiveUpDetails;
}

export interface ResultInput {
  importId: string;
  status: ImportStatus;
  filename: string;
  source: SourceRef;
  options: ImportOptions;
  ruleSet?: RuleSetRef | null | undefined;
  startedAt: Date;
  finishedAt: Date | null;
  summary?: Partial<EngineSummary>;
  duplicates?: DuplicateOutcome;
  importedCount?: number;
  errorCode?: ImportErrorCode;
  message?: string;
  errorReportKey?: string | null;
  timings?: Record<string, number>;
  details?: GiveUpDetails;
}

/** `1 lead`, `2 leads`: counts in messages. */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function buildResult(input: ResultInput): ImportResult {
  const summary = input.summary ?? {};
  const total = summary.total_leads ?? 0;
  const failed = summary.failed_count ?? 0;
  const imported = input.status === 'succeeded' ? (input.importedCount ?? 0) : 0;
  const duplicates = input.status === 'succeeded' ? input.duplicates : undefined;
  const end = input.finishedAt ?? new Date();
  const durationMs = Math.max(0, end.getTime() - input.startedAt.getTime());
  const details = summary.error_details ?? [];
  return fitResult({
    import_id: input.importId,
    status: input.status,
    dry_run: input.options.dry_run,
    message: echoMessage(
      input.message ??
        describe(input.status, input.filename, total, imported, failed, duplicates, input.options.dry_run),
    ),
    error_code: input.errorCode ?? null,
    filename: input.filename,
    source: input.source,
    options: input.options,
    rule_set: input.ruleSet ?? null,
    detected: {
      encoding: summary.encoding ?? null,
      delimiter: summary.delimiter ?? null,
      columns: summary.columns ?? null,
    },
    total_leads: total,
    imported_count: imported,
    updated_count: duplicates?.updated_count ?? 0,
    duplicate_count: duplicates?.duplicate_count ?? 0,
    failed_count: failed,
    blank_rows: summary.blank_rows ?? 0,
    duration_ms: durationMs,
    leads_per_second: durationMs > 0 ? Math.round((total * 1000) / durationMs) : total,
    errors: details.map(formatRowError),
    error_details: details,
    errors_truncated: summary.errors_truncated ?? false,
    error_report_key: input.errorReportKey ?? null,
    error_report_truncated: summary.error_report_truncated ?? false,
    duplicates: duplicates?.duplicates ?? [],
    duplicates_truncated: duplicates?.duplicates_truncated ?? false,
    notes: summary.notes ?? [],
    notes_truncated: summary.notes_truncated ?? false,
    started_at: input.startedAt.toISOString(),
    finished_at: input.finishedAt?.toISOString() ?? null,
    timings_ms: { ...input.timings },
    ...(input.details ? { details: input.details } : {}),
  });
}

/** Longest `message`: messages quote bounded pieces of the file, this is the backstop. */
const MESSAGE_MAX_CHARS = 2_000;
const echoMessage = (message: string) => (message.length <= MESSAGE_MAX_CHARS ? message : echo(message));

/** The result JSON (as written, indented) stays under 1 MiB whatever the file and the configuration. */
export const RESULT_MAX_BYTES = 1024 * 1024;
/** What fitResult aims for, leaving room below RESULT_MAX_BYTES. */
const RESULT_BUDGET_BYTES = 768 * 1024;

export const resultBytes = (result: ImportResult): number => Buffer.byteLength(JSON.stringify(result, null, 2));

/**
 * Cells are cut and lists capped where they are gathered; this backstop halves the lists (and says
 * they were truncated) until the whole result fits, for any ERROR_LIST_LIMIT.
 */
export function fitResult(result: ImportResult): ImportResult {
  while (resultBytes(result) > RESULT_BUDGET_BYTES) {
    const longest = Math.max(result.error_details.length, result.duplicates.length, result.notes.length);
    if (longest === 0) break;
    const keep = Math.floor(longest / 2);
    if (result.error_details.length > keep) {
      result.error_details = result.error_details.slice(0, keep);
      result.errors = result.errors.slice(0, keep);
      result.errors_truncated = true;
    }
    if (result.duplicates.length > keep) {
      result.duplicates = result.duplicates.slice(0, keep);
      result.duplicates_truncated = true;
    }
    if (result.notes.length > keep) {
      result.notes = result.notes.slice(0, keep);
      result.notes_truncated = true;
    }
  }
  return result;
}

function describe(
  status: ImportStatus,
  filename: string,
  total: number,
  imported: number,
  failed: number,
  duplicates?: DuplicateOutcome,
  dryRun = false,
): string {
  if (status === 'processing')
    return `${dryRun ? 'Checking' : 'Importing'} ${filename}: ${plural(total, 'row')} read so far.`;
  if (status !== 'succeeded') return `${filename} was not imported${dryRun ? ' (dry run)' : ''}.`;
  const parts = [
    dryRun
      ? `Dry run, nothing kept: ${imported} of ${plural(total, 'lead')} from ${filename} would be imported`
      : `Imported ${imported} of ${plural(total, 'lead')} from ${filename}`,
  ];
  if (failed > 0) parts.push(`${plural(failed, 'row')} invalid`);
  if (duplicates && duplicates.duplicate_count > 0)
    parts.push(`${plural(duplicates.duplicate_count, 'duplicate')} (${duplicates.updated_count} updated)`);
  return parts.join('; ') + '.';
}
