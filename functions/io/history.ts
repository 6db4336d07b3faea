import type pg from 'pg';
import { isUuid } from '#core/contract/columns';
import type { ImportResult, ImportStatus } from '#core/contract/result';

/** What `lead_imports.status` can hold: a result's status, or `reverted`. */
export type HistoryStatus = ImportStatus | 'reverted';

/** One line of the history: what a person scans for. Times are ISO strings, counts numbers. */
export interface ImportSummary {
  id: string;
  started_at: string;
  finished_at: string | null;
  status: HistoryStatus;
  /** A dry run: its leads were rolled back (it cannot be reverted). */
  dry_run: boolean;
  filename: string;
  total_leads: number;
  imported_count: number;
  updated_count: number;
  duplicate_count: number;
  failed_count: number;
  duration_ms: number | null;
  error_code: string | null;
  reverted_at: string | null;
}

/** Every column of a `lead_imports` row, including the stored result JSON. */
export interface ImportRecord extends ImportSummary {
  source_bucket: string;
  source_key: string;
  source_version: string;
  source_size: number | null;
  uploader: string | null;
  message: string | null;
  options: Record<string, unknown>;
  encoding: string | null;
  delimiter: string | null;
  lead_id_floor: number | null;
  /** The rule set the import applied (a CLI file has a name and no version). */
  rule_set_name: string | null;
  rule_set_version: number | null;
  result: ImportResult | null;
}

type Queryable = pg.Pool | pg.ClientBase;

export const MAX_LIST_LIMIT = 1000;

/** Import ids are UUIDs; anything else cannot name an import (and would be a SQL cast error). */
export const isImportId = isUuid;

const SUMMARY_COLUMNS = `id, started_at, finished_at, status, dry_run, filename, total_leads, imported_count, updated_count,
  duplicate_count, failed_count, duration_ms, error_code, reverted_at`;
const RECORD_COLUMNS = `${SUMMARY_COLUMNS}, source_bucket, source_key, source_version, source_size, uploader, message,
  options, encoding, delimiter, lead_id_floor, rule_set_name, rule_set_version, result`;

/** The newest imports first (ties broken by id so pages are stable). */
export async function listImports(db: Queryable, { limit = 20 }: { limit?: number } = {}): Promise<ImportSummary[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw new RangeError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  const { rows } = await db.query<Row>(
    `select ${SUMMARY_COLUMNS} from lead_imports order by started_at desc, id desc limit $1`,
    [limit],
  );
  return rows.map(toSummary);
}

/** One import with every column, or null when no import has this id. */
export async function getImport(db: Queryable, id: string): Promise<ImportRecord | null> {
  if (!isImportId(id)) return null;
  const { rows } = await db.query<Row>(`select ${RECORD_COLUMNS} from lead_imports where id = $1`, [id]);
  const row = rows[0];
  return row ? toRecord(row) : null;
}

type Row = Record<string, unknown>;

const iso = (value: unknown): string | null =>
  value instanceof Date ? value.toISOString() : value === null || value === undefined ? null : String(value);
/** bigint columns arrive as strings from pg; these stay far below 2^53. */
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function toSummary(r: Row): ImportSummary {
  return {
    id: r.id as string,
    started_at: iso(r.started_at)!,
    finished_at: iso(r.finished_at),
    status: r.status as HistoryStatus,
    dry_run: r.dry_run === true,
    filename: r.filename as string,
    total_leads: r.total_leads as number,
    imported_count: r.imported_count as number,
    updated_count: r.updated_count as number,
    duplicate_count: r.duplicate_count as number,
    failed_count: r.failed_count as number,
    duration_ms: num(r.duration_ms),
    error_code: (r.error_code as string | null) ?? null,
    reverted_at: iso(r.reverted_at),
  };
}

function toRecord(r: Row): ImportRecord {
  return {
    ...toSummary(r),
    source_bucket: r.source_bucket as string,
    source_key: r.source_key as string,
    source_version: r.source_version as string,
    source_size: num(r.source_size),
    uploader: (r.uploader as string | null) ?? null,
    message: (r.message as string | null) ?? null,
    options: (r.options as Record<string, unknown> | null) ?? {},
    encoding: (r.encoding as string | null) ?? null,
    delimiter: (r.delimiter as string | null) ?? null,
    lead_id_floor: num(r.lead_id_floor),
    rule_set_name: (r.rule_set_name as string | null) ?? null,
    rule_set_version: num(r.rule_set_version),
    result: (r.result as ImportResult | null) ?? null,
  };
}
