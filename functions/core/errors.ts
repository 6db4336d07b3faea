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
  'S3_READ_ERROR',
  'S3_WRITE_ERROR',
  'CONFIG_MISSING',
] as const;
export type InfraErrorCode = (typeof INFRA_ERROR_CODES)[number];

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

export type ImportErrorCode = FileErrorCode | RejectionCode | InfraErrorCode;

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

export const isFinal = (error: unknown): error is FileError | RejectionError =>
  error instanceof FileError || error instanceof RejectionError;
