import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '#core/engine/lead-engine';
import { parseImportOptions, type MatchOn } from '#core/contract/options';
import type { ImportResult } from '#core/contract/result';
import { revertImport } from '#io/revert';
import { csvText } from '#test/csv';
import { countLeads } from '#test/database';
import { useFileImports } from '#test/import-harness';
import { importFile } from '#service/file-import';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const files = useFileImports('name-match');

type Policy = 'skip' | 'update' | 'allow';
const HEAD = ['Company', 'Contact', 'Email', 'Phone', 'Notes'];

let run = 0;
/** A company name unique to one test (no name is a prefix of another), so tests never match each other's leads. */
const firm = (name: string) => `${name} T${++run}Z`;

async function importRows(rows: string[][], on_duplicate: Policy = 'skip', match_on: MatchOn = 'email_or_name') {
  const result = await files.importText(csvText([HEAD, ...rows]), { on_duplicate, match_on });
  expect(result.status, result.message).toBe('succeeded');
  return result;
}

const leadsOf = async (company: string) =>
  (
    await files.db.admin.query<{ id: string; company_name: string; contact_name: string; phone: string | null }>(
      `select id, company_name, contact_name, contact_phone as phone, notes, import_id from leads
       where company_name ilike $1 order by id`,
      [`${company}%`],
    )
  ).rows;

describe('match_on email_or_name: within one file', () => {
  it.each<[Policy, number, number, number]>([
    ['skip', 2, 1, 0],
    ['update', 2, 1, 0],
    ['allow', 3, 0, 0],
  ])('under %s: imports %i, %i duplicate(s), %i updated', async (policy, imported, duplicates, updated) => {
    // Prepare
    const acme = firm('Acme');
    // Act
    const result = await importRows(
      [
        [`${acme} Inc.`, 'Jane Doe', '', '', 'first'],
        [`${acme.toUpperCase()}, LLC`, 'jane  DOE', '', '(212) 555-0143', 'second'],
        [`${acme} Inc.`, 'John Doe', '', '', 'other person'],
      ],
      policy,
    );
    // Assess
    expect(result).toMatchObject({ imported_count: imported, duplicate_count: duplicates, updated_count: updated });
    if (policy !== 'allow') {
      expect(result.duplicates).toEqual([
        {
          row: 3,
          email: null,
          matched_on: 'name',
          duplicate_of_row: 2,
          duplicate_of_lead_id: null,
          action: policy === 'update' ? 'updated' : 'skipped',
        },
      ]);
      const [jane] = await leadsOf(acme);
      // update within the file fills the kept row from the later one (non-empty cells win).
      expect(jane?.phone).toBe(policy === 'update' ? '(212) 555-0143' : null);
    }
  });

  it('does not match by name under the default match_on email', async () => {
    const acme = firm('Acme');
    const result = await importRows(
      [
        [acme, 'Jane Doe', '', '', ''],
        [acme, 'Jane Doe', '', '', ''],
      ],
      'skip',
      'email',
    );
    expect(result).toMatchObject({ imported_count: 2, duplicate_count: 0 });
  });
});

describe('match_on email_or_name: against the table', () => {
  it.each<[Policy, number, number, number]>([
    ['skip', 1, 2, 0],
    ['update', 1, 2, 2],
    ['allow', 3, 0, 0],
  ])('under %s: imports %i, %i duplicate(s), %i updated', async (policy, imported, duplicates, updated) => {
    // Prepare
    const acme = firm('Müller');
    const earlier = await importRows([
      [`${acme} GmbH`, 'Anna Schmidt', '', '', 'kept'],
      [`${acme} GmbH`, 'Ben Weber', '', '', 'kept too'],
    ]);
    const [anna, ben] = await leadsOf(acme);
    // Act
    const result = await importRows(
      [
        [`${acme} GmbH & Co. KG`, 'ANNA SCHMIDT', '', '+49 30 1234567', ''],
        [`${acme}`, 'Ben  Weber', '', '', 'new note'],
        [`${acme} GmbH`, 'Clara Vogel', '', '', 'a new person'],
      ],
      policy,
    );
    // Assess
    expect(result).toMatchObject({ imported_count: imported, duplicate_count: duplicates, updated_count: updated });
    if (policy !== 'allow') {
      expect(result.duplicates).toEqual([
        expect.objectContaining({ row: 2, matched_on: 'name', duplicate_of_lead_id: Number(anna!.id) }),
        expect.objectContaining({ row: 3, matched_on: 'name', duplicate_of_lead_id: Number(ben!.id) }),
      ]);
    }
    const after = await leadsOf(acme);
    expect(after).toHaveLength(2 + imported);
    if (policy === 'update') {
      expect(after[0]).toMatchObject({ id: anna!.id, company_name: `${acme} GmbH`, phone: '+49 30 1234567' });
      expect(after[1]).toMatchObject({ id: ben!.id, notes: 'new note' });
    }
    expect(earlier.imported_count).toBe(2);
  });

  it('matches legal-form and case variants, not different people at one company, nor leads with an e-mail', async () => {
    // Prepare
    const base = firm('Banque');
    await importRows([
      [`${base} S.A.`, "Jean-Luc O'Neil", '', '', ''],
      [`${base} SA`, 'Marie Curie', 'marie@banque.example', '', ''],
    ]);
    // Act
    const result = await importRows([
      [`${base.toUpperCase()} s.a.`, "jean luc o'neil", '', '', ''],
      [`${base} SARL`, 'Jean-Luc ONeil', '', '', ''],
      [`${base} SA`, 'Pierre Curie', '', '', ''],
      [`${base} SA`, 'Marie Curie', '', '', ''],
      [`${base} SA`, '', '', '', 'no contact name: never matches'],
      [`${base} SA`, '', '', '', 'no contact name: never matches'],
    ]);
    // Assess
    expect(result.duplicates.map((d) => [d.row, d.matched_on])).toEqual([
      [2, 'name'],
      [3, 'name'],
    ]);
    expect(result).toMatchObject({ imported_count: 4, duplicate_count: 2 });
  });

  it('matches e-mails and names in one import and says which key matched', async () => {
    const acme = firm('Acme');
    const result = await importRows([
      [acme, 'Jane Doe', `jane.${run}@acme.example`, '', ''],
      [acme, 'Jane Doe', `JANE.${run}@acme.example`, '', ''],
      [acme, 'John Roe', '', '', ''],
      [`${acme} Ltd`, 'john roe', '', '', ''],
    ]);
    expect(result.duplicates.map((d) => [d.row, d.matched_on, d.duplicate_of_row])).toEqual([
      [3, 'email', 2],
      [5, 'name', 4],
    ]);
  });
});

