import { describe, expect, it } from 'vitest';
import { COLUMN_MAX_CHARS, LEAD_COLUMNS, type LeadColumn } from '#core/contract/columns';
import { leadRowSchema, validateRow } from '#core/rows/validate-row';

const EMPTY: Record<LeadColumn, string | null> = {
  company_name: null,
  industry: null,
  company_website: null,
  company_size: null,
  contact_name: null,
  contact_email: null,
  contact_phone: null,
  contact_title: null,
  notes: null,
};
const cells = (values: Partial<Record<LeadColumn, string | null>>) => ({ ...EMPTY, company_name: 'Acme', ...values });

describe('validateRow', () => {
  it('accepts a complete row and returns it unchanged', () => {
    // Prepare
    const row = cells({
      industry: 'Analytics',
      company_website: 'https://acme.example',
      company_size: '11-50',
      contact_name: 'Zoë Müller',
      contact_email: 'zoe@acme.example',
      contact_phone: '(212) 555-0143',
      contact_title: 'CTO',
      notes: 'Met at the fair',
    });
    // Act
    const result = validateRow(row);
    // Assess
    expect(result).toEqual({ ok: true, row });
  });

  it('keeps empty optional cells as null', () => {
    const result = validateRow(cells({}));
    expect(result).toEqual({ ok: true, row: cells({}) });
  });

  it('requires company_name', () => {
    expect(validateRow(cells({ company_name: null }))).toEqual({
      ok: false,
      problems: [{ column: 'company_name', code: 'REQUIRED', message: 'is required' }],
    });
  });

  it('accepts a 255-character company name and refuses 256 characters', () => {
    expect(validateRow(cells({ company_name: 'x'.repeat(255) })).ok).toBe(true);
    expect(validateRow(cells({ company_name: 'x'.repeat(256) }))).toEqual({
      ok: false,
      problems: [{ column: 'company_name', code: 'TOO_LONG', message: 'longer than 255 characters' }],
    });
  });

  it.each([
    ['accented letters', 'é'],
    ['CJK characters', '東'],
    ['astral emoji (two UTF-16 units each)', '😀'],
    ['astral CJK extension B', '𠀋'],
  ])('counts characters, not UTF-16 units or bytes: 255 %s pass, 256 do not', (_name, ch) => {
    expect(validateRow(cells({ company_name: ch.repeat(255) })).ok).toBe(true);
    expect(validateRow(cells({ company_name: ch.repeat(256) }))).toMatchObject({
      ok: false,
      problems: [{ column: 'company_name', code: 'TOO_LONG' }],
    });
  });

  it.each<[LeadColumn, number]>([
    ['industry', 255],
    ['contact_name', 255],
    ['contact_title', 255],
    ['company_website', 2048],
    ['notes', 10_000],
  ])('limits %s to %i characters', (column, max) => {
    expect(validateRow(cells({ [column]: 'y'.repeat(max) })).ok).toBe(true);
    expect(validateRow(cells({ [column]: 'y'.repeat(max + 1) }))).toEqual({
      ok: false,
      problems: [{ column, code: 'TOO_LONG', message: `longer than ${max} characters` }],
    });
  });

  it.each(['a@b.co', 'A@B.CO', 'first.last+tag@sub.example.co.uk', "o'brien@example.ie", 'x_y-z@acme-corp.io'])(
    'accepts the e-mail %s',
    (email) => {
      expect(validateRow(cells({ contact_email: email })).ok).toBe(true);
    },
  );

  it.each(['a@b', 'a@@b.com', 'a b@c.com', '@b.com', 'a@', 'plainaddress', 'a@b..com', 'a..b@c.com', 'a@b.com.'])(
    'refuses the e-mail %j',
    (email) => {
      expect(validateRow(cells({ contact_email: email }))).toEqual({
        ok: false,
        problems: [{ column: 'contact_email', code: 'INVALID_EMAIL', message: 'not a valid e-mail address' }],
      });
    },
  );

  it('refuses an e-mail longer than 254 characters with TOO_LONG', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.io`;
    expect(email.length).toBe(257);
    expect(validateRow(cells({ contact_email: email }))).toMatchObject({
      ok: false,
      problems: [{ column: 'contact_email', code: 'TOO_LONG' }],
    });
  });

  it('reports every problem of the row, each on its column', () => {
    const result = validateRow(cells({ company_name: null, contact_email: 'nope', notes: 'n'.repeat(10_001) }));
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.problems.map((p) => [p.column, p.code])).toEqual([
      ['company_name', 'REQUIRED'],
      ['contact_email', 'INVALID_EMAIL'],
      ['notes', 'TOO_LONG'],
    ]);
  });
});

/** Deterministic pseudo-random numbers (no flaky tests). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cells near every rule's edge: lengths around each limit (astral characters count twice in UTF-16), e-mails valid and not. */
function generatedCells(random: () => number): Record<LeadColumn, string | null> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const CHARS = ['a', 'Z', '0', '.', '-', '+', "'", '_', '@', ' ', 'é', '😀', '\t', '"'];
  const text = (length: number) => Array.from({ length }, () => pick(CHARS)).join('');
  const EMAIL_PARTS = ['ann', 'a.b', '.a', 'a.', 'a..b', "o'neil", 'x+tag', '-', '_', '1', 'é', ''];
  const DOMAINS = ['example.com', 'ex-ample.co', '-bad.com', 'a.b', 'x.y.org', 'localhost', 'ex_ample.com', 'b.c1', ''];
  const cells = {} as Record<LeadColumn, string | null>;
  for (const column of LEAD_COLUMNS) {
    const roll = random();
    const max = COLUMN_MAX_CHARS[column];
    if (roll < 0.25) cells[column] = null;
    else if (column === 'contact_email' && roll < 0.9)
      cells[column] =
        random() < 0.05
          ? `${'a'.repeat(max - 12 + Math.floor(random() * 4))}@example.com`
          : `${pick(EMAIL_PARTS)}${pick(EMAIL_PARTS)}@${pick(DOMAINS)}`;
    else if (roll < 0.6) cells[column] = text(1 + Math.floor(random() * 12));
    else {
      // Around the limit: a run of one character, sometimes astral (2 UTF-16 units, 1 character).
      const length = max - 3 + Math.floor(random() * 6);
      const unit = random() < 0.5 ? 'a' : '😀';
      const astral = unit === 'a' ? 0 : Math.floor(random() * length);
      cells[column] = unit.repeat(astral) + 'b'.repeat(length - astral);
    }
  }
  return cells;
}

describe('validateRow against the zod schema', () => {
  it("gives zod's answer on every generated row: valid or not, the same row, the same problems", () => {
    const random = prng(19);
    let valid = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const cells = generatedCells(random);
      const reference = leadRowSchema.safeParse(cells);
      const result = validateRow(cells);
      if (result.ok) valid++;
      const same = result.ok
        ? reference.success && LEAD_COLUMNS.every((c) => result.row[c] === reference.data[c])
        : !reference.success && result.problems.length === reference.error.issues.length;
      if (!same) disagreements.push(JSON.stringify(cells).slice(0, 300));
    }
    expect(disagreements).toEqual([]);
    // Both outcomes are well represented, so the comparison means something.
    expect(valid).toBeGreaterThan(250);
    expect(valid).toBeLessThan(4_750);
  });
});
