import pg from 'pg';
import { readSecret } from './database.ts';
import { migrate, setRolePassword } from './migrate.ts';

/** Deploy-time migration: connect with the admin secret, migrate, give the importer role its password. */
export async function runMigrations(input: { adminSecretArn: string; importerSecretArn: string }): Promise<{ applied: string[] }> {
  const admin = await readSecret(input.adminSecretArn);
  const importer = await readSecret(input.importerSecretArn);
  const client = new pg.Client({ host: admin.host, port: admin.port, user: admin.username, password: admin.password, database: admin.dbname, ssl: { rejectUnauthorized: false }, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const applied = await migrate(client);
    await setRolePassword(client, importer.username, importer.password);
    return { applied };
  } finally {
    await client.end();
  }
}
