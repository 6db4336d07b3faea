import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate, setRolePassword } from '#io/migrate';
import { ensurePostgres, withDatabase } from '../../scripts/lib/postgres-server.ts';
import { API_ROLE, IMPORTER, PRESIGN_ROLE } from './importer-role.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the server's `postgres` database. */
    pgAdminUrl: string;
    /** A migrated database each test file clones with freshDatabase(). */
    pgTemplate: string;
  }
}

/** One migrated template database per run; each test file gets its own copy (fresh and isolated). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await ensurePostgres(join(process.cwd(), '.local', 'test-pg'));
  const run = `lit_${Date.now().toString(36)}_${process.pid}`;
  const template = `${run}_tmpl`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`create database ${template}`);
  const tmpl = new pg.Client({ connectionString: withDatabase(server.adminUrl, template) });
  await tmpl.connect();
  await migrate(tmpl);
  await setRolePassword(tmpl, IMPORTER.name, IMPORTER.password);
  await setRolePassword(tmpl, API_ROLE.name, API_ROLE.password);
  await setRolePassword(tmpl, PRESIGN_ROLE.name, PRESIGN_ROLE.password);
  await tmpl.end();
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgTemplate', template);
  return async () => {
    const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [
      `${run}%`,
    ]);
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.end();
    await server.stop();
  };
}
