import { describe, expect, it } from 'vitest';
import { SPECIAL_CHARACTER_BYTE, specialCharacterPattern } from '#core/text/special-characters';

describe('the characters the tokenizers single out (special-characters)', () => {
  it('are tab, LF, CR and backslash, by pattern and by byte alike', () => {
    const special = specialCharacterPattern();
    const byPattern = Array.from({ length: 256 }, (_, b) => b).filter((b) => special.test(String.fromCharCode(b)));
    const byTable = Array.from({ length: 256 }, (_, b) => b).filter((b) => SPECIAL_CHARACTER_BYTE[b] !== 0);
    expect(byPattern).toEqual([9, 10, 13, 92]);
    expect(byTable).toEqual(byPattern);
  });

  it('are found anywhere in a string by the global pattern', () => {
    expect('a\tb\\c\r\nd'.match(specialCharacterPattern('g'))).toEqual(['\t', '\\', '\r', '\n']);
  });
});
