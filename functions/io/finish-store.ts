import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ImportResult } from '#core/contract/result';
import { databaseFailure } from './database-errors.ts';

export interface GiveUpRow {
  bucket: string;
  key: string;
  /** Version id, or ETag where the bucket is unversioned: the same idempotency key the import claims. */
  version: string;
  uploader: string | null;
  result: ImportResult;
}

export type GiveUpRecord =
  | { recorded: true; importId: string }
  | { recorded: false; existing: { status: string; result: ImportResult | null } };

/**
 * Records a failed RETRIES_EXHAUSTED import for an object whose attempts all rolled back (they
 * commit nothing, so usually no row exists). An existing row is final and is never overwritten:
 * it is returned instead. Touches nothing but this one lead_imports row.
 */
export async function recordGiveUp(pool: pg.Pool, row: GiveUpRow): Promise<GiveUpRecord> {
  const r = row.result;
  try {
    // The granted id may already name another version's import of the same key.
    const taken = await pool.query('select 1 from lead_imports where id = $1', [r.import_id]);
    const importId = taken.rowCount === 1 ? randomUUID() : r.import_id;
    const result = importId === r.import_id ? r : { ...r, import_id: importId };
    const inserted = await pool.query(
      `insert into lead_imports (id, source_bucket, source_key, source_version, filename, source_size, uploader,
         status, error_code, message, options, started_at, finished_at, duration_ms, result)
       values ($1, $2, $3, $4, $5, $6, $7, 'failed', $8, $9, $10, $11, $12, $13, $14)
       on conflict (source_bucket, source_key, source_version) do nothing
       returning id`,
      [
        importId,
        row.bucket,
        row.key,
        row.version,
        result.filename,
        result.source.size,
        row.uploader,
        result.error_code,
        result.message,
        JSON.stringify(result.options),
        result.started_at,
        result.finished_at,
        result.duration_ms,
        JSON.stringify(result),
      ],
    );
    if (inserted.rowCount === 1) return { recorded: true, importId };
    const existing = await pool.query<{ status: string; result: ImportResult | null }>(
      'select status, result from lead_imports where source_bucket = $1 and source_key = $2 and source_version = $3',
      [row.bucket, row.key, row.version],
    );
    return { recorded: false, existing: existing.rows[0]! };
  } catch (error) {
    throw databaseFailure(error, 'recording an import whose retries ran out');
  }
}
