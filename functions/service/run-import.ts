import type pg from 'pg';
import { FileError, RejectionError, isFinal } from '#core/errors';
import { createEngineRunner } from '#runtime/engine-runner';
import { thresholdRejection, type EngineLimits, type EngineSummary } from '#core/lead-engine';
import type { ImportOptions } from '#core/options';
import { buildResult, type DuplicateOutcome, type ImportResult, type SourceRef } from '#core/result';
import { copyLeads } from '#io/copy-leads';
import { inTransaction } from '#io/database';
import { claimImport, leadIdFloor, recordOutcome, resolveDuplicates } from '#io/import-store';

/** Where rejected rows go while the file streams (a temp file, later uploaded next to the source). */
export interface RejectedRowsSink {
  /** Where the report will be found (object key or file path), for `error_report_key`. */
  readonly key: string;
  write(text: string): Promise<void>;
}

/** The object's bytes; destroy() releases the connection when reading stops early. */
export type ReadableBody = AsyncIterable<Uint8Array> & { destroy?: () => void };

export interface ImportJob {
  importId: string;
  filename: string;
  source: SourceRef;
  /** Idempotency key with bucket and key: version id, or ETag when unversioned. */
  version: string;
  uploader: string | null;
  options: ImportOptions;
  limits: EngineLimits;
  /** Parse and validate in a worker thread (worth it above a few megabytes). */
  threaded: boolean;
  /** A problem found before reading (bad options, too large): recorded as a failed import. */
  precheck?: FileError | undefined;
  /** Opened only after the import is claimed, so a replayed event never reads the object. */
  openBody: () => Promise<ReadableBody>;
  rejectedRows?: RejectedRowsSink;
  /** Milliseconds left before the caller is killed (Lambda deadline minus a margin). */
  timeLeftMs?: () => number;
  onProgress?: (rowsRead: number) => void;
  /** Called once the import is claimed (not for a replay), before any byte is read. */
  onStart?: (importId: string) => Promise<void>;
}

export type ImportOutcome =
  | { replayed: false; result: ImportResult }
  | { replayed: true; result: ImportResult | null; importId: string };

/**
 * One import, one transaction: claim the object, COPY every valid row, resolve duplicates, record
 * the outcome, commit. A final problem (bad file, rejection, deadline) rolls the leads back but
 * commits the history row; infrastructure trouble rolls everything back and throws for a retry.
 */
export async function runImport(pool: pg.Pool, job: ImportJob): Promise<ImportOutcome> {
  const startedAt = new Date();
  return inTransaction(pool, 'importing', async (client) => {
    const claim = await claimImport(client, {
      importId: job.importId,
      bucket: job.source.bucket,
      key: job.source.key,
      version: job.version,
      filename: job.filename,
      size: job.source.size,
      uploader: job.uploader,
      options: job.options,
    });
    if (!claim.claimed) {
      await client.query('rollback');
      return { replayed: true, result: claim.existing.result, importId: claim.existing.id };
    }
    job = { ...job, importId: claim.importId };
    await job.onStart?.(job.importId);
    await client.query('savepoint leads');
    const result = await loadLeads(client, job, startedAt);
    const commitStarted = performance.now();
    await recordOutcome(client, result);
    await client.query('commit');
    if (result.status === 'succeeded') result.timings_ms.commit = Math.round(performance.now() - commitStarted);
    return { replayed: false, result };
  });
}

async function loadLeads(client: pg.PoolClient, job: ImportJob, startedAt: Date): Promise<ImportResult> {
  const runner = createEngineRunner({ importId: job.importId, options: job.options, limits: job.limits }, job.threaded);
  const timings: Record<string, number> = {};
  const base = { importId: job.importId, filename: job.filename, source: job.source, options: job.options, startedAt };
  let summary: EngineSummary | undefined;
  let copied = 0;
  let duplicates: DuplicateOutcome | undefined;
  let reportWritten = false;
  const rejected = job.rejectedRows;
  const writeRejected = async (text: string | undefined) => {
    if (text === undefined || !rejected) return;
    reportWritten = true;
    await rejected.write(text);
  };
  // The deadline also fires while COPY waits on the database or S3, not only between chunks.
  const deadline = new AbortController();
  const timeLeft = job.timeLeftMs?.();
  const timer =
    timeLeft === undefined ? undefined : setTimeout(() => deadline.abort(deadlineExceeded()), Math.max(0, timeLeft));
  try {
    if (job.precheck) throw job.precheck;
    checkDeadline(job);
    const floor = await leadIdFloor(client, job.importId);
    const copyStarted = performance.now();
    const body = await job.openBody();
    async function* copyText(): AsyncGenerator<Buffer> {
      for await (const out of runner.run(body)) {
        await writeRejected(out.rejected);
        job.onProgress?.(out.rowsRead);
        if (out.copy) yield out.copy;
      }
      summary = runner.summary;
    }
    try {
      copied = await copyLeads(client, copyText(), deadline.signal);
      timings.copy = Math.round(performance.now() - copyStarted);
    } catch (error) {
      throw deadline.signal.aborted ? deadline.signal.reason : error;
    } finally {
      // Consumed or not, the S3 body is released on every path (a half-read socket must not leak).
      body.destroy?.();
    }
    const rejection = thresholdRejection(summary!, job.options.error_threshold);
    if (rejection) throw rejection;
    checkDeadline(job);
    if (job.timeLeftMs)
      await client.query(`set local statement_timeout = ${Math.max(1, Math.floor(job.timeLeftMs()))}`);
    const duplicatesStarted = performance.now();
    try {
      duplicates = await resolveDuplicates(
        client,
        job.importId,
        floor,
        copied,
        job.options.on_duplicate,
        job.limits.errorListLimit,
        summary!.no_repeated_emails === true,
      );
      timings.duplicates = Math.round(performance.now() - duplicatesStarted);
    } catch (error) {
      throw job.timeLeftMs && (error as { code?: string }).code === '57014' ? deadlineExceeded() : error;
    }
  } catch (error) {
    if (!isFinal(error)) throw error;
    await client.query('rollback to savepoint leads');
    const partial = summary ?? runner.progress;
    return buildResult({
      ...base,
      status: error instanceof RejectionError ? 'rejected' : 'failed',
      finishedAt: new Date(),
      summary: partial,
      errorCode: error.code,
      message: error.message,
      errorReportKey: reportWritten ? rejected!.key : null,
    });
  } finally {
    clearTimeout(timer);
  }
  return buildResult({
    ...base,
    status: 'succeeded',
    finishedAt: new Date(),
    summary,
    duplicates,
    importedCount: copied - (duplicates?.duplicate_count ?? 0),
    errorReportKey: reportWritten ? rejected!.key : null,
    timings,
  });
}

const deadlineExceeded = () =>
  new FileError(
    'DEADLINE_EXCEEDED',
    'The import ran out of time before the function deadline and was rolled back; split the file or raise the function timeout.',
  );

function checkDeadline(job: ImportJob): void {
  if (job.timeLeftMs && job.timeLeftMs() <= 0) throw deadlineExceeded();
}
