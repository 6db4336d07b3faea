import { describe, expect, it } from 'vitest';
import { COPY_ESCAPE_LETTER, copySpecialPattern } from '#core/copy-text';

describe('the characters the tokenizers single out (copy-text)', () => {
  it('are tab, LF, CR and backslash, by pattern and by byte alike', () => {
    const special = copySpecialPattern();
    const byPattern = Array.from({ length: 256 }, (_, b) => b).filter((b) => special.test(String.fromCharCode(b)));
    const byTable = Array.from({ length: 256 }, (_, b) => b).filter((b) => COPY_ESCAPE_LETTER[b] !== 0);
    expect(byPattern).toEqual([9, 10, 13, 92]);
    expect(byTable).toEqual(byPattern);
  });

  it('give each its COPY text letter', () => {
    expect(String.fromCharCode(COPY_ESCAPE_LETTER[9]!, COPY_ESCAPE_LETTER[10]!, COPY_ESCAPE_LETTER[13]!)).toBe('tnr');
    expect(COPY_ESCAPE_LETTER[92]).toBe(92);
  });
});