describe('match_on email_or_name: concurrency and revert', () => {
  it('keeps each person once when concurrent imports share name keys', async () => {
    // Prepare: 6 files, each with the same 200 people (in another order and spelling) and 50 of its own.
    const company = firm('Concurrent');
    const people = Array.from({ length: 200 }, (_, i) => `Person ${i}`);
    const texts = Array.from({ length: 6 }, (_, f) =>
      csvText([
        HEAD,
        ...people
          .map((p, i) => [
            f % 2 ? `${company} Inc` : `${company.toUpperCase()} LLC`,
            f % 3 ? p : p.toUpperCase(),
            '',
            '',
            `${i}`,
          ])
          .reverse(),
        ...Array.from({ length: 50 }, (_, i) => [`${company} Inc`, `Own ${f}-${i}`, '', '', '']),
      ]),
    );
    const pools = texts.map(() => new pg.Pool({ connectionString: files.db.importerUrl, max: 1 }));
    // Act
    const results: ImportResult[] = await Promise.all(
      texts.map(async (text, f) => {
        const path = join(files.dir, `concurrent-${f}.csv`);
        await writeFile(path, text);
        return importFile(
          pools[f]!,
          path,
          parseImportOptions({ match_on: 'email_or_name' }),
          DEFAULT_LIMITS,
          Number.MAX_SAFE_INTEGER,
        );
      }),
    );
    await Promise.all(pools.map((p) => p.end()));
    // Assess
    for (const r of results) expect(r.status, r.message).toBe('succeeded');
    expect(results.reduce((n, r) => n + r.imported_count, 0)).toBe(200 + 6 * 50);
    expect(results.reduce((n, r) => n + r.duplicate_count, 0)).toBe(5 * 200);
    const { rows } = await files.db.admin.query<{ n: number; keys: number }>(
      'select count(*)::int as n, count(distinct name_key)::int as keys from leads where company_name ilike $1',
      [`${company}%`],
    );
    expect(rows[0]).toEqual({ n: 500, keys: 500 });
  });

  it('reverts an update by name: the earlier lead gets its values back', async () => {
    // Prepare
    const acme = firm('Revert');
    await importRows([[`${acme} Inc`, 'Rita Revert', '', '', 'original note']]);
    const snapshot = async () =>
      (
        await files.db.admin.query('select to_jsonb(l) as row from leads l where company_name ilike $1 order by id', [
          `${acme}%`,
        ])
      ).rows;
    const before = await snapshot();
    const update = await importRows(
      [
        [`${acme} LLC`, 'rita revert', '', '(212) 555-0143', 'changed note'],
        [`${acme} LLC`, 'Someone New', '', '', ''],
      ],
      'update',
    );
    expect(update).toMatchObject({ imported_count: 1, updated_count: 1, duplicate_count: 1 });
    expect((await snapshot())[0]).not.toEqual(before[0]);
    // Act
    const outcome = await revertImport(files.db.admin, update.import_id);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'reverted', removed_leads: 1, restored_leads: 1 });
    expect(await snapshot()).toEqual(before);
    expect(await countLeads(files.db, 'import_id = $1', [update.import_id])).toBe(0);
  });
});
