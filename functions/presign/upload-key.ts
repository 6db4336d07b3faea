import { createHash } from 'node:crypto';
import { UPLOAD_PREFIX } from '#core/contract/keys';
import { PresignError } from './errors.ts';

/**
 * Object keys for presigned uploads. The server chooses the key; a client's file name is only a
 * label and never becomes a path:
 *
 * - only the part after the last `/` or `\` is kept (`../../x.csv` -> `x.csv`); nothing is
 *   percent-decoded, so `%2e%2e%2f` stays literal text and is then replaced;
 * - names that do not end in `.csv` (any case) are refused (415 NOT_CSV): the importer only
 *   takes CSV, and the bucket notification only fires for `.csv` / `.CSV`;
 * - in the stem, every character other than letters, digits, space, `_`, `-`, `(` and `)` becomes
 *   `_`: that removes NUL and control characters, dots (so no `..`, no hidden files, and no
 *   `.rejected.csv` / `.result.json` ending can be produced) and anything that needs escaping;
 * - the name is capped at MAX_NAME_CHARS characters, keeping the `.csv` (always lower case).
 */
export const MAX_NAME_CHARS = 100;
const EXTENSION = '.csv';
const FALLBACK_STEM = 'upload';

export function safeFileName(filename: string): string {
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1).normalize('NFC');
  if (!base.toLowerCase().endsWith(EXTENSION)) {
    throw new PresignError('NOT_CSV', 'Only .csv files can be imported: the file name must end in .csv.');
  }
  const stem = base
    .slice(0, -EXTENSION.length)
    .replace(/[^\p{L}\p{N} _()-]/gu, '_')
    .replace(/\s+/g, ' ')
    .trim();
  const capped = Array.from(stem)
    .slice(0, MAX_NAME_CHARS - EXTENSION.length)
    .join('')
    .trimEnd();
  return (capped === '' ? FALLBACK_STEM : capped) + EXTENSION;
}

const SAFE_CALLER = /^[A-Za-z0-9_-]{1,64}$/;
const HASHED_PREFIX = 'u-';

/**
 * The JWT subject as one path segment. Cognito subjects (UUIDs) are kept as they are; anything
 * else (`auth0|123`, an e-mail, a long id) becomes `u-` + a SHA-256 prefix, so no subject can
 * smuggle in a `/` or `..`. Two different subjects never share a folder: kept subjects never start
 * with `u-` (those are hashed too), so a kept folder never equals a hashed one, such as a subject
 * `u-<hex>` chosen to equal the hashed folder of `auth0|victim`.
 */
export function callerSegment(subject: string): string {
  if (SAFE_CALLER.test(subject) && !subject.startsWith(HASHED_PREFIX)) return subject;
  return HASHED_PREFIX + createHash('sha256').update(subject, 'utf8').digest('hex').slice(0, 32);
}

/** `uploads/<caller>/<import id>/<safe name>.csv` */
export const uploadKey = (caller: string, importId: string, safeName: string): string =>
  `${UPLOAD_PREFIX}${caller}/${importId}/${safeName}`;
