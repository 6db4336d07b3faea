import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LeadEngine, type EngineLimits, type EngineProgress } from '#core/engine/lead-engine';
import type { EngineSummary } from '#core/contract/result';
import { parseImportOptions, type ImportOptionsInput } from '#core/contract/options';
import { type CopyRow, decodeCopyRows } from '#test/copy-rows';
import { generateLeadCsv, prng } from '../../scripts/lib/lead-generator.ts';

/**
 * Everything the engine produces for a file: COPY bytes (and the rows they read back as, for a readable
 * difference), rejected rows, summary, and for each COPY part whether it holds whole rows up to the
 * count it claims (RecentLines maps refused rows by it).
 */
interface Outcome {
  copy?: string;
  rows?: CopyRow[];
  rejected?: string;
  summary?: EngineSummary;
  partsTrue?: boolean[];
  byteRows?: number;
  error?: { code: string; row?: number | undefined; column?: string | undefined; message: string };
  progress?: EngineProgress;
}

function run(bytes: Buffer, chunk: number, options: ImportOptionsInput, limits: Partial<EngineLimits>): Outcome {
  const engine = new LeadEngine('00000000-0000-4000-8000-000000000000', parseImportOptions(options), {
    ...DEFAULT_LIMITS,
    ...limits,
  });
  const copy: Buffer[] = [];
  let rejected = '';
  let rows = 0;
  const partsTrue: boolean[] = [];
  const take = (out: ReturnType<LeadEngine['write']>) => {
    for (const part of out.copy) {
      const b = Buffer.from(part.bytes);
      copy.push(b);
      rows += decodeCopyRows(b).length; // throws when the part ends inside a row
      partsTrue.push(rows === part.linesSoFar);
    }
    rejected += out.rejected ?? '';
  };
  try {
    for (let at = 0; at < bytes.length; at += chunk) take(engine.write(bytes.subarray(at, at + chunk)));
    const last = engine.end();
    take(last);
    return {
      copy: Buffer.concat(copy).toString('hex'),
      rows: decodeCopyRows(Buffer.concat(copy)),
      rejected,
      summary: last.summary,
      partsTrue,
      byteRows: engine.byteRows,
    };
  } catch (error) {
    const { code, row, column, message } = error as { code: string; row?: number; column?: string; message: string };
    return { error: { code, row, column, message }, progress: engine.progress };
  }
}

/**
 * Both ways, for each chunk size: the byte path (default) and text only. Asserts they agree, and that
 * every COPY part ends on a line with the count it claims; returns the text path's output.
 */
let lastByteRows = 0;

function both(text: string | Buffer, options: ImportOptionsInput = {}, chunks = [977, 65_536], limits = {}) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let reference: Outcome | undefined;
  for (const chunk of chunks) {
    reference = run(bytes, chunk, options, { ...limits, byteRecords: false });
    const fast = run(bytes, chunk, options, limits);
    const { partsTrue, byteRows, ...same } = fast;
    const { partsTrue: _, byteRows: none, ...expected } = reference;
    expect(none ?? 0).toBe(0);
    lastByteRows = byteRows ?? 0;
    expect(same, `chunk ${chunk}`).toEqual(expected);
    if (partsTrue) expect(partsTrue.every(Boolean)).toBe(true);
  }
  return reference!;
}

const HEADER =
  'company_name,industry,company_website,company_size,contact_name,contact_email,contact_phone,contact_title,notes';

