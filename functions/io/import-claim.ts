import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ImportOptions } from '#core/contract/options';
import type { ImportResult } from '#core/contract/result';

export interface ImportClaim {
  importId: string;
  bucket: string;
  key: string;
  /** Version id, or ETag where the bucket is unversioned: the idempotency key with bucket and key. */
  version: string;
  filename: string;
  size: number | null;
  uploader: string | null;
  options: ImportOptions;
}

export type ClaimOutcome =
  | { claimed: true; importId: string }
  | { claimed: false; existing: { id: string; status: string; result: ImportResult | null } };

/**
 * Claims the source object for this import inside the open transaction. A concurrent claim of the
 * same object waits on the unique index until this transaction ends: the database decides.
 * Returns the earlier import when the object was already imported; an import whose retries ran out
 * (RETRIES_EXHAUSTED, nothing committed) is claimed again.
 */
export async function claimImport(client: pg.PoolClient, claim: ImportClaim): Promise<ClaimOutcome> {
  // A granted import id reused by a second upload of the same key (a new version) gets a fresh id.
  const taken = await client.query('select 1 from lead_imports where id = $1', [claim.importId]);
  const importId = taken.rowCount === 1 ? randomUUID() : claim.importId;
  const inserted = await client.query(
    `insert into lead_imports (id, source_bucket, source_key, source_version, filename, source_size, uploader, status, options, dry_run)
     values ($1, $2, $3, $4, $5, $6, $7, 'processing', $8, $9)
     on conflict (source_bucket, source_key, source_version) do update
       -- An import the finisher gave up on (RETRIES_EXHAUSTED) committed nothing: the same object
       -- uploaded again (same ETag in an unversioned bucket) is claimed afresh, not replayed.
       set id = excluded.id, filename = excluded.filename, source_size = excluded.source_size,
           uploader = excluded.uploader, status = 'processing', error_code = null, message = null,
           options = excluded.options, dry_run = excluded.dry_run, encoding = null, delimiter = null, total_leads = 0, imported_count = 0,
           updated_count = 0, duplicate_count = 0, failed_count = 0, started_at = now(), finished_at = null,
           duration_ms = null, result = null, lead_id_floor = null
       where lead_imports.status = 'failed' and lead_imports.error_code = 'RETRIES_EXHAUSTED'
     returning id`,
    [
      importId,
      claim.bucket,
      claim.key,
      claim.version,
      claim.filename,
      claim.size,
      claim.uploader,
      JSON.stringify(claim.options),
      claim.options.dry_run,
    ],
  );
  if (inserted.rowCount === 1) return { claimed: true, importId };
  const existing = await client.query<{ id: string; status: string; result: ImportResult | null }>(
    'select id, status, result from lead_imports where source_bucket = $1 and source_key = $2 and source_version = $3',
    [claim.bucket, claim.key, claim.version],
  );
  return { claimed: false, existing: existing.rows[0]! };
}

export async function recordOutcome(client: pg.PoolClient, result: ImportResult): Promise<void> {
  await client.query(
    `update lead_imports set status = $2, error_code = $3, message = $4, encoding = $5, delimiter = $6,
       total_leads = $7, imported_count = $8, updated_count = $9, duplicate_count = $10, failed_count = $11,
       finished_at = $12, duration_ms = $13, result = $14, rule_set_name = $15, rule_set_version = $16
     where id = $1`,
    [
      result.import_id,
      result.status,
      result.error_code,
      result.message,
      result.detected.encoding,
      result.detected.delimiter,
      result.total_leads,
      result.imported_count,
      result.updated_count,
      result.duplicate_count,
      result.failed_count,
      result.finished_at,
      result.duration_ms,
      JSON.stringify(result),
      result.rule_set?.name ?? null,
      result.rule_set?.version ?? null,
    ],
  );
}

/** Every lead COPY adds gets a larger id than this (identity values only grow). */
export async function leadIdFloor(client: pg.PoolClient, importId: string): Promise<number> {
  const { rows } = await client.query<{ floor: string }>(
    'update lead_imports set lead_id_floor = (select coalesce(max(id), 0) from leads) where id = $1 returning lead_id_floor as floor',
    [importId],
  );
  return Number(rows[0]!.floor);
}
