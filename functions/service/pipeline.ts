import { Deadline } from '#core/contract/deadline';
import { type FileError, isFinal, RejectionError } from '#core/contract/errors';
import type { EngineSummary } from '#core/contract/result';
import { type EngineLimits, thresholdRejection } from '#core/engine/lead-engine';
import type { ImportOptions } from '#core/contract/options';
import type { LoadedRuleSet } from '#core/contract/rule-set';
import { buildResult, type ImportResult, type ResultInput, type SourceRef } from '#core/contract/result';
import type { CopyPart } from '#core/copy/copy-output';
import type { DuplicateCheck } from '#io/duplicate-check';
import type { ImportClaim } from '#io/import-claim';
import { type ImportTransaction, withImportTransaction } from '#io/import-transaction';
import { createEngineRunner, type EngineRunner } from '#runtime/engine-runner';
import type pg from 'pg';

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
  /** A rule set given directly (the CLI's --rules FILE.json); otherwise `options.rule_set` names a stored one. */
  ruleSetFile?: LoadedRuleSet | undefined;
  limits: EngineLimits;
  /** Parse and validate in a worker thread (worth it above a few megabytes). */
  threaded: boolean;
  /** Replaces the worker thread's module (tests: a worker that crashes mid-file). */
  workerEntry?: URL;
  /** A problem found before reading (bad options, too large): recorded as a failed import. */
  precheck?: FileError | undefined;
  /** Opened only after the import is claimed, so a replayed event never reads the object. */
  openBody: () => Promise<ReadableBody>;
  rejectedRows?: RejectedRowsSink;
  /** Milliseconds left before the caller is killed (Lambda deadline minus a margin). */
  timeLeftMs?: () => number;
  onProgress?: (leadsRead: number) => void;
  /** Called once the import is claimed (not for a replay), before any byte is read. */
  onStart?: (importId: string) => Promise<void>;
  /** Where the file is parsed, once the engine starts (not called when no byte is read). */
  onEngine?: (kind: 'worker' | 'inline') => void;
}

export type ImportOutcome =
  | { replayed: false; result: ImportResult }
  | { replayed: true; result: ImportResult | null; importId: string };

/**
 * One import, one transaction: claim the object, load the leads, record the outcome, commit. A final
 * problem (bad file, rejection, deadline) discards the leads but commits the history row;
 * infrastructure trouble rolls everything back and throws for a retry.
 */
export async function runImport(pool: pg.Pool, job: ImportJob): Promise<ImportOutcome> {
  const startedAt = new Date();
  const deadline = new Deadline(job.timeLeftMs);
  try {
    const done = await withImportTransaction(pool, deadline, async (tx) => {
      const claim = await tx.claim(claimOf(job));
      if (!claim.claimed)
        return { replayed: true, result: claim.existing.result, importId: claim.existing.id } as const;
      const claimed = { ...job, importId: claim.importId };
      await job.onStart?.(claimed.importId);
      const result = await loadLeads(tx, claimed, deadline, startedAt);
      const commitStarted = performance.now();
      await tx.recordOutcome(result);
      return { replayed: false, result, commitStarted } as const;
    });
    if (!done.replayed && done.result.status === 'succeeded')
      done.result.timings_ms.commit = Math.round(performance.now() - done.commitStarted);
    return done.replayed ? done : { replayed: false, result: done.result };
  } finally {
    deadline.dispose();
  }
}

const claimOf = (job: ImportJob): ImportClaim => ({
  importId: job.importId,
  bucket: job.source.bucket,
  key: job.source.key,
  // An unversioned object keeps its ETag when the same bytes are uploaded again: a dry run and the
  // real import of the same file at the same key must be two imports, not a replay of one another.
  version: job.options.dry_run ? `${job.version}#dry-run` : job.version,
  filename: job.filename,
  size: job.source.size,
  uploader: job.uploader,
  options: job.options,
});

