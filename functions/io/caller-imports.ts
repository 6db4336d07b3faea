import type pg from 'pg';
import type { ImportResult } from '#core/contract/result';
import { databaseCall } from './database-errors.ts';
import type { HistoryStatus } from './history.ts';

/**
 * One caller's imports: the rows whose `uploader` (the object metadata the presign grant signs) is
 * theirs. Every query names the uploader, so another caller's import reads exactly like a missing one.
 * Database trouble comes out as an InfraError (DATABASE_UNAVAILABLE, LOCK_TIMEOUT, STATEMENT_TIMEOUT, DATABASE_ERROR).
 */

/** One line of a caller's history (the API's `imports[]` item). */
export interface CallerImport {
  import_id: string;
  filename: string;
  status: HistoryStatus;
  /** A dry run: its leads were rolled back, so it cannot be reverted. */
  dry_run: boolean;
  started_at: string;
  finished_at: string | null;
  total_leads: number;
  imported_count: number;
  updated_count: number;
  duplicate_count: number;
  failed_count: number;
  error_code: string | null;
  reverted_at: string | null;
}

/** One import of the caller with what its result needs: where its files are and the stored result. */
export interface CallerImportRecord extends CallerImport {
  source_bucket: string;
  source_key: string;
  result: ImportResult | null;
}

/** Where a page starts: just after this (started_at, id) in newest-first order. */
export interface PageKey {
  /** started_at to the microsecond, as PostgreSQL prints it in UTC (a JS Date would drop the microseconds). */
  startedAt: string;
  id: string;
}

export interface CallerImportPage {
  imports: CallerImport[];
  /** Key of the last row when more rows follow, else null. */
  next: PageKey | null;
}

type Queryable = pg.Pool | pg.ClientBase;
type Row = Record<string, unknown>;

const COLUMNS = `id, filename, status, dry_run, started_at, finished_at, total_leads, imported_count, updated_count,
  duplicate_count, failed_count, error_code, reverted_at,
  to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as page_started_at`;

/**
 * Newest first, `limit` rows after `after`. Keyset pagination on (started_at, id), served by the
 * (uploader, started_at desc, id desc) index: rows inserted between two pages sort before the
 * cursor, so they never shift, repeat or hide the rows of later pages.
 */
export async function listCallerImports(
  db: Queryable,
  uploader: string,
  { limit, after }: { limit: number; after?: PageKey | undefined },
): Promise<CallerImportPage> {
  const params: unknown[] = [uploader, limit + 1];
  let where = 'uploader = $1';
  if (after) {
    params.push(after.startedAt, after.id);
    where += ' and (started_at, id) < ($3::timestamptz, $4::uuid)';
  }
  const { rows } = await databaseCall("listing a caller's imports", () =>
    db.query<Row>(
      `select ${COLUMNS} from lead_imports where ${where} order by started_at desc, id desc limit $2`,
      params,
    ),
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    imports: page.map(toCallerImport),
    next: rows.length > limit && last ? { startedAt: last.page_started_at as string, id: last.id as string } : null,
  };
}

/** The caller's import with this id, or null when there is none or it belongs to someone else. */
export async function getCallerImport(db: Queryable, uploader: string, id: string): Promise<CallerImportRecord | null> {
  const { rows } = await databaseCall("reading a caller's import", () =>
    db.query<Row>(
      `select ${COLUMNS}, source_bucket, source_key, result from lead_imports where id = $1 and uploader = $2`,
      [id, uploader],
    ),
  );
  const row = rows[0];
  if (!row) return null;
  return {
    ...toCallerImport(row),
    source_bucket: row.source_bucket as string,
    source_key: row.source_key as string,
    result: (row.result as ImportResult | null) ?? null,
  };
}

/** Which of these imports belong to the uploader (a refused revert names only the caller's own). */
export async function ownedImportIds(db: Queryable, uploader: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await databaseCall("checking a caller's imports", () =>
    db.query<{ id: string }>('select id from lead_imports where id = any($1::uuid[]) and uploader = $2', [
      ids,
      uploader,
    ]),
  );
  return new Set(rows.map((r) => r.id));
}

const iso = (value: unknown): string | null => (value instanceof Date ? value.toISOString() : null);

function toCallerImport(r: Row): CallerImport {
  return {
    import_id: r.id as string,
    filename: r.filename as string,
    status: r.status as HistoryStatus,
    dry_run: r.dry_run === true,
    started_at: iso(r.started_at)!,
    finished_at: iso(r.finished_at),
    total_leads: r.total_leads as number,
    imported_count: r.imported_count as number,
    updated_count: r.updated_count as number,
    duplicate_count: r.duplicate_count as number,
    failed_count: r.failed_count as number,
    error_code: (r.error_code as string | null) ?? null,
    reverted_at: iso(r.reverted_at),
  };
}
