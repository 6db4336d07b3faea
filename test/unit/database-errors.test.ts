import { describe, expect, it } from 'vitest';
import { INFRA_ERROR_CODES } from '#core/contract/errors';
import {
  databaseFailure,
  isDataRefusal,
  isTransientDatabaseError,
  isUnreadableCopy,
  TRANSIENT_DATABASE_CODES,
} from '#io/database-errors';
import { expectImportError } from '#test/expect-error';
import { LASTING_PG_ERRORS, PASSING_PG_ERRORS } from '#test/pg-errors';

describe('databaseFailure', () => {
  it('maps a refused login, a statement timeout and a lock timeout to their own retried codes, SQLSTATE kept', () => {
    const login = databaseFailure(PASSING_PG_ERRORS['login refused (28P01)'], 'looking up a rule set');
    expectImportError(login, 'DATABASE_UNAVAILABLE', {
      message: ['refused the login while looking up a rule set', '28P01'],
      detail: { sqlstate: '28P01' },
    });
    const statement = databaseFailure(PASSING_PG_ERRORS['statement timeout (57014)'], 'listing rule sets');
    expectImportError(statement, 'STATEMENT_TIMEOUT', {
      message: ['timed out or was cancelled while listing rule sets', '57014'],
      detail: { sqlstate: '57014' },
    });
    const lock = databaseFailure(PASSING_PG_ERRORS['lock timeout (55P03)'], 'importing');
    expectImportError(lock, 'LOCK_TIMEOUT', { detail: { sqlstate: '55P03' } });
    const full = databaseFailure(PASSING_PG_ERRORS['too many connections (53300)'], 'listing imports');
    expectImportError(full, 'DATABASE_UNAVAILABLE', { detail: { sqlstate: '53300' } });
    for (const error of [login, statement, lock, full]) expect(isTransientDatabaseError(error)).toBe(true);
  });

  it('keeps any other refused statement as DATABASE_ERROR, which is not transient', () => {
    for (const [what, pg] of Object.entries(LASTING_PG_ERRORS)) {
      const error = databaseFailure(pg, 'looking up a rule set');
      expectImportError(error, 'DATABASE_ERROR', { detail: { sqlstate: pg.code } });
      expect(isTransientDatabaseError(error), what).toBe(false);
    }
    expect(isTransientDatabaseError(new Error('bug'))).toBe(false);
  });

  it('lists only retried InfraError codes as transient', () => {
    expect([...TRANSIENT_DATABASE_CODES].every((code) => INFRA_ERROR_CODES.includes(code))).toBe(true);
    expect([...TRANSIENT_DATABASE_CODES].sort()).toEqual(['DATABASE_UNAVAILABLE', 'LOCK_TIMEOUT', 'STATEMENT_TIMEOUT']);
  });
});

describe('isDataRefusal and isUnreadableCopy (a COPY that fails)', () => {
  const pgError = (code: string, severity = 'ERROR') => Object.assign(new Error(code), { code, severity });

  it('blames the data for class 22 and 23, but not for rows the server could not read', () => {
    for (const code of ['22001', '22P02', '23502', '23514']) {
      expect(isDataRefusal(pgError(code)), code).toBe(true);
      expect(isUnreadableCopy(pgError(code)), code).toBe(false);
    }
    for (const code of ['22P03', '22P04', '08P01']) {
      expect(isUnreadableCopy(pgError(code)), code).toBe(true);
      expect(isDataRefusal(pgError(code)), code).toBe(false);
    }
  });

  it('leaves a FATAL protocol violation, which ends the connection, to the retried failures', () => {
    expect(isUnreadableCopy(pgError('08P01', 'FATAL'))).toBe(false);
    expect(isDataRefusal(pgError('08P01', 'FATAL'))).toBe(false);
    expect(isDataRefusal(new Error('socket hang up'))).toBe(false);
  });
});
