import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { DEFAULT_LIMITS } from '#core/engine/lead-engine';
import { nameKey } from '#core/rows/name-key';
import { parseImportOptions } from '#core/contract/options';
import { MIGRATIONS } from '#db/index';
import { migrate } from '#io/migrate';
import { LEADS_WRITE_LOCK } from '#io/duplicate-check';
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

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: withDatabase(serverUrl(), name) });
  await c.connect();
  return c;
}

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
  db = await connect();
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
  it('walks the table in batches, past leads whose names give no key and gaps in the ids', async () => {
    // Prepare: as if an importer older than 006 had written every lead since the last migrate, the
    // last one after a rolled-back COPY burnt more ids than one scan statement covers (20 batches).
    await db.query("select setval(pg_get_serial_sequence('leads', 'id'), (select max(id) from leads) + 100)");
    await db.query("insert into leads (company_name, contact_name) values ('Far Away Ltd', 'Gap Person')");
    await db.query('update leads set name_key = null');
    // Act
    const filled = await backfillNameKeys(db, { batchSize: 2 });
    // Assess
    const leads = await storedLeads();
    const expected = leads.map((l) => nameKey(l.company_name, l.contact_name, l.contact_email));
    expect(filled).toBe(expected.filter((k) => k !== null).length);
    expect(filled).toBeGreaterThan(2);
    expect(leads.map((l) => l.name_key)).toEqual(expected);
    expect(leads.at(-1)!.name_key).toBe('far away|gap person');
    expect(await backfillNameKeys(db, { batchSize: 2 })).toBe(0);
  });

  it('scans without the leads write lock: with nothing to fill, a run never waits for it', async () => {
    // Prepare: every lead that can have a key has one; the rest (no contact name, or one that
    // normalizes to nothing) are still keyless. Another session holds the lock, as a long
    // duplicate check would.
    const holder = await connect();
    await holder.query('begin');
    await holder.query('select pg_advisory_xact_lock($1)', [LEADS_WRITE_LOCK]);
    await db.query("set lock_timeout = '1s'");
    try {
      // Act
      const filled = await backfillNameKeys(db, { batchSize: 2 });
      // Assess
      expect(filled).toBe(0);
    } finally {
      await db.query('reset lock_timeout');
      await holder.query('rollback');
      await holder.end();
    }
  });

  it('stops, keeping what it did, when the lock stays busy past its timeout; the next run goes on', async () => {
    // Prepare: leads to key, and another session holding the lock as a long duplicate check would.
    await db.query('update leads set name_key = null');
    const holder = await connect();
    await holder.query('begin');
    await holder.query('select pg_advisory_xact_lock($1)', [LEADS_WRITE_LOCK]);
    let whileBusy: number;
    try {
      // Act
      whileBusy = await backfillNameKeys(db, { batchSize: 2, lockTimeoutMs: 200 });
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    const afterwards = await backfillNameKeys(db, { batchSize: 2, lockTimeoutMs: 200 });
    // Assess: nothing keyed while busy, no error; everything keyed once the lock is free.
    expect(whileBusy).toBe(0);
    const stored = await storedLeads();
    const expected = stored.map((l) => nameKey(l.company_name, l.contact_name, l.contact_email));
    expect(afterwards).toBe(expected.filter((k) => k !== null).length);
    expect(stored.map((l) => l.name_key)).toEqual(expected);
  });

  it('takes the lock only to update, and keys each lead from its values at that moment', async () => {
    // Prepare
    await db.query('update leads set name_key = null');
    const leads = (await db.query<{ id: string }>('select id from leads order by id')).rows.map((r) => r.id);
    const [gotEmail, renamed] = [leads[0]!, leads[1]!];
    const other = await connect();
    const lockFree: boolean[] = [];
    const scanned: string[][] = [];
    try {
      // Act: between each scan and its update, another session checks the lock and, the first time,
      // changes two of the scanned leads as an import's `update` fill would.
      const filled = await backfillNameKeys(db, {
        batchSize: 2,
        afterScan: async (ids) => {
          scanned.push([...ids]);
          await other.query('begin');
          lockFree.push(
            (await other.query<{ got: boolean }>('select pg_try_advisory_xact_lock($1) as got', [LEADS_WRITE_LOCK]))
              .rows[0]!.got,
          );
          if (scanned.length === 1) {
            await other.query("update leads set contact_email = 'jane@doe.example' where id = $1", [gotEmail]);
            await other.query("update leads set contact_name = 'Joerg Mueller' where id = $1", [renamed]);
          }
          await other.query('commit');
        },
      });
      // Assess
      const stored = await storedLeads();
      const expected = stored.map((l) => nameKey(l.company_name, l.contact_name, l.contact_email));
      expect(scanned[0]).toEqual([gotEmail, renamed]);
      expect(lockFree).toEqual(scanned.map(() => true));
      expect(stored.slice(0, 2).map((l) => l.name_key)).toEqual([null, 'müller|joerg mueller']);
      expect(stored.map((l) => l.name_key)).toEqual(expected);
      expect(filled).toBe(expected.filter((k) => k !== null).length);
    } finally {
      await other.end();
    }
  });
});
