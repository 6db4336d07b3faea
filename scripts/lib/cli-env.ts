import type pg from 'pg';
import { connectionConfig, createPool, readDatabaseEnv } from '#io/database';

/** A pool for command-line tools: DATABASE_URL (or DB_SECRET_ARN), same session settings as Lambda. */
export async function cliPool(max = 1): Promise<pg.Pool> {
  const env = readDatabaseEnv();
  if (!env.DATABASE_URL && !env.DB_SECRET_ARN) {
    process.stderr.write(
      'DATABASE_URL is not set. Example: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres\n',
    );
    process.exit(2);
  }
  return createPool(await connectionConfig(env), max);
}
