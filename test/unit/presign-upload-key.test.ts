import { describe, expect, it } from 'vitest';
import { isImportableKey } from '#core/contract/keys';
import { PresignError, type PresignErrorCode } from '../../functions/presign/errors.ts';
import { callerSegment, MAX_NAME_CHARS, safeFileName, uploadKey } from '../../functions/presign/upload-key.ts';

const ID = '0b6f3c1e-8a2d-4f5b-9c7e-1d2e3f4a5b6c';

function expectPresignError(act: () => unknown, code: PresignErrorCode, status: number): void {
  let thrown: unknown;
  try {
    act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(PresignError);
  expect(thrown).toMatchObject({ code, status });
}

/** Every safe name must be one path segment that the importer imports and never mistakes for its output. */
function expectSafe(name: string): void {
  expect(name).not.toMatch(/[/\\\0\x01-\x1f\x7f]/);
  expect(name).not.toContain('..');
  expect(name.startsWith('.')).toBe(false);
  expect(name.endsWith('.csv')).toBe(true);
  expect(name.toLowerCase().endsWith('.rejected.csv')).toBe(false);
  expect(name.toLowerCase().endsWith('.result.json')).toBe(false);
  expect(Array.from(name).length).toBeLessThanOrEqual(MAX_NAME_CHARS);
  const key = uploadKey('local-user', ID, name);
  expect(key.split('/')).toEqual(['uploads', 'local-user', ID, name]);
  expect(isImportableKey(key)).toBe(true);
}

describe('safeFileName: a client file name is a label, never a path', () => {
  it.each([
    ['leads.csv', 'leads.csv'],
    ['Q3 leads (final).CSV', 'Q3 leads (final).csv'],
    ['Müller Söhne.csv', 'Müller Söhne.csv'],
  ])('keeps an ordinary name %j as %j', (input, expected) => {
    expect(safeFileName(input)).toBe(expected);
    expectSafe(safeFileName(input));
  });

  it.each([
    ['../../etc/passwd.csv', 'passwd.csv'],
    ['..\\..\\windows\\leads.csv', 'leads.csv'],
    ['/absolute/path/leads.csv', 'leads.csv'],
    ['uploads/other-user/leads.csv', 'leads.csv'],
  ])('drops directories from %j', (input, expected) => {
    expect(safeFileName(input)).toBe(expected);
  });

  it('does not percent-decode: %2e%2e%2f stays text and is replaced', () => {
    expect(safeFileName('%2e%2e%2fleads.csv')).toBe('_2e_2e_2fleads.csv');
    expect(safeFileName('%2e%2e/leads.csv')).toBe('leads.csv');
    expectSafe(safeFileName('%2e%2e%2f%2e%2e%2fleads.csv'));
  });

  it('replaces NUL and control characters', () => {
    expect(safeFileName('lea\0ds\r\n\t.csv')).toBe('lea_ds___.csv');
    expectSafe(safeFileName('a\0b\x1f\x7f.csv'));
  });

  it('turns every dot of the stem into _, so no .., hidden file or double extension survives', () => {
    expect(safeFileName('...csv')).toBe('__.csv');
    expect(safeFileName('.hidden.csv')).toBe('_hidden.csv');
    expect(safeFileName('leads.2025.csv')).toBe('leads_2025.csv');
    expect(safeFileName('a..b.csv')).toBe('a__b.csv');
  });

  it('cannot produce the importer outputs .rejected.csv or .result.json', () => {
    expect(safeFileName('leads.csv.rejected.csv')).toBe('leads_csv_rejected.csv');
    expect(safeFileName('LEADS.REJECTED.CSV')).toBe('LEADS_REJECTED.csv');
    expect(safeFileName('leads.csv.result.json.csv')).toBe('leads_csv_result_json.csv');
    for (const name of ['x.rejected.csv', 'x.Rejected.CSV', 'x.result.json.csv']) expectSafe(safeFileName(name));
  });

  it('caps a 2 KB name at 100 characters and keeps .csv', () => {
    const name = safeFileName('a'.repeat(2048) + '.csv');
    expect(name).toBe('a'.repeat(MAX_NAME_CHARS - 4) + '.csv');
    expectSafe(safeFileName('é'.repeat(2048) + '.csv'));
    expectSafe(safeFileName('../'.repeat(700) + 'x.csv'));
  });

  it('names an upload whose stem is empty after cleaning "upload.csv"', () => {
    expect(safeFileName('.csv')).toBe('upload.csv');
    expect(safeFileName('dir/   .csv')).toBe('upload.csv');
  });

  it.each(['leads.txt', 'leads.csv.exe', 'leads', 'leads.csv/', 'leads.csv\0', 'leads.csv ', 'leads.xlsx', ''])(
    'refuses %j (not .csv) with 415 NOT_CSV',
    (input) => expectPresignError(() => safeFileName(input), 'NOT_CSV', 415),
  );
});

describe('callerSegment: the JWT subject as one path segment', () => {
  it('keeps a Cognito subject (a UUID) as it is', () => {
    expect(callerSegment('7d0e8d42-1c2a-4f6b-9e81-3b5a6c7d8e9f')).toBe('7d0e8d42-1c2a-4f6b-9e81-3b5a6c7d8e9f');
    expect(callerSegment('local-user')).toBe('local-user');
  });

  it.each([
    'auth0|5f7c8ec7c33c6c004bbafe82',
    'maria@example.com',
    '../../admin',
    '.',
    '..',
    'a/b',
    'x'.repeat(65),
    'a\0b',
  ])('hashes %j into u-<hex>', (subject) => {
    const segment = callerSegment(subject);
    expect(segment).toMatch(/^u-[0-9a-f]{32}$/);
  });

  it('hashes a subject that already has the shape of a hashed folder, so it cannot take over another folder', () => {
    const victim = callerSegment('auth0|victim');
    expect(victim).toMatch(/^u-[0-9a-f]{32}$/);
    const attacker = callerSegment(victim);
    expect(attacker).toMatch(/^u-[0-9a-f]{32}$/);
    expect(attacker).not.toBe(victim);
    expect(callerSegment('u-local')).not.toBe('u-local');
  });

  it('never gives two subjects one folder: kept subjects and hashed folders cannot meet', () => {
    const subjects = ['local-user', 'u', 'U-abc', 'auth0|victim', 'maria@example.com', 'x'.repeat(65)];
    subjects.push(...subjects.map((subject) => callerSegment(subject)));
    const folders = new Map<string, string>();
    for (const subject of new Set(subjects)) {
      const folder = callerSegment(subject);
      expect(folders.get(folder), `${subject} and ${folders.get(folder)}`).toBeUndefined();
      folders.set(folder, subject);
    }
  });

  it('gives different subjects different folders, even when they clean up alike', () => {
    expect(callerSegment('auth0|abc')).not.toBe(callerSegment('auth0_abc'));
    expect(callerSegment('auth0|abc')).not.toBe(callerSegment('auth0/abc'));
    expect(callerSegment('auth0|abc')).toBe(callerSegment('auth0|abc'));
  });
});
