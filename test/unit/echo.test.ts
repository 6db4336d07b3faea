import { describe, expect, it } from 'vitest';
import { ECHO_MAX_CHARS, echo, echoOrNull } from '#core/contract/echo';

describe('echo (cells and headers quoted back to the uploader)', () => {
  it('keeps text up to ECHO_MAX_CHARS characters as it is', () => {
    expect(echo('a'.repeat(ECHO_MAX_CHARS))).toBe('a'.repeat(ECHO_MAX_CHARS));
    // 200 astral characters are 400 UTF-16 units but 200 characters, as PostgreSQL counts them.
    expect(echo('😀'.repeat(ECHO_MAX_CHARS))).toBe('😀'.repeat(ECHO_MAX_CHARS));
    expect(echoOrNull(null)).toBeNull();
  });

  it('cuts longer text to ECHO_MAX_CHARS characters and says how long it was', () => {
    expect(echo('b'.repeat(1_000_000))).toBe(`${'b'.repeat(ECHO_MAX_CHARS)}… [cut: 1000000 characters]`);
  });

  it('never splits an astral character', () => {
    const cut = echo(`a${'😀'.repeat(300)}`);
    expect(cut).toBe(`a${'😀'.repeat(ECHO_MAX_CHARS - 1)}… [cut: 301 characters]`);
  });
});
