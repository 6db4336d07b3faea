import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { isUuid } from '#core/contract/columns';
import { giveUpDetails, giveUpMessage, type FailedInvocation, type FailedObject } from '#core/contract/failed-event';
import { fileNameOf, resultKeyFor } from '#core/contract/keys';
import { optionsFromMetadata, parseImportOptions, type ImportOptions } from '#core/contract/options';
import { buildResult, type ImportResult } from '#core/contract/result';
import { recordGiveUp } from '#io/finish-store';
import { headObject, putJson, readJson } from '#io/s3';

export interface FinishDeps {
  s3: S3Client;
  pool: () => Promise<pg.Pool>;
  defaultPhoneRegion: string;
}

export type FinishOutcome =
  /** lead_imports and the result JSON now say failed / RETRIES_EXHAUSTED. */
  | { action: 'finished'; key: string; result: ImportResult }
  /** A final result already existed (an attempt did finish, or this ran before); left as it was. */
  | { action: 'already_final'; key: string; resultRewritten: boolean };

/**
 * Finishes the objects of an event Lambda gave up on: the uploader's result JSON and the history
 * row say `failed` with RETRIES_EXHAUSTED instead of `processing` forever. Leads are never touched.
 * Idempotent: a final result (in the table or in the result JSON) is never overwritten, and a run
 * repeated after a partial failure completes what is missing. Throws only for a retry (S3 or
 * PostgreSQL trouble); the queue then delivers the record again.
 */
export async function finishFailedInvocation(deps: FinishDeps, invocation: FailedInvocation): Promise<FinishOutcome[]> {
  const outcomes: FinishOutcome[] = [];
  for (const object of invocation.objects) outcomes.push(await finishObject(deps, invocation, object));
  return outcomes;
}

async function finishObject(deps: FinishDeps, invocation: FailedInvocation, object: FailedObject) {
  const { s3 } = deps;
  const resultKey = resultKeyFor(object.key);
  const current = await readJson<ImportResult>(s3, object.bucket, resultKey);
  if (current && current.status !== 'processing') {
    return { action: 'already_final', key: object.key, resultRewritten: false } as const;
  }
  // The object may be gone (deleted since): the event still says which version failed.
  const head = await headObject(s3, object.bucket, object.key, object.versionId);
  const granted = head?.metadata['import-id'];
  const importId =
    current?.import_id ?? (granted && isUuid(granted) ? granted.toLowerCase() : undefined) ?? randomUUID();
  const details = giveUpDetails(invocation, current);
  const filename = fileNameOf(object.key);
  const result = buildResult({
    importId,
    status: 'failed',
    filename,
    source: current?.source ?? {
      bucket: object.bucket,
      key: object.key,
      version_id: object.versionId ?? head?.versionId ?? null,
      etag: object.etag ?? head?.etag ?? null,
      size: head?.size ?? null,
    },
    options: current?.options ?? optionsOf(head?.metadata ?? {}, deps.defaultPhoneRegion),
    startedAt: current ? new Date(current.started_at) : invocation.timestamp,
    finishedAt: new Date(),
    errorCode: 'RETRIES_EXHAUSTED',
    message: giveUpMessage(filename, details),
    details,
  });
  const record = await recordGiveUp(await deps.pool(), {
    bucket: object.bucket,
    key: object.key,
    version: object.versionId ?? object.etag ?? head?.versionId ?? head?.etag ?? 'unversioned',
    uploader: head?.metadata.uploader ?? null,
    result,
  });
  if (record.recorded) {
    const written = record.importId === result.import_id ? result : { ...result, import_id: record.importId };
    await putJson(s3, object.bucket, resultKey, written);
    return { action: 'finished', key: object.key, result: written } as const;
  }
  // The table already holds a final outcome (a run of ours whose result write failed, or an
  // attempt that committed): the result JSON must say that, not `processing`.
  const stored = record.existing.result;
  if (stored) await putJson(s3, object.bucket, resultKey, stored);
  return { action: 'already_final', key: object.key, resultRewritten: stored !== null } as const;
}

function optionsOf(metadata: Record<string, string>, phoneRegion: string): ImportOptions {
  try {
    return optionsFromMetadata(metadata, { phone_region: phoneRegion });
  } catch {
    return parseImportOptions({ phone_region: phoneRegion });
  }
}
