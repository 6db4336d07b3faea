import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLUMN_MAX_CHARS, LEAD_COLUMNS, type LeadColumn } from '#core/contract/columns';
import { DEFAULT_LIMITS, LeadEngine } from '#core/engine/lead-engine';
import { parseImportOptions } from '#core/contract/options';
import { copyLeads } from '#io/copy-leads';
import { freshDatabase, type TestDatabase } from '#test/database';
import { prng } from '../../scripts/lib/lead-generator.ts';

/**
 * Property: whatever the validator accepts, the COPY accepts. Rows are generated to pass validation at
 * the edges (maximum lengths counted in characters, multi-byte and astral characters, quotes,
 * backslashes, `\.`, tabs and line breaks (other control characters fail validation), characters percent-encoding multiplies), run through the
 * engine, and COPYed into the real `leads` table as the importer does.
 */

/** Characters that stress COPY text, UTF-8 and URL encoding; none is whitespace, so nothing is trimmed. */
const HARD = [
  'é',
  'ß',
  '中',
  '😀',
  '𝔘',
  '"',
  "'",
  '\\',
  '\\.',
  '%',
  '<',
  '>',
  '{',
  '}',
  '|',
  '^',
  '`',
  '\u00ad',
  '=',
  '+',
  '-',
  '@',
  'a',
  'Z',
  '9',
];
/** Characters allowed inside a cell but not at its edges (trimmed there). */
const INNER = [...HARD, ' ', '\t', '\n', '\r\n', '\u00a0'];

function generator(seed: number) {
  const next = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const length = (max: number) => (next() < 0.4 ? max : 1 + Math.floor(next() * max));
  /** Exactly `chars` characters (code points), solid at both edges. */
  const text = (chars: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < chars; i++) {
      const last = i === chars - 1;
      // No C0/C1 control characters: a cell holding one fails validation (CONTROL_CHARACTER), so it is
      // not a row the validator accepts.
      const ch = pick(i === 0 || last ? HARD : INNER);
      // Two-character picks go only where both fit, before the last character.
      if (ch.length === 2 && ch !== '😀' && ch !== '𝔘') {
        if (i + 1 >= chars - 1) {
          parts.push('a');
          continue;
        }
        i++;
      }
      parts.push(ch);
    }
    return parts.join('');
  };
  const website = (): string => {
    const prefix = `${pick(['', 'http://', 'HTTPS://'])}acme${Math.floor(next() * 1000)}.example/`;
    // No whitespace: a website with a space is simply not a URL; these must reach the URL encoder.
    return prefix + text(length(COLUMN_MAX_CHARS.company_website - prefix.length)).replace(/\s/g, 'x');
  };
  /** A valid address of up to 254 characters: a long local part and 60-character labels. */
  const email = (): string => {
    const total = length(COLUMN_MAX_CHARS.contact_email);
    const local = 'x'.repeat(Math.min(64, Math.max(1, total - 10)));
    let domain = 'com';
    while (local.length + domain.length + 3 <= total) {
      const n = Math.min(60, total - local.length - domain.length - 2);
      domain = `${'d'.repeat(n)}.${domain}`;
    }
    return `${local}@${domain.includes('.') ? domain : `d.${domain}`}`;
  };
  const phone = (): string =>
    pick([
      () => `+1 212 555 ${String(Math.floor(next() * 10_000)).padStart(4, '0')}`,
      () => '9'.repeat(length(COLUMN_MAX_CHARS.contact_phone)),
      () => `+${'4'.repeat(length(40))}`,
      () => text(length(COLUMN_MAX_CHARS.contact_phone)),
    ])();
  const cell = (column: LeadColumn): string => {
    if (column !== 'company_name' && next() < 0.15) return '';
    if (column === 'company_website') return website();
    if (column === 'contact_email') return email();
    if (column === 'contact_phone') return phone();
    return text(length(COLUMN_MAX_CHARS[column]));
  };
  return () => LEAD_COLUMNS.map(cell);
}

const csvCell = (value: string) => `"${value.replaceAll('"', '""')}"`;
const csvFile = (rows: string[][]) =>
  [LEAD_COLUMNS.join(','), ...rows.map((row) => row.map(csvCell).join(','))].join('\r\n') + '\r\n';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await freshDatabase();
  pool = new pg.Pool({ connectionString: db.importerUrl, max: 1 });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('whatever validation accepts, COPY accepts', () => {
  it.each([1, 2, 3, 4, 5, 6])(
    'seed %i: 150 rows at the edges import, every written value stored as written',
    async (seed) => {
      // Prepare
      const row = generator(seed);
      const rows = Array.from({ length: 150 }, row);
      const importId = `00000000-0000-4000-8000-00000000000${seed}`;
      const engine = new LeadEngine(importId, parseImportOptions({}), DEFAULT_LIMITS);
      const bytes = Buffer.from(csvFile(rows), 'utf8');
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += 65_536) {
        const out = engine.write(bytes.subarray(at, at + 65_536));
        for (const part of out.copy) chunks.push(Buffer.from(part.bytes));
      }
      const last = engine.end();
      for (const part of last.copy) chunks.push(Buffer.from(part.bytes));
      // The generator must produce rows the validator accepts, or the property says nothing.
      expect(last.summary.error_details).toEqual([]);
      expect(last.summary.valid_count).toBe(rows.length);
      // Act
      const client = await pool.connect();
      let copied: number;
      try {
        copied = await copyLeads(
          client,
          (async function* () {
            let lines = 0;
            for (const bytes of chunks) {
              lines += bytes.toString('utf8').split('\n').length - 1;
              yield { bytes, linesSoFar: lines };
            }
          })(),
        );
      } finally {
        client.release();
      }
      // Assess
      expect(copied).toBe(rows.length);
      const stored = await db.admin.query<Record<LeadColumn, string | null>>(
        `select ${LEAD_COLUMNS.join(', ')} from leads where import_id = $1 order by source_row`,
        [importId],
      );
      expect(stored.rows).toEqual(
        rows.map((r) => Object.fromEntries(LEAD_COLUMNS.map((c, i) => [c, r[i] === '' ? null : r[i]]))),
      );
    },
  );
});
