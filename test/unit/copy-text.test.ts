import { describe, expect, it } from 'vitest';
import { NULL_FIELD, copyField } from '#core/copy-text';

describe('copyField (PostgreSQL COPY text format)', () => {
  it('writes \\N for null and undefined', () => {
    expect(NULL_FIELD).toBe('\\N');
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
  });

  it('keeps an empty string distinct from NULL', () => {
    expect(copyField('')).toBe('');
  });

  it('returns plain text unchanged', () => {
    expect(copyField('Société Générale 東京 🚀')).toBe('Société Générale 東京 🚀');
  });

  it.each([
    ['backslash', 'C:\\temp', 'C:\\\\temp'],
    ['tab', 'a\tb', 'a\\tb'],
    ['newline', 'line 1\nline 2', 'line 1\\nline 2'],
    ['carriage return', 'a\rb', 'a\\rb'],
    ['all of them, repeated', '\\\t\n\r\\\t\n\r', '\\\\\\t\\n\\r\\\\\\t\\n\\r'],
    ['a literal \\N text, which must not read back as NULL', '\\N', '\\\\N'],
  ])('escapes %s', (_name, value, expected) => {
    // Act
    const field = copyField(value);
    // Assess
    expect(field).toBe(expected);
    expect(field).not.toMatch(/[\t\n\r]/);
  });
});
