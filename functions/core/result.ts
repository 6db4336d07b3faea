import type { EngineSummary } from './lead-engine.ts';
import type { ImportErrorCode } from './errors.ts';
import type { ImportOptions } from './options.ts';
import type { RuleSetRef } from './rule-set.ts';
import type { RowErrorDetail } from './row-report.ts';
import { formatRowError } from './row-report.ts';

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
  email: string;
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
  duplicates: DuplicateRow[];
  duplicates_truncated: boolean;
  notes: string[];
  started_at: string;
  finished_at: string | null;
  /** Where the time went (copy = read, parse, validate and COPY overlapped; duplicates; commit). */
  timings_ms: Record<string, number>;
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
  return {
    import_id: input.importId,
    status: input.status,
    message: input.message ?? describe(input.status, input.filename, total, imported, failed, duplicates),
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
    duplicates: duplicates?.duplicates ?? [],
    duplicates_truncated: duplicates?.duplicates_truncated ?? false,
    notes: summary.notes ?? [],
    started_at: input.startedAt.toISOString(),
    finished_at: input.finishedAt?.toISOString() ?? null,
    timings_ms: { ...input.timings },
  };
}

function describe(
  status: ImportStatus,
  filename: string,
  total: number,
  imported: number,
  failed: number,
  duplicates?: DuplicateOutcome,
): string {
  if (status === 'processing') return `Importing ${filename}: ${plural(total, 'row')} read so far.`;
  if (status !== 'succeeded') return `${filename} was not imported.`;
  const parts = [`Imported ${imported} of ${plural(total, 'lead')} from ${filename}`];
  if (failed > 0) parts.push(`${plural(failed, 'row')} invalid`);
  if (duplicates && duplicates.duplicate_count > 0)
    parts.push(`${plural(duplicates.duplicate_count, 'duplicate')} (${duplicates.updated_count} updated)`);
  return parts.join('; ') + '.';
}
