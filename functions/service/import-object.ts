import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { FileError } from '#core/errors';
import { fileNameOf, rejectedKeyFor, resultKeyFor } from '#core/keys';
import { optionsFromMetadata, parseImportOptions, type ImportOptions } from '#core/options';
import type { ImportResult } from '#core/result';
import { engineLimits, type ImportEnv } from '#io/import-config';
import { errorFields, log } from '#io/log';
import { headObject, objectExists, openObject, putFile, putJson } from '#io/s3';
import { TextFileSink } from '#io/temp-file';
import { runImport } from './run-import.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
export async function importObject(deps: ImportObjectDeps, ref: ObjectRef, timeLeftMs?: () => number): Promise<ObjectOutcome> {
  const { s3, env } = deps;
  const head = await headObject(s3, ref.bucket, ref.key, ref.versionId);
  if (!head) {
    log.warn('object_gone', { bucket: ref.bucket, key: ref.key });
    return { action: 'gone' };
  }
  // A presigned grant names the import in advance (x-amz-meta-import-id) so the client can follow it.
  const granted = head.metadata['import-id'];
  const importId = granted && UUID.test(granted) ? granted.toLowerCase() : randomUUID();
  let options: ImportOptions;
  let precheck: FileError | undefined;
  try {
    options = optionsFromMetadata(head.metadata);
  } catch (error) {
    options = parseImportOptions({});
    precheck = error as FileError;
  }
  if (!precheck && head.size > env.MAX_FILE_BYTES) {
    precheck = new FileError('FILE_TOO_LARGE', `The file is ${head.size} bytes, more than the ${env.MAX_FILE_BYTES} bytes allowed.`);
  }
  const rejected = TextFileSink.temp(rejectedKeyFor(ref.key), `${importId}.rejected.csv`);
  try {
    const outcome = await runImport(await deps.pool(), {
      importId,
      filename: fileNameOf(ref.key),
      source: { bucket: ref.bucket, key: ref.key, version_id: head.versionId, etag: head.etag, size: head.size },
      version: head.versionId ?? head.etag ?? 'unversioned',
      uploader: head.metadata['uploader'] ?? null,
      options,
      limits: engineLimits(env),
      threaded: head.size >= env.THREAD_MIN_BYTES,
      precheck,
      openBody: () => openObject(s3, ref.bucket, ref.key, head),
      rejectedRows: rejected,
      ...(timeLeftMs ? { timeLeftMs } : {}),
    });
    if (outcome.replayed) {
      // A replay inserts nothing; it only restores a result JSON a failed write left missing.
      const resultKey = resultKeyFor(ref.key);
      const missing = outcome.result !== null && !(await objectExists(s3, ref.bucket, resultKey));
      if (missing) await putJson(s3, ref.bucket, resultKey, outcome.result);
      return { action: 'replayed', importId: outcome.importId, resultRewritten: missing };
    }
    const size = await rejected.close();
    if (size !== undefined) await putFile(s3, ref.bucket, rejected.key, rejected.path, size, 'text/csv; charset=utf-8');
    await putJson(s3, ref.bucket, resultKeyFor(ref.key), outcome.result);
    return { action: 'imported', result: outcome.result };
  } catch (error) {
    log.error('import_error', { bucket: ref.bucket, key: ref.key, import_id: importId, ...errorFields(error) });
    throw error;
  } finally {
    await rejected.remove();
  }
}
