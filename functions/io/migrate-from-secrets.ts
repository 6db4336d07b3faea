import pg from 'pg';
import { readSecret, secretConnection } from './database.ts';
import { type DbTls, tlsOptions } from './database-tls.ts';
import { type MigrateOutcome, migrate, setRolePassword } from './migrate.ts';

/**
 * Deploy-time migration: connect with the admin secret, migrate, give each login role (importer, API, presign)
 * the password in its own secret.
 * Not the importer's connectionConfig: its short lock_timeout would make a second migrator fail on
 * the migration lock instead of waiting for it.
 */
export async function runMigrations(input: {
  adminSecretArn: string;
  roleSecretArns: string[];
  /** DB_SSL, parsed (database-tls.ts): the server's certificate is verified whenever TLS is on. */
  ssl: DbTls;
}): Promise<MigrateOutcome> {
  const [admin, ...roles] = await Promise.all([input.adminSecretArn, ...input.roleSecretArns].map(readSecret));
  const client = new pg.Client({
    ...secretConnection(admin!),
    ssl: tlsOptions(input.ssl),
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const outcome = await migrate(client);
    for (const role of roles) await setRolePassword(client, role!.username, role!.password);
    return outcome;
  } finally {
    await client.end();
  }
}
