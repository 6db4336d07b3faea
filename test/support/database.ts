import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../../scripts/lib/postgres-server.ts';
import { API_ROLE, IMPORTER, PRESIGN_ROLE } from './importer-role.ts';

export interface TestDatabase {
  name: string;
  /** Owner connection, for assertions and fault injection. */
  adminUrl: string;
  /** The importer's least-privilege connection, as the Lambda uses it. */
  importerUrl: string;
  /** The caller's API role's connection, as the API function uses it. */
  apiUrl: string;
  /** The presign function's role's connection (it may only ask whether a rule set exists). */
  presignUrl: string;
  admin: pg.Pool;
  drop: () => Promise<void>;
}

/** A fresh copy of the migrated template database, for one test file. */
export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('pgAdminUrl');
  const name = `${inject('pgTemplate').replace(/_tmpl$/, '')}_${randomBytes(4).toString('hex')}`;
  const server = new pg.Client({ connectionString: serverUrl });
  await server.connect();
  await server.query(`create database ${name} template ${inject('pgTemplate')}`);
  await server.end();
  const adminUrl = withDatabase(serverUrl, name);
  const admin = new pg.Pool({ connectionString: adminUrl, max: 4 });
  // Dropping the database terminates idle connections; the pool reports that as an 'error' event.
  admin.on('error', () => {});
  return {
    name,
    adminUrl,
    importerUrl: withDatabase(serverUrl, name, IMPORTER),
    apiUrl: withDatabase(serverUrl, name, API_ROLE),
    presignUrl: withDatabase(serverUrl, name, PRESIGN_ROLE),
    admin,
    drop: async () => {
      await admin.end();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

async function countRows(
  db: TestDatabase,
  table: 'leads' | 'lead_imports',
  where: string,
  params: unknown[],
): Promise<number> {
  const { rows } = await db.admin.query<{ n: number }>(
    `select count(*)::int as n from ${table} where ${where}`,
    params,
  );
  return rows[0]!.n;
}

export const countLeads = (db: TestDatabase, where = 'true', params: unknown[] = []): Promise<number> =>
  countRows(db, 'leads', where, params);
export const countImports = (db: TestDatabase, where = 'true', params: unknown[] = []): Promise<number> =>
  countRows(db, 'lead_imports', where, params);
