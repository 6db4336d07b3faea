import type { Context, S3Event } from 'aws-lambda';
import type pg from 'pg';
import { decodeEventKey, isImportableKey } from '#core/contract/keys';
import { connectionConfig, createPool } from '#io/database';
import { readImportEnv } from '#io/import-config';
import { importMetrics } from '#core/contract/metrics';
import { emitMetrics, log } from '#io/log';
import { createS3Client } from '#io/s3';
import { importObject, type ImportObjectDeps } from '#service/object-import';

/** Configuration and clients, created once per function instance at the first event. */
let deps: ImportObjectDeps | undefined;
function instanceDeps(): ImportObjectDeps {
  if (deps) return deps;
  const env = readImportEnv();
  let pool: Promise<pg.Pool> | undefined;
  deps = {
    env,
    s3: createS3Client({ endpoint: env.S3_ENDPOINT }),
    // Lazy: an event for a key we ignore never opens a database connection.
    pool: () => {
      pool ??= connectionConfig(env).then((config) => createPool(config, 1));
      pool.catch(() => (pool = undefined));
      return pool;
    },
  };
  return deps;
}

/** S3 ObjectCreated -> one import per record. Throws only for trouble a retry can fix. */
export async function handler(event: S3Event, context: Context): Promise<void> {
  for (const record of event.Records ?? []) {
    const bucket = record.s3.bucket.name;
    const key = decodeEventKey(record.s3.object.key);
    if (key === undefined) {
      // Thrown, it would be retried and end in the failed-events queue for nothing.
      log.warn('object_ignored', { bucket, key: record.s3.object.key, reason: 'key is not valid percent-encoding' });
      continue;
    }
    if (!isImportableKey(key)) {
      log.info('object_ignored', { bucket, key, reason: 'not a .csv upload under uploads/' });
      continue;
    }
    const d = instanceDeps();
    const outcome = await importObject(
      d,
      { bucket, key, versionId: record.s3.object.versionId },
      () => context.getRemainingTimeInMillis() - d.env.DEADLINE_MARGIN_MS,
    );
    if (outcome.action === 'imported') {
      const r = outcome.result;
      emitMetrics(importMetrics(r));
      log.info('import_finished', {
        import_id: r.import_id,
        bucket,
        key,
        status: r.status,
        error_code: r.error_code,
        total_leads: r.total_leads,
        imported_count: r.imported_count,
        failed_count: r.failed_count,
        duplicate_count: r.duplicate_count,
        duration_ms: r.duration_ms,
        engine: outcome.engine,
      });
    } else if (outcome.action === 'replayed') {
      log.info('import_replayed', {
        bucket,
        key,
        import_id: outcome.importId,
        result_rewritten: outcome.resultRewritten,
      });
    }
  }
}
