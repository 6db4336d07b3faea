import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FILE_ERROR_CODES,
  GIVE_UP_CODES,
  INFRA_ERROR_CODES,
  REJECTION_CODES,
  ROW_ERROR_CODES,
} from '#core/contract/errors';
import { API_ERROR_CODES } from '../../functions/api/errors.ts';
import { PRESIGN_ERROR_CODES } from '../../functions/presign/errors.ts';

/** The codes in the README's "Error codes" table (first column of each row). */
function documentedCodes(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('### Error codes');
  expect(start).toBeGreaterThan(-1);
  const section = readme.slice(start, readme.indexOf('\n### ', start + 1));
  return [...section.matchAll(/^\| `([A-Z0-9_]+)` /gm)].map((m) => m[1]!);
}

describe('error codes', () => {
  it('every code the code base can emit is documented in the README, and every documented code exists', () => {
    // Prepare
    const emitted = new Set<string>([
      ...FILE_ERROR_CODES,
      ...REJECTION_CODES,
      ...INFRA_ERROR_CODES,
      ...GIVE_UP_CODES,
      ...ROW_ERROR_CODES,
      ...PRESIGN_ERROR_CODES,
      ...API_ERROR_CODES,
    ]);
    // Act
    const documented = documentedCodes();
    // Assess
    expect(new Set(documented).size).toBe(documented.length);
    expect([...emitted].filter((code) => !documented.includes(code))).toEqual([]);
    expect(documented.filter((code) => !emitted.has(code))).toEqual([]);
  });
});
