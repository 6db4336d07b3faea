import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { DEFAULT_LIMITS } from '#core/lead-engine';
import { nameKey } from '#core/name-key';
import { parseImportOptions } from '#core/options';
import { MIGRATIONS } from '#db/index';
import { migrate } from '#io/migrate';
import { backfillNameKeys } from '#io/name-key-backfill';
import { importFile } from '#service/file-import';
import { csvText } from '#test/csv';
import { IMPORTER } from '#test/importer-role';
import { withDatabase } from '../../scripts/lib/postgres-server.ts';

/**
 * A database as the version before migration 006 left it, with leads it wrote (no name_key column
 * at all), then `migrate` as a deploy runs it.
 */
const OLD_LEADS: [company: string, contact: string | null, email: string | null][] = [
  ['Acme Inc.', 'Jane Doe', null],
  ['Müller GmbH & Co. KG', 'Jörg Müller', null],
  ['Acme Inc.', 'Jane Doe', 'jane@acme.example'],
  ['Nameless Ltd', null, null],
  ['Dots Ltd', '...', null],
  ['Blank Co', ' - ', null],
  ['Globex', 'Hank Scorpio', null],
  ['Initech LLC', 'Bill Lumbergh', null],
];

const serverUrl = () => inject('pgAdminUrl');
// The run's prefix: global teardown drops this database even if the file dies midway.
const name = `${inject('pgTemplate').replace(/_tmpl$/, '')}_old_${randomBytes(4).toString('hex')}`;
let db: pg.Client;
let dir: string;

async function server<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await server((c) => c.query(`create database ${name}`));
  db = new pg.Client({ connectionString: withDatabase(serverUrl(), name) });
  await db.connect();
  // What `migrate` did before 006 existed.
  await db.query(
    'create table schema_migrations (name text primary key, applied_at timestamptz not null default now())',
  );
  for (const m of MIGRATIONS.slice(
    0,
    MIGRATIONS.findIndex((m) => m.name === '006_name_match'),
  )) {
    await db.query(m.sql);
    await db.query('insert into schema_migrations (name) values ($1)', [m.name]);
  }
  for (const [company, contact, email] of OLD_LEADS)
    await db.query('insert into leads (company_name, contact_name, contact_email) values ($1, $2, $3)', [
      company,
      contact,
      email,
    ]);
  dir = await mkdtemp(join(tmpdir(), 'lead-backfill-'));
});

afterAll(async () => {
  await db?.end();
  await server((c) => c.query(`drop database if exists ${name} with (force)`));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const storedLeads = async () =>
  (
    await db.query<{
      company_name: string;
      contact_name: string | null;
      contact_email: string | null;
      name_key: string | null;
    }>('select company_name, contact_name, contact_email, name_key from leads order by id')
  ).rows;

/** The key the importer would write for each old lead, in id order. */
const importerKeys = OLD_LEADS.map(([company, contact, email]) => nameKey(company, contact, email));

describe('migrate fills the name keys of leads written before 006', () => {
  it('applies 006 and gives every old lead the key the importer would write, and a second run does nothing', async () => {
    // Act
    const first = await migrate(db);
    const second = await migrate(db);
    // Assess
    expect(first.applied[0]).toBe('006_name_match'); // and whatever later migrations there are
    expect(first.nameKeysFilled).toBe(4);
    expect((await storedLeads()).map((l) => l.name_key)).toEqual(importerKeys);
    expect(importerKeys.slice(0, 2)).toEqual(['acme|jane doe', 'müller|jörg müller']);
    expect(second).toEqual({ applied: [], nameKeysFilled: 0 });
  });

  it('lets an email_or_name import match the old leads by name', async () => {
    // Prepare
    const importer = new pg.Pool({ connectionString: withDatabase(serverUrl(), name, IMPORTER), max: 2 });
    const path = join(dir, 'after-upgrade.csv');
    await writeFile(
      path,
      csvText([
        ['Company', 'Contact', 'Email'],
        ['ACME, LLC', 'jane  DOE', ''],
        ['Müller', 'Jörg Müller', ''],
        ['Acme Inc.', 'John Doe', ''],
      ]),
    );
    const ids = (await db.query<{ id: string }>('select id from leads order by id')).rows.map((r) => Number(r.id));
    // Act
    const result = await importFile(
      importer,
      path,
      parseImportOptions({ match_on: 'email_or_name' }),
      DEFAULT_LIMITS,
      Number.MAX_SAFE_INTEGER,
    ).finally(() => importer.end());
    // Assess
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 1, duplicate_count: 2 });
    expect(result.duplicates.map((d) => [d.row, d.matched_on, d.duplicate_of_lead_id])).toEqual([
      [2, 'name', ids[0]],
      [3, 'name', ids[1]],
    ]);
  });

  // With batches of 2, the second batch holds only the two leads whose contact names give no key.
  it('walks the table in batches, past leads whose names give no key', async () => {
    // Prepare: as if an importer older than 006 had written every lead, during a deploy.
    await db.query('update leads set name_key = null');
    // Act
    const filled = await backfillNameKeys(db, { batchSize: 2 });
    // Assess
    const leads = await storedLeads();
    const expected = leads.map((l) => nameKey(l.company_name, l.contact_name, l.contact_email));
    expect(filled).toBe(expected.filter((k) => k !== null).length);
    expect(filled).toBeGreaterThan(2);
    expect(leads.map((l) => l.name_key)).toEqual(expected);
    expect(await backfillNameKeys(db, { batchSize: 2 })).toBe(0);
  });
});