/** Open the leads, COPY the file, apply the threshold, resolve duplicates; a final problem discards the leads. */
async function loadLeads(
  tx: ImportTransaction,
  job: ImportJob,
  deadline: Deadline,
  startedAt: Date,
): Promise<ImportResult> {
  const report = new ReportWriter(job.rejectedRows);
  const base = { importId: job.importId, filename: job.filename, source: job.source, options: job.options, startedAt };
  let runner: EngineRunner | undefined;
  let ruleSet: LoadedRuleSet | undefined;
  try {
    await tx.openLeads(job.importId);
    if (job.precheck) throw job.precheck;
    ruleSet = await ruleSetOf(tx, job);
    const setup = { importId: job.importId, options: job.options, limits: job.limits, ruleSet };
    runner = createEngineRunner(setup, job.threaded, job.workerEntry);
    job.onEngine?.(runner.kind);
    deadline.check();
    const copyStarted = performance.now();
    const { copied, summary } = await copyFile(tx, job, runner, report);
    const copyMs = Math.round(performance.now() - copyStarted);
    const rejection = thresholdRejection(summary, job.options.error_threshold);
    if (rejection) throw rejection;
    const duplicatesStarted = performance.now();
    const { on_duplicate: policy } = job.options;
    const duplicates = await tx.resolveDuplicates(copied, policy, job.limits.errorListLimit, checksOf(job, summary));
    const timings = { copy: copyMs, duplicates: Math.round(performance.now() - duplicatesStarted) };
    const importedCount = copied - duplicates.duplicate_count;
    // A dry run went through everything above, duplicate checks and updates included; it keeps none of it.
    if (job.options.dry_run) await tx.discardLeads();
    return finish(
      { ...base, ruleSet: refOf(ruleSet), status: 'succeeded', summary, duplicates, importedCount, timings },
      report,
    );
  } catch (error) {
    if (!isFinal(error)) throw error;
    await tx.discardLeads();
    const status = error instanceof RejectionError ? 'rejected' : 'failed';
    const summary = runner?.summary ?? runner?.progress;
    const ref = refOf(ruleSet);
    return finish({ ...base, ruleSet: ref, status, summary, errorCode: error.code, message: error.message }, report);
  }
}

/**
 * The rule set the import applies, loaded before any byte of the file is read: the CLI's file, or
 * the uploader's stored one that `rule_set` names (unknown: RULE_SET_NOT_FOUND, final).
 */
async function ruleSetOf(tx: ImportTransaction, job: ImportJob): Promise<LoadedRuleSet | undefined> {
  if (job.ruleSetFile) return job.ruleSetFile;
  const name = job.options.rule_set;
  return name === undefined ? undefined : tx.loadRuleSet(job.uploader, name);
}

const refOf = (ruleSet: LoadedRuleSet | undefined) =>
  ruleSet ? { name: ruleSet.name, version: ruleSet.version } : null;

/** E-mails always; names too for `match_on: email_or_name` when the file has rows without e-mail. */
function checksOf(job: ImportJob, summary: EngineSummary): DuplicateCheck[] {
  const checks: DuplicateCheck[] = [{ key: 'email', noRepeatsInside: summary.no_repeated_emails === true }];
  if (job.options.match_on === 'email_or_name' && (summary.name_keys ?? 0) > 0)
    checks.push({ key: 'name', noRepeatsInside: summary.no_repeated_names === true });
  return checks;
}

/** Streams the object through the engine into COPY; the body is released on every path. */
async function copyFile(
  tx: ImportTransaction,
  job: ImportJob,
  runner: EngineRunner,
  report: ReportWriter,
): Promise<{ copied: number; summary: EngineSummary }> {
  const body = await job.openBody();
  async function* chunks(): AsyncGenerator<CopyPart> {
    for await (const out of runner.run(body)) {
      await report.write(out.rejected);
      job.onProgress?.(out.leadsRead);
      yield* out.copy;
    }
  }
  try {
    const copied = await tx.copy(chunks());
    return { copied, summary: runner.summary! };
  } finally {
    // Consumed or not, the S3 body is released (a half-read socket must not leak).
    body.destroy?.();
  }
}

const finish = (input: Omit<ResultInput, 'finishedAt' | 'errorReportKey'>, report: ReportWriter): ImportResult =>
  buildResult({ ...input, finishedAt: new Date(), errorReportKey: report.key });

/** The rejected-rows report: written as the file streams; its key goes in the result once written. */
class ReportWriter {
  readonly #sink: RejectedRowsSink | undefined;
  #written = false;
  constructor(sink: RejectedRowsSink | undefined) {
    this.#sink = sink;
  }
  async write(text: string | undefined): Promise<void> {
    if (text === undefined || !this.#sink) return;
    this.#written = true;
    await this.#sink.write(text);
  }
  get key(): string | null {
    return this.#written ? this.#sink!.key : null;
  }
}
