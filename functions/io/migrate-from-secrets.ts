import pg from 'pg';
import { readSecret, secretConnection } from './database.ts';
import { type DbTls, tlsOptions } from './database-tls.ts';
import { migrate, setRolePassword } from './migrate.ts';

/**
 * Deploy-time migration: connect with the admin secret, migrate, give the importer role its password.
 * Not the importer's connectionConfig: its short lock_timeout would make a second migrator fail on
 * the migration lock instead of waiting for it.
 */
export async function runMigrations(input: {
  adminSecretArn: string;
  importerSecretArn: string;
  /** DB_SSL, parsed (database-tls.ts): the server's certificate is verified whenever TLS is on. */
  ssl: DbTls;
}): Promise<{ applied: string[] }> {
  const [admin, importer] = await Promise.all([readSecret(input.adminSecretArn), readSecret(input.importerSecretArn)]);
  const client = new pg.Client({
    ...secretConnection(admin),
    ssl: tlsOptions(input.ssl),
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const applied = await migrate(client);
    await setRolePassword(client, importer.username, importer.password);
    return { applied };
  } finally {
    await client.end();
  }
}