/** Rows of every kind the byte path must hand to the text path, or get exactly right itself. */
function messyRows(seed: number, rows: number): string[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const companies = [
    'Acme',
    'Acme Inc.',
    ' Padded Co ',
    'Société Générale',
    'Müller GmbH',
    '',
    "O'Brien & Sons",
    'x'.repeat(256),
  ];
  const websites = [
    'https://acme.com',
    'acme.com',
    'www.Acme.COM/path',
    'https://acme.com/./a',
    'not a url',
    'http://acme',
    'https://bücher.de',
    '',
    `https://acme.com/${'p'.repeat(2100)}`,
  ];
  const emails = [
    'a.b@acme.com',
    'Zoe@Acme.Example',
    'bad@@x',
    "o'neil@x.io",
    '',
    '',
    'ünï@x.de',
    `${'a'.repeat(250)}@x.io`,
  ];
  const phones = ['(212) 555-0143', '+1 212 555 0143', '+44 20 7946 0958', '123', '', 'call me', '212-555-0143 ext 5'];
  const names = ['Jo Smith', '', "Ann-Marie O'Neil", 'Zoë', '  spaced  '];
  const notes = [
    '',
    'plain',
    '"quoted, comma"',
    '"doubled ""quote"""',
    '"multi\nline"',
    'back\\slash',
    'tab\there',
    'esc\x1b',
    'c1\u0085',
    '"a"b',
  ];
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const r = random();
    if (r < 0.01) lines.push('');
    else if (r < 0.02) lines.push('only,three,fields');
    else if (r < 0.03) lines.push(',,,,,,,,');
    else if (r < 0.04)
      lines.push(
        `${HEADER.split(',')
          .map(() => 'x')
          .join(',')},extra`,
      );
    else if (r < 0.05)
      lines.push(
        `${HEADER.split(',')
          .map(() => 'x')
          .join(',')},,`,
      );
    else {
      const company = pick(companies);
      lines.push(
        [
          /[,"\n]/.test(company) ? `"${company.replaceAll('"', '""')}"` : company,
          pick(['Software', '', 'Finance ']),
          pick(websites),
          pick(['1-10', '', '1000+']),
          pick(names),
          pick(emails),
          pick(phones),
          pick(['CTO', '']),
          pick(notes),
        ].join(','),
      );
    }
  }
  return lines;
}

const generated = (rows: number, noEmailRate: number) =>
  [...generateLeadCsv({ rows, invalidRate: 0.02, seed: 3, noEmailRate })].join('');

