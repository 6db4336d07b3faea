import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { isUuid } from '#core/columns';
import { FileError, type ImportErrorCode } from '#core/errors';
import { fileNameOf, rejectedKeyFor, resultKeyFor } from '#core/keys';
import { optionsFromMetadata, parseImportOptions, type ImportOptions } from '#core/options';
import { buildResult, type ImportResult, type ResultInput } from '#core/result';
import { engineLimits, type ImportEnv } from '#io/import-config';
import { errorFields, log } from '#io/log';
import { headObject, openObject, putFile, putJson, readJson } from '#io/s3';
import { TextFileSink } from '#io/temp-file';
import { ProgressReporter } from './progress.ts';
import { runImport } from './run-import.ts';

export interface ImportObjectDeps {
  s3: S3Client;
  pool: () => Promise<pg.Pool>;
  env: ImportEnv;
}

export interface ObjectRef {
  bucket: string;
  key: string;
  versionId?: string | null | undefined;
}

export type ObjectOutcome =
  | { action: 'imported'; result: ImportResult }
  | { action: 'replayed'; importId: string; resultRewritten: boolean }
  | { action: 'gone' };

/**
 * One S3 object through the importer: check it, import it once, write the rejected-rows file and
 * the result JSON next to it. Final outcomes return; infrastructure failures throw for a retry.
 */
export async function importObject(
  deps: ImportObjectDeps,
  ref: ObjectRef,
  timeLeftMs?: () => number,
): Promise<ObjectOutcome> {
  const { s3, env } = deps;
  const head = await headObject(s3, ref.bucket, ref.key, ref.versionId);
  if (!head) {
    log.warn('object_gone', { bucket: ref.bucket, key: ref.key });
    return { action: 'gone' };
  }
  // A presigned grant names the import in advance (x-amz-meta-import-id) so the client can follow it.
  const granted = head.metadata['import-id'];
  const importId = granted && isUuid(granted) ? granted.toLowerCase() : randomUUID();
  let options: ImportOptions;
  let precheck: FileError | undefined;
  try {
    options = optionsFromMetadata(head.metadata, { phone_region: env.DEFAULT_PHONE_REGION });
  } catch (error) {
    options = parseImportOptions({ phone_region: env.DEFAULT_PHONE_REGION });
    precheck = error as FileError;
  }
  if (!precheck && head.size > env.MAX_FILE_BYTES) {
    precheck = new FileError(
      'FILE_TOO_LARGE',
      `The file is ${head.size} bytes, more than the ${env.MAX_FILE_BYTES} bytes allowed.`,
    );
  }
  const rejected = TextFileSink.temp(rejectedKeyFor(ref.key), `${importId}.rejected.csv`);
  const resultKey = resultKeyFor(ref.key);
  const source = { bucket: ref.bucket, key: ref.key, version_id: head.versionId, etag: head.etag, size: head.size };
  const startedAt = new Date();
  let runningId = importId;
  let claimed = false;
  /** The `processing` result a poller sees while this attempt runs (or after it failed). */
  const snapshot = (extra: Pick<ResultInput, 'summary' | 'message' | 'errorCode'>) =>
    putJson(
      s3,
      ref.bucket,
      resultKey,
      buildResult({
        importId: runningId,
        status: 'processing',
        filename: fileNameOf(ref.key),
        source,
        options,
        startedAt,
        finishedAt: null,
        ...extra,
      }),
    );
  const progress = new ProgressReporter(
    (rows) => snapshot({ summary: { total_leads: rows } }),
    env.PROGRESS_INTERVAL_MS,
    (error) => log.warn('progress_write_failed', { bucket: ref.bucket, key: resultKey, ...errorFields(error) }),
  );
  try {
    const outcome = await runImport(await deps.pool(), {
      importId,
      filename: fileNameOf(ref.key),
      source,
      version: head.versionId ?? head.etag ?? 'unversioned',
      uploader: head.metadata.uploader ?? null,
      options,
      limits: engineLimits(env),
      threaded: head.size >= env.THREAD_MIN_BYTES,
      precheck,
      openBody: () => openObject(s3, ref.bucket, ref.key, head),
      rejectedRows: rejected,
      onStart: (id) => {
        runningId = id;
        claimed = true;
        return progress.start();
      },
      onProgress: (rows) => progress.update(rows),
      ...(timeLeftMs ? { timeLeftMs } : {}),
    });
    await progress.stop();
    if (outcome.replayed) {
      // A replay inserts nothing; it only restores a final result that a failed write left missing
      // (or left as the `processing` snapshot of the attempt whose result write failed).
      const current = outcome.result === null ? undefined : await readJson<ImportResult>(s3, ref.bucket, resultKey);
      const stale = outcome.result !== null && (current === undefined || current.status === 'processing');
      if (stale) await putJson(s3, ref.bucket, resultKey, outcome.result);
      return { action: 'replayed', importId: outcome.importId, resultRewritten: stale };
    }
    const size = await rejected.close();
    if (size !== undefined) await putFile(s3, ref.bucket, rejected.key, rejected.path, size, 'text/csv; charset=utf-8');
    await putJson(s3, ref.bucket, resultKey, outcome.result);
    return { action: 'imported', result: outcome.result };
  } catch (error) {
    await progress.stop();
    log.error('import_error', { bucket: ref.bucket, key: ref.key, import_id: runningId, ...errorFields(error) });
    // The snapshot must not keep saying "reading" forever: say the attempt failed and will be retried
    // (nothing was committed). Best effort: S3 itself may be what failed.
    if (claimed) {
      const e = error as { code?: ImportErrorCode; message?: string };
      await snapshot({
        message: `An attempt failed (${e.code ?? 'ERROR'}: ${e.message ?? 'unknown error'}); nothing was imported and the import will be retried.`,
        ...(e.code ? { errorCode: e.code } : {}),
      }).catch(() => {});
    }
    throw error;
  } finally {
    await rejected.remove();
  }
}
