import { describe, expect, it } from 'vitest';
import { detectDelimiter } from '#core/parse/delimiter';

describe('detectDelimiter', () => {
  it.each([
    ['comma', 'company,email,phone\nAcme,a@acme.com,555\nBeta,b@beta.io,556\n', ','],
    ['semicolon (European Excel)', 'company;email;phone\nAcme;a@acme.com;555\nBeta;b@beta.io;556\n', ';'],
    ['tab', 'company\temail\tphone\nAcme\ta@acme.com\t555\n', '\t'],
    ['pipe', 'company|email|phone\nAcme|a@acme.com|555\n', '|'],
    ['CRLF line ends', 'company;email\r\nAcme;a@acme.com\r\nBeta;b@beta.io\r\n', ';'],
    ['no trailing newline', 'company|email\nAcme|a@acme.com', '|'],
  ])('detects %s', (_name, sample, expected) => {
    // Act
    const delimiter = detectDelimiter(sample);
    // Assess
    expect(delimiter).toBe(expected);
  });

  it('ignores delimiters inside quoted cells', () => {
    // Prepare: the commas inside the notes outnumber the real semicolons
    const sample = 'company;notes\nAcme;"big, bold, brash, bright"\n"Beta, Inc.";"x, y, z"\n';
    // Act / Assess
    expect(detectDelimiter(sample)).toBe(';');
  });

  it('ignores delimiters inside a quoted cell that spans lines and contains doubled quotes', () => {
    const sample = 'company,notes\nAcme,"line one; ""two""; three\nline four; five; six"\nBeta,plain\n';
    expect(detectDelimiter(sample)).toBe(',');
  });

  it('prefers the delimiter whose count is consistent over one that only appears on the header', () => {
    const sample = 'company,note;s;x\nAcme,one\nBeta,two\nGamma,three\n';
    expect(detectDelimiter(sample)).toBe(',');
  });

  it('prefers the delimiter with more columns when both are consistent', () => {
    expect(detectDelimiter('a;b;c,d\n1;2;3,4\n')).toBe(';');
  });

  it('breaks a tie in favour of the comma', () => {
    expect(detectDelimiter('a;b,c\n1;2,3\n')).toBe(',');
    expect(detectDelimiter('a|b\tc\n1|2\t3\n')).toBe('\t');
  });

  it('falls back to the comma for a single column or an empty sample', () => {
    expect(detectDelimiter('company\nAcme\nBeta\n')).toBe(',');
    expect(detectDelimiter('')).toBe(',');
  });
});
