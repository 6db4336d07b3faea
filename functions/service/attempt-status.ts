import type { S3Client } from '@aws-sdk/client-s3';
import { asImportError } from '#core/contract/errors';
import type { ImportOptions } from '#core/contract/options';
import { buildResult, type ResultInput, type SourceRef } from '#core/contract/result';
import { errorFields, log } from '#io/log';
import { putJson } from '#io/s3';
import { ProgressReporter } from './progress.ts';

export interface AttemptSetup {
  s3: S3Client;
  bucket: string;
  resultKey: string;
  filename: string;
  source: SourceRef;
  options: ImportOptions;
  progressIntervalMs: number;
}

/**
 * The `processing` result a poller sees while one attempt runs: a first snapshot once the import is
 * claimed, progress at a bounded rate, and, when the attempt fails after its claim, a snapshot
 * saying so (nothing was committed, a retry follows) so the result never says "reading" forever.
 */
export class AttemptStatus {
  readonly #setup: AttemptSetup;
  readonly #startedAt = new Date();
  readonly #progress: ProgressReporter;
  /** Set once the import is claimed: the id the claim settled on (a reused grant id gets a fresh one). */
  #importId: string | undefined;

  constructor(setup: AttemptSetup) {
    this.#setup = setup;
    this.#progress = new ProgressReporter(
      (rows) => this.#snapshot({ summary: { total_leads: rows } }),
      setup.progressIntervalMs,
      (error) =>
        log.warn('progress_write_failed', { bucket: setup.bucket, key: setup.resultKey, ...errorFields(error) }),
    );
  }

  /** The claimed import's id, once claimed. */
  get importId(): string | undefined {
    return this.#importId;
  }

  claimed(importId: string): Promise<void> {
    this.#importId = importId;
    return this.#progress.start();
  }

  leadsRead(rows: number): void {
    this.#progress.update(rows);
  }

  /** No snapshot lands after this resolves, so the final result written next is the last word. */
  stop(): Promise<void> {
    return this.#progress.stop();
  }

  /** Best effort: S3 itself may be what failed. */
  async failed(error: unknown): Promise<void> {
    await this.stop();
    if (this.#importId === undefined) return;
    // Only documented codes: ENOSPC, a TypeError and the like are named as ours.
    const { code, message } = asImportError(error);
    await this.#snapshot({
      message: `An attempt failed (${code}: ${message}); nothing was imported and the import will be retried.`,
      errorCode: code,
    }).catch(() => {});
  }

  #snapshot(extra: Pick<ResultInput, 'summary' | 'message' | 'errorCode'>): Promise<void> {
    const { s3, bucket, resultKey, filename, source, options } = this.#setup;
    const result = buildResult({
      importId: this.#importId!,
      status: 'processing',
      filename,
      source,
      options,
      startedAt: this.#startedAt,
      finishedAt: null,
      ...extra,
    });
    return putJson(s3, bucket, resultKey, result);
  }
}
