/** Objects the importer acts on: CSV uploads under uploads/, never its own outputs. */
export const UPLOAD_PREFIX = 'uploads/';
export const RESULT_SUFFIX = '.result.json';
export const REJECTED_SUFFIX = '.rejected.csv';

export const resultKeyFor = (key: string): string => key + RESULT_SUFFIX;
export const rejectedKeyFor = (key: string): string => key + REJECTED_SUFFIX;

export function isImportableKey(key: string): boolean {
  const lower = key.toLowerCase();
  return key.startsWith(UPLOAD_PREFIX) && lower.endsWith('.csv') && !lower.endsWith(REJECTED_SUFFIX);
}

/**
 * S3 event keys are URL-encoded with `+` for spaces (application/x-www-form-urlencoded). Undefined
 * when the key is not valid percent-encoding: no object can have that key, so there is nothing to do.
 */
export function decodeEventKey(key: string): string | undefined {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

export const fileNameOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/** The inverse, as S3 writes keys into event notifications (slashes kept, spaces as `+`). */
export const encodeEventKey = (key: string): string =>
  key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%20/g, '+'))
    .join('/');
