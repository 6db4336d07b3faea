import type pg from 'pg';
import { MIGRATIONS } from '#db/index';
import { backfillNameKeys } from './name-key-backfill.ts';

/** Any fixed number: serializes concurrent migrators (two deploys, two test workers). */
const MIGRATION_LOCK = 7_305_202_600;

export interface MigrateOutcome {
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Leads that got their name key from this run (see name-key-backfill.ts). */
  nameKeysFilled: number;
}

/**
 * Applies pending migrations, each in its own transaction, then fills the name keys SQL cannot
 * compute; safe to run again and concurrently.
 */
export async function migrate(client: pg.ClientBase): Promise<MigrateOutcome> {
  const applied: string[] = [];
  let nameKeysFilled = 0;
  await client.query(
    'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
  );
  await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    const done = new Set(
      (await client.query<{ name: string }>('select name from schema_migrations')).rows.map((r) => r.name),
    );
    for (const migration of MIGRATIONS) {
      if (done.has(migration.name)) continue;
      await client.query('begin');
      try {
        await client.query(migration.sql);
        await client.query('insert into schema_migrations (name) values ($1)', [migration.name]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
      applied.push(migration.name);
    }
    // On every run, not once: it also keys what an importer older than 006 wrote since the last run.
    // That is not every deploy (AWS runs this only when the migrations or this code change, and updates
    // the import function after it, so the old importer runs meanwhile): such leads can stay keyless until
    // a later run.
    nameKeysFilled = await backfillNameKeys(client);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
  return { applied, nameKeysFilled };
}

/** Sets the importer role's password (AWS: from its own Secrets Manager secret). */
export async function setRolePassword(client: pg.ClientBase, role: string, password: string): Promise<void> {
  const { rows } = await client.query<{ stmt: string }>(
    'select format($$alter role %I with login password %L$$, $1::text, $2::text) as stmt',
    [role, password],
  );
  await client.query(rows[0]!.stmt);
}
