import { describe, expect, it } from 'vitest';
import {
  REJECTED_FILE_BOM,
  RowErrorLog,
  csvLine,
  describeProblem,
  formatRowError,
  neutralizeCell,
  rejectedHeaderLine,
  rejectedRowLine,
  type RowErrorDetail,
} from '#core/contract/row-report';

const detail = (row: number): RowErrorDetail => ({
  row,
  column: 'contact_email',
  value: 'bad',
  code: 'INVALID_EMAIL',
  message: 'not a valid e-mail address',
});

describe('formatRowError', () => {
  it('names the row and the column', () => {
    expect(formatRowError(detail(31))).toBe('Row 31: contact_email: not a valid e-mail address');
  });

  it('names only the row when the problem has no column', () => {
    expect(formatRowError({ row: 7, column: null, message: 'has 3 fields but the header has 2' })).toBe(
      'Row 7: has 3 fields but the header has 2',
    );
  });
});

describe('RowErrorLog', () => {
  it('keeps the first errors up to the limit and flags the rest as truncated', () => {
    // Prepare
    const log = new RowErrorLog(2);
    // Act
    for (const row of [2, 3, 4, 5]) log.add(detail(row));
    // Assess
    expect(log.details.map((d) => d.row)).toEqual([2, 3]);
    expect(log.truncated).toBe(true);
    expect(log.details.map(formatRowError)).toEqual([
      'Row 2: contact_email: not a valid e-mail address',
      'Row 3: contact_email: not a valid e-mail address',
    ]);
    expect(describeProblem(log.details[0]!)).toBe('contact_email: not a valid e-mail address');
  });

  it('is not truncated when exactly the limit was added', () => {
    const log = new RowErrorLog(2);
    log.add(detail(2));
    log.add(detail(3));
    expect(log.details).toHaveLength(2);
    expect(log.truncated).toBe(false);
  });

  it('with a limit of zero keeps nothing but still records the truncation', () => {
    const log = new RowErrorLog(0);
    log.add(detail(2));
    expect(log.details).toEqual([]);
    expect(log.truncated).toBe(true);
  });
});

describe('neutralizeCell (CSV injection)', () => {
  it.each(['=HYPERLINK("http://evil.example")', '+1+2', '-2+3', '@SUM(A1:A2)', '\tcmd', '\rcmd'])(
    'prefixes %j with an apostrophe',
    (value) => {
      expect(neutralizeCell(value)).toBe(`'${value}`);
    },
  );

  it.each([' =1+1', '\n=1+1', '  \n @SUM(A1)', '\u00a0+cmd', ' -2+3', '\r\n=cmd', '\v=1'])(
    'prefixes %j, whose first non-whitespace character starts a formula, with an apostrophe',
    (value) => {
      expect(neutralizeCell(value)).toBe(`'${value}`);
    },
  );

  it('guards a formula after leading whitespace or a newline inside a quoted rejected-rows cell', () => {
    expect(csvLine([' =1+1', '\n=1+1'])).toBe(`' =1+1,"'\n=1+1"\r\n`);
  });

  it.each(['Acme', 'a=b', '1+1', 'x@y.com', '', "'already", '  Acme = 1', ' '])('leaves %j alone', (value) => {
    expect(neutralizeCell(value)).toBe(value);
  });
});

describe('csvLine', () => {
  it('joins cells with commas and ends the line with CRLF', () => {
    expect(csvLine(['a', 'b', ''])).toBe('a,b,\r\n');
  });

  it('quotes cells with commas, quotes, CR or LF and doubles inner quotes', () => {
    expect(csvLine(['a,b', 'say "hi"', 'line 1\nline 2', 'x\ry'])).toBe(
      '"a,b","say ""hi""","line 1\nline 2","x\ry"\r\n',
    );
  });

  it('neutralizes before quoting, so the apostrophe lands inside the quotes', () => {
    expect(csvLine(['=1,2', '\r=cmd', '@x'])).toBe(`"'=1,2","'\r=cmd",'@x\r\n`);
  });
});

describe('rejected-rows file', () => {
  it('starts the header line with a UTF-8 BOM, then row and error columns', () => {
    expect(REJECTED_FILE_BOM).toBe('\uFEFF');
    expect(rejectedHeaderLine(['Company', 'E-mail, work'])).toBe('\uFEFFrow,error,Company,"E-mail, work"\r\n');
  });

  it('writes the row number, the error and the original cells, neutralized and quoted', () => {
    const line = rejectedRowLine(12, 'contact_email: not a valid e-mail address', [
      '=cmd|/c calc',
      'Acme, Inc.',
      '-bad@',
    ]);
    expect(line).toBe(`12,contact_email: not a valid e-mail address,'=cmd|/c calc,"Acme, Inc.",'-bad@\r\n`);
  });
});
