import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { isUuid } from '#core/contract/columns';
import { FileError } from '#core/contract/errors';
import { fileNameOf, rejectedKeyFor, resultKeyFor } from '#core/contract/keys';
import { type ImportOptions, optionsFromMetadata, parseImportOptions } from '#core/contract/options';
import type { ImportResult } from '#core/contract/result';
import { engineLimits, threadMinBytes, type ImportEnv } from '#io/import-config';
import { errorFields, log } from '#io/log';
import { headObject, type ObjectHead, openObject, putFile, putJson, readJson } from '#io/s3';
import { TextFileSink } from '#io/temp-file';
import { AttemptStatus } from './attempt-status.ts';
import { type ImportOutcome, runImport } from './pipeline.ts';

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
  /** `engine`: where the file was parsed (ENGINE_WORKER and THREAD_MIN_BYTES decide; logged), null if it was not. */
  | { action: 'imported'; result: ImportResult; engine: 'worker' | 'inline' | null }
  | { action: 'replayed'; importId: string; resultRewritten: boolean }
  | { action: 'gone' };

/**
 * One S3 object through the importer: head it, import it once, write the rejected-rows file and the
 * result JSON next to it. Final outcomes return; infrastructure failures throw for a retry.
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
  const { options, precheck } = readOptions(head, env);
  const filename = fileNameOf(ref.key);
  const source = { bucket: ref.bucket, key: ref.key, version_id: head.versionId, etag: head.etag, size: head.size };
  const resultKey = resultKeyFor(ref.key);
  const status = new AttemptStatus({
    s3,
    bucket: ref.bucket,
    resultKey,
    filename,
    source,
    options,
    progressIntervalMs: env.PROGRESS_INTERVAL_MS,
  });
  const rejected = TextFileSink.temp(rejectedKeyFor(ref.key), `${importId}.rejected.csv`);
  let engine: 'worker' | 'inline' | null = null;
  try {
    const outcome = await runImport(await deps.pool(), {
      importId,
      filename,
      source,
      version: head.versionId ?? head.etag ?? 'unversioned',
      uploader: head.metadata.uploader ?? null,
      options,
      // The rejected-rows cap is relative to the upload's size.
      limits: engineLimits(env, head.size),
      threaded: head.size >= threadMinBytes(env),
      onEngine: (kind) => {
        engine = kind;
      },
      precheck,
      openBody: () => openObject(s3, ref.bucket, ref.key, head),
      rejectedRows: rejected,
      onStart: (id) => status.claimed(id),
      onProgress: (rows) => status.leadsRead(rows),
      ...(timeLeftMs ? { timeLeftMs } : {}),
    });
    await status.stop();
    if (outcome.replayed) return await restoreReplayedResult(s3, ref.bucket, resultKey, outcome);
    const size = await rejected.close();
    if (size !== undefined) await putFile(s3, ref.bucket, rejected.key, rejected.path, size, 'text/csv; charset=utf-8');
    await putJson(s3, ref.bucket, resultKey, outcome.result);
    return { action: 'imported', result: outcome.result, engine };
  } catch (error) {
    log.error('import_error', {
      bucket: ref.bucket,
      key: ref.key,
      import_id: status.importId ?? importId,
      ...errorFields(error),
    });
    await status.failed(error);
    throw error;
  } finally {
    await rejected.remove();
  }
}

/** Options from the object's metadata; bad ones become a precheck failure recorded with the defaults. */
function readOptions(head: ObjectHead, env: ImportEnv): { options: ImportOptions; precheck: FileError | undefined } {
  const defaults = { phone_region: env.DEFAULT_PHONE_REGION };
  let options: ImportOptions;
  try {
    options = optionsFromMetadata(head.metadata, defaults);
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    return { options: parseImportOptions(defaults), precheck: error };
  }
  if (head.size <= env.MAX_FILE_BYTES) return { options, precheck: undefined };
  const tooLarge = `The file is ${head.size} bytes, more than the ${env.MAX_FILE_BYTES} bytes allowed.`;
  return { options, precheck: new FileError('FILE_TOO_LARGE', tooLarge) };
}

/**
 * A replay inserts nothing; it only restores a final result that a failed write left missing (or
 * left as the `processing` snapshot of the attempt whose result write failed).
 */
async function restoreReplayedResult(
  s3: S3Client,
  bucket: string,
  resultKey: string,
  outcome: Extract<ImportOutcome, { replayed: true }>,
): Promise<ObjectOutcome> {
  const current = outcome.result === null ? undefined : await readJson<ImportResult>(s3, bucket, resultKey);
  const stale = outcome.result !== null && (current === undefined || current.status === 'processing');
  if (stale) await putJson(s3, bucket, resultKey, outcome.result);
  return { action: 'replayed', importId: outcome.importId, resultRewritten: stale };
}
