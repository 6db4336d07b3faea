import { InfraError, type InfraErrorCode, LeadImportError } from '#core/contract/errors';

/** SQLSTATEs and socket codes that mean the connection is gone (or never came). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  // too_many_connections: the server is full for now (every Lambda instance holds one).
  '53300',
]);
/** pg's own wording when a socket dies or a connection attempt times out (these carry no code). */
const CONNECTION_LOST = /terminat|connection|timeout exceeded when trying to connect/i;
/** invalid_password: the role does not exist (yet) or its password is being rotated. */
const LOGIN_REFUSED = '28P01';
/** query_canceled: statement_timeout ran out, or someone cancelled the statement. */
const QUERY_CANCELED = '57014';
/** lock_not_available: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Database trouble that passes: the connection or the login failed, a lock or a statement timed out.
 * A request that meets one answers 503 with Retry-After (presign and the caller's API alike); any
 * other database error (DATABASE_ERROR: a refused statement, a missing grant) is a bug and answers 500.
 */
export const TRANSIENT_DATABASE_CODES: ReadonlySet<InfraErrorCode> = new Set([
  'DATABASE_UNAVAILABLE',
  'LOCK_TIMEOUT',
  'STATEMENT_TIMEOUT',
]);

/** Whether the error is passing database trouble (TRANSIENT_DATABASE_CODES), worth a retry in a moment. */
export const isTransientDatabaseError = (error: unknown): error is InfraError =>
  error instanceof InfraError && TRANSIENT_DATABASE_CODES.has(error.code);

export interface PgErrorFields {
  code?: string;
  message?: string;
  detail?: string;
  severity?: string;
  where?: string;
}

const isConnectionLoss = (e: PgErrorFields): boolean =>
  (e.code !== undefined && CONNECTION_CODES.has(e.code)) || CONNECTION_LOST.test(e.message ?? '');

/**
 * The server could not read the COPY rows the importer wrote, whatever the file held:
 * invalid_binary_representation and bad_copy_file_format (class 22, yet not the data), and
 * protocol_violation as a statement ERROR (a field whose length is too short for its type), though
 * not as a FATAL, which ends the connection and is retried as such.
 */
export const isUnreadableCopy = (error: unknown): boolean => {
  const e = error as PgErrorFields | undefined;
  return e?.code === '22P03' || e?.code === '22P04' || (e?.code === '08P01' && e.severity === 'ERROR');
};

/** The server refused the data itself (SQLSTATE class 22 data exception or 23 integrity violation). */
export const isDataRefusal = (error: unknown): boolean => {
  const e = error as PgErrorFields | undefined;
  return e?.severity !== undefined && /^2[23]/.test(e.code ?? '') && !isUnreadableCopy(e);
};

/**
 * Maps a pg or socket error to an InfraError (retried) with SQLSTATE and detail kept; our own
 * typed errors and anything that is not from the database pass through.
 */
export function databaseFailure(error: unknown, doing: string): Error {
  if (error instanceof LeadImportError) return error;
  const e = (error ?? {}) as PgErrorFields;
  const lost = isConnectionLoss(e);
  if (e.severity === undefined && !lost) return error instanceof Error ? error : new Error(String(error));
  const sqlstate = e.code;
  const context = { cause: error, detail: { sqlstate, detail: e.detail } };
  if (sqlstate === LOCK_NOT_AVAILABLE)
    return new InfraError('LOCK_TIMEOUT', `Timed out waiting for a database lock while ${doing}`, context);
  if (sqlstate === QUERY_CANCELED)
    return new InfraError(
      'STATEMENT_TIMEOUT',
      `A database statement timed out or was cancelled while ${doing} (SQLSTATE ${sqlstate})`,
      context,
    );
  if (sqlstate === LOGIN_REFUSED)
    return new InfraError(
      'DATABASE_UNAVAILABLE',
      `The database refused the login while ${doing} (SQLSTATE ${sqlstate}): the role may not exist yet, or its password is being rotated`,
      context,
    );
  if (lost)
    return new InfraError('DATABASE_UNAVAILABLE', `Database connection lost while ${doing}: ${e.message}`, context);
  return new InfraError(
    'DATABASE_ERROR',
    `Database error while ${doing}: ${e.message}${sqlstate ? ` (SQLSTATE ${sqlstate})` : ''}`,
    context,
  );
}

/** Runs one database call; a pg or socket error comes out as databaseFailure maps it. */
export async function databaseCall<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw databaseFailure(error, doing);
  }
}