describe('LeadEngine: the byte path writes what the text path writes', () => {
  it('for generated leads, with and without e-mails (name keys), in any chunking', () => {
    const out = both(generated(4000, 0.3), { match_on: 'email_or_name' }, [1, 977, 65_536]);
    expect(out.summary?.valid_count).toBeGreaterThan(3800);
    // Nearly all of them by the byte path (the header, the first 64 KB and quoted doubled quotes by text).
    expect(lastByteRows).toBeGreaterThan(3000);
  });

  it('for quoted cells holding doubled quotes, line breaks, tabs and backslashes, in every column', () => {
    const random = prng(11);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
    // Values as the cell should read; each is written quoted (its quotes doubled) or, when it can be, bare.
    const text = [
      'Acme',
      'say "hi"',
      '"',
      'multi\nline',
      'crlf\r\nline',
      'C:\\temp',
      'tab\there',
      '\n edges \t',
      ' "padded" ',
      `${'x'.repeat(253)}"`,
      `${'x'.repeat(254)}"`,
      `${'y'.repeat(255)}`,
      '',
    ];
    const websites = ['https://acme.com', 'acme.com/"q"', 'acme.com/a\nb', ' acme.com '];
    const emails = ['a@acme.com', 'a"b@acme.com', '', 'x@y.io\n'];
    const phones = ['(212) 555-0143', '212 "555" 0143', '212\n555 0143', ''];
    const rows = [HEADER];
    for (let i = 0; i < 3000; i++) {
      const cells = [
        pick(text),
        pick(text),
        pick(websites),
        pick(text),
        pick(['Jo Smith', 'Jo "JJ" Smith', 'Jo\nSmith', '']),
        pick(emails),
        pick(phones),
        pick(text),
        pick(text),
      ];
      rows.push(cells.map((cell) => (/^[\w .@:/()-]*$/.test(cell) && random() < 0.5 ? cell : quote(cell))).join(','));
    }
    const out = both(`${rows.join('\n')}\n`, { match_on: 'email_or_name', error_threshold: 1 }, [1, 977, 65_536]);
    expect(out.summary?.failed_count).toBeGreaterThan(100);
    // About one row in ten has a plain e-mail, website and phone (a flagged one sends its row to the
    // text path); those go by the byte path, whatever their other cells hold. Were flagged cells sent
    // to the text path too, hardly a row in a hundred would.
    expect(lastByteRows).toBeGreaterThan(150);
  });

  it('for messy rows: invalid, blank, short and long, non-ASCII, quoted, escaped and control characters', () => {
    for (const seed of [1, 2, 3]) {
      for (const ending of ['\n', '\r\n', '\r']) {
        const text = `${HEADER}${ending}${messyRows(seed, 2000).join(ending)}${ending}`;
        const out = both(text, { error_threshold: 1 });
        expect(out.summary?.failed_count, `seed ${seed}`).toBeGreaterThan(100);
        expect(lastByteRows).toBeGreaterThan(20);
      }
    }
  });

  it('with other delimiters, columns in another order, split contact names and another phone region', () => {
    const rows = messyRows(9, 2500);
    const header = 'Notes;Email;Company;First Name;Last Name;Phone;Website';
    const text = `${header}\n${rows
      .map((row) => {
        const cells = row.split(',');
        return [cells[8], cells[5], cells[0], 'Ann', cells[4], cells[6], cells[2]].join(';');
      })
      .join('\n')}\n`;
    both(text, { error_threshold: 1, phone_region: 'DE' });
    both(text.replaceAll(';', '\t'), { error_threshold: 1 });
    both(generated(3000, 0), { mapping: { company_name: 'company_name', contact_email: 'contact_email' } });
  });

  it('for a UTF-8 BOM, a windows-1252 file and strict mode', () => {
    both(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(generated(2000, 0.1))]));
    both(Buffer.from(generated(2000, 0).replace('Acme', 'Caf\xe9'), 'latin1'), { encoding: 'windows-1252' });
    const strict = both(`${HEADER}\n${messyRows(4, 2000).join('\n')}\n`, { strict_mode: true });
    expect(strict.error?.code).toBe('STRICT_MODE_ROW_ERROR');
  });

  it('for long websites written as they normalize, when the output buffer must grow in the middle of a slice', () => {
    // Such a website is written twice (as written and normalized); its row must reserve room for both.
    const website = `https://acme.com/${'p'.repeat(900)}`;
    const rows = [HEADER, ...Array.from({ length: 4000 }, (_, i) => `Acme ${i},Software,,,,,,,`)];
    for (let block = 0; block < 4; block++) {
      for (let i = 0; i < 1200; i++) rows.push('A,,,,,,,,');
      for (let i = 0; i < 20; i++) rows.push(`B${i},,${website},,,,,,`);
    }
    both(`${rows.join('\n')}\n`, {}, [65_536, 977]);
    expect(lastByteRows).toBeGreaterThan(6000);
  });

  it('for file errors found after the header: a quote never closed, a record too large, bad UTF-8', () => {
    const body = generated(1500, 0);
    const unclosed = both(`${body}"Open quote,never closed\n${'x,'.repeat(50)}\n`);
    expect(unclosed.error?.code).toBe('CSV_QUOTE_NOT_CLOSED');
    const large = both(`${body}Big,${'é'.repeat(3000)}\n`, {}, [977, 65_536], { maxRecordChars: 2000 });
    expect(large.error).toMatchObject({ code: 'CSV_RECORD_TOO_LARGE', row: 1502 });
    const fits = both(`${body}Big,${'é'.repeat(1500)}\n`, { error_threshold: 1 }, [977], { maxRecordChars: 2000 });
    expect(fits.summary?.total_leads).toBe(1501);
    const invalid = both(Buffer.concat([Buffer.from(body), Buffer.from([0x41, 0xff, 0x0a])]));
    expect(invalid.error?.code).toBe('ENCODING_INVALID');
  });
});
