/**
 * Typed errors with machine codes. Codes are derived from const arrays so the
 * union type and the runtime list cannot drift apart.
 */

/** Problems with the file as a whole: final, written to the result, never retried. */
export const FILE_ERROR_CODES = [
  'FILE_TOO_LARGE',
  'EMPTY_FILE',
  'BINARY_CONTENT',
  'ENCODING_INVALID',
  'MISSING_COMPANY_COLUMN',
  'DUPLICATE_COLUMN',
  'CSV_QUOTE_NOT_CLOSED',
  'CSV_RECORD_TOO_LARGE',
  'INVALID_OPTIONS',
  'DEADLINE_EXCEEDED',
  'ROW_REFUSED_BY_DATABASE',
  'ENGINE_FAILED',
  'RULE_SET_NOT_FOUND',
] as const;
export type FileErrorCode = (typeof FILE_ERROR_CODES)[number];

/** Validation refused the file (status `rejected`): final, never retried. */
export const REJECTION_CODES = ['STRICT_MODE_ROW_ERROR', 'ERROR_THRESHOLD_EXCEEDED'] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Infrastructure trouble: the handler throws so Lambda retries. */
export const INFRA_ERROR_CODES = [
  'DATABASE_UNAVAILABLE',
  'DATABASE_ERROR',
  'LOCK_TIMEOUT',
  // statement_timeout ran out (or the statement was cancelled): a retry may meet a less busy database.
  'STATEMENT_TIMEOUT',
  'S3_READ_ERROR',
  'S3_WRITE_ERROR',
  'CONFIG_MISSING',
  // The temporary disk filled up (the rejected-rows file is capped below the function's storage,
  // so something else used it): a retry runs on a clean instance.
  'TEMP_STORAGE_FULL',
  // Anything the importer did not expect (a bug, a crashed worker): retried, then RETRIES_EXHAUSTED.
  'INTERNAL_ERROR',
] as const;
export type InfraErrorCode = (typeof INFRA_ERROR_CODES)[number];

/** Written by the finisher when Lambda gave up on an event: every attempt failed, or it aged out. */
export const GIVE_UP_CODES = ['RETRIES_EXHAUSTED'] as const;
export type GiveUpCode = (typeof GIVE_UP_CODES)[number];

/** Per-row problems: data, not exceptions. */
export const ROW_ERROR_CODES = [
  'REQUIRED',
  'TOO_LONG',
  'INVALID_EMAIL',
  'FIELD_COUNT_MISMATCH',
  'INVALID_TEXT',
  // A rule set's rules (core/rule-checker.ts), on top of the built-in ones.
  'RULE_REQUIRED',
  'RULE_TOO_LONG',
  'RULE_NOT_ALLOWED',
  'RULE_PATTERN',
  'RULE_EMAIL_DOMAIN',
  'RULE_PHONE',
  'CONTROL_CHARACTER',
] as const;
export type RowErrorCode = (typeof ROW_ERROR_CODES)[number];

export type ImportErrorCode = FileErrorCode | RejectionCode | InfraErrorCode | GiveUpCode;

interface ErrorContext {
  row?: number;
  column?: string;
  cause?: unknown;
  detail?: Record<string, unknown>;
}

export abstract class LeadImportError extends Error {
  abstract readonly code: ImportErrorCode;
  readonly row: number | undefined;
  readonly column: string | undefined;
  readonly detail: Record<string, unknown> | undefined;
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.row = context.row;
    this.column = context.column;
    this.detail = context.detail;
  }
}

/** The file cannot be imported as sent; the uploader must fix it. */
export class FileError extends LeadImportError {
  override readonly name = 'FileError';
  constructor(
    readonly code: FileErrorCode,
    message: string,
    context?: ErrorContext,
  ) {
    super(message, context);
  }
}

/** Validation rules refused the file (strict mode, error threshold). */
export class RejectionError extends LeadImportError {
  override readonly name = 'RejectionError';
  constructor(
    readonly code: RejectionCode,
    message: string,
    context?: ErrorContext,
  ) {
    super(message, context);
  }
}

/** Something outside the file broke; retrying may succeed. */
export class InfraError extends LeadImportError {
  override readonly name = 'InfraError';
  constructor(
    readonly code: InfraErrorCode,
    message: string,
    context?: ErrorContext,
  ) {
    super(message, context);
  }
}

/** Final errors describe the file: the same file fails the same way again, so they are never retried. */
export const isFinal = (error: unknown): error is FileError | RejectionError =>
  error instanceof FileError || error instanceof RejectionError;

/**
 * The importer failing in a way that is not the file's fault (a bug, memory exhausted, rows
 * PostgreSQL cannot read): the same file would fail the same way again, so it is final, never
 * retried. One wording wherever it is raised; `what` says what happened.
 */
export const engineFailed = (
  what: string,
  context: { cause?: unknown; detail?: Record<string, unknown> } = {},
): FileError =>
  new FileError(
    'ENGINE_FAILED',
    `The importer stopped (${what}); nothing was imported. Split the file and upload the parts; if it keeps happening, report it with the import id.`,
    context,
  );

/**
 * Any thrown value as one of ours, so only documented codes reach `error_code`: Node's resource
 * failures get their own code and a plain message, everything else is INTERNAL_ERROR. The original
 * stays as the cause, for the logs.
 */
export function asImportError(error: unknown): LeadImportError {
  if (error instanceof LeadImportError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY')
    // Final: the same file would run out the same way (the engine runner reports its own worker so too).
    return engineFailed('it ran out of memory', { cause: error });
  if (code === 'ENOSPC')
    return new InfraError(
      'TEMP_STORAGE_FULL',
      'The temporary disk filled up while writing the rejected-rows file; nothing was imported.',
      { cause: error },
    );
  return new InfraError('INTERNAL_ERROR', 'An unexpected error stopped the import; nothing was imported.', {
    cause: error,
  });
}
