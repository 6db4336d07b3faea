import { expect } from 'vitest';
import {
  FILE_ERROR_CODES,
  FileError,
  INFRA_ERROR_CODES,
  InfraError,
  LeadImportError,
  RejectionError,
  type ImportErrorCode,
} from '#core/contract/errors';

export interface ExpectedErrorContext {
  /** Spreadsheet row the error names (`undefined` asserts that it names none). */
  row?: number | undefined;
  /** Column the error names (`undefined` asserts that it names none). */
  column?: string | undefined;
  /** Fragments (or patterns) the human message must contain. */
  message?: string | RegExp | (string | RegExp)[];
  /** Subset of `error.detail` that must match. */
  detail?: Record<string, unknown>;
}

const classFor = (code: ImportErrorCode) =>
  (FILE_ERROR_CODES as readonly string[]).includes(code)
    ? FileError
    : (INFRA_ERROR_CODES as readonly string[]).includes(code)
      ? InfraError
      : RejectionError;

/**
 * The one way tests assert an import error: by class (derived from the code), code and context.
 * `subject` is either a function expected to throw synchronously or an error value returned by
 * the code under test (for example by thresholdRejection). Returns the error for further checks.
 */
export function expectImportError(
  subject: unknown,
  code: ImportErrorCode,
  context: ExpectedErrorContext = {},
): LeadImportError {
  let error: unknown = subject;
  if (typeof subject === 'function') {
    error = undefined;
    let returned: unknown;
    try {
      returned = (subject as () => unknown)();
    } catch (thrown) {
      error = thrown;
    }
    expect(
      returned,
      'expectImportError takes synchronous code; await a promise with rejects instead',
    ).not.toBeInstanceOf(Promise);
  }
  expect(error, `expected a ${code} error`).toBeInstanceOf(LeadImportError);
  const importError = error as LeadImportError;
  expect({ code: importError.code, message: importError.message }).toMatchObject({ code });
  expect(importError).toBeInstanceOf(classFor(code));
  expect(importError.name).toBe(classFor(code).name);
  if ('row' in context) expect(importError.row, 'row').toBe(context.row);
  if ('column' in context) expect(importError.column, 'column').toBe(context.column);
  const fragments =
    context.message === undefined ? [] : Array.isArray(context.message) ? context.message : [context.message];
  for (const fragment of fragments) {
    if (typeof fragment === 'string') expect(importError.message).toContain(fragment);
    else expect(importError.message).toMatch(fragment);
  }
  if (context.detail !== undefined) expect(importError.detail).toMatchObject(context.detail);
  return importError;
}
