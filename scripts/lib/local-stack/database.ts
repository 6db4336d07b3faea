import pg from 'pg';
import { migrate } from '#io/migrate';
import { ensurePostgres, withDatabase } from '../postgres-server.ts';

export const LOCAL_DATABASE = 'lead_import';

export interface LocalDatabase {
  /** What the import Lambda gets as DATABASE_URL. */
  url: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

/**
 * `databaseUrl` when given (migrated as it is), else an embedded PostgreSQL 15 kept under `dataDir`
 * with a `lead_import` database created on first start. Migrations are idempotent.
 */
export async function prepareDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
}): Promise<LocalDatabase> {
  const server = await ensurePostgres(options.dataDir, options.databaseUrl, { probeLocal: false });
  let url = server.adminUrl;
  try {
    if (server.embedded) {
      const admin = new pg.Client({ connectionString: server.adminUrl });
      await admin.connect();
      try {
        const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [LOCAL_DATABASE]);
        if (rowCount === 0) await admin.query(`create database ${LOCAL_DATABASE}`);
      } finally {
        await admin.end();
      }
      url = withDatabase(server.adminUrl, LOCAL_DATABASE);
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(client);
    } finally {
      await client.end();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url, embedded: server.embedded, stop: server.stop };
}
