import pg from 'pg';
import { z } from 'zod';
import { InfraError } from '#core/contract/errors';
import { dbSslSetting, tlsOptions } from './database-tls.ts';
import { positiveInt, readEnv } from './env.ts';

export const databaseEnvShape = {
  DATABASE_URL: z.string().min(1).optional(),
  DB_SECRET_ARN: z.string().min(1).optional(),
  DB_SSL: dbSslSetting,
  DB_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  DB_STATEMENT_TIMEOUT_MS: positiveInt(600_000),
  DB_LOCK_TIMEOUT_MS: positiveInt(5_000),
  DB_IDLE_TX_TIMEOUT_MS: positiveInt(60_000),
};
export type DatabaseEnv = z.output<z.ZodObject<typeof databaseEnvShape>>;

export const readDatabaseEnv = (env: NodeJS.ProcessEnv = process.env): DatabaseEnv => readEnv(databaseEnvShape, env);

const secretShape = z.object({
  host: z.string(),
  port: z.coerce.number().default(5432),
  username: z.string(),
  password: z.string(),
  dbname: z.string().default('postgres'),
});

/** Connection settings from DATABASE_URL, or from Secrets Manager (read once, at cold start). */
export async function connectionConfig(env: DatabaseEnv): Promise<pg.PoolConfig> {
  const session: pg.PoolConfig = {
    connectionTimeoutMillis: env.DB_CONNECT_TIMEOUT_MS,
    statement_timeout: env.DB_STATEMENT_TIMEOUT_MS,
    lock_timeout: Math.min(env.DB_LOCK_TIMEOUT_MS, env.DB_STATEMENT_TIMEOUT_MS - 1),
    idle_in_transaction_session_timeout: env.DB_IDLE_TX_TIMEOUT_MS,
    application_name: 'lead-import',
    ssl: tlsOptions(env.DB_SSL),
  };
  if (env.DATABASE_URL) return { ...session, connectionString: env.DATABASE_URL };
  if (!env.DB_SECRET_ARN)
    throw new InfraError('CONFIG_MISSING', 'Configuration DATABASE_URL or DB_SECRET_ARN: one of them must be set');
  return { ...session, ...secretConnection(await readSecret(env.DB_SECRET_ARN)) };
}

export type DatabaseSecret = z.output<typeof secretShape>;

/** pg connection fields from a database secret in the RDS layout (`username`, `dbname`). */
export const secretConnection = (secret: DatabaseSecret): pg.ClientConfig => ({
  host: secret.host,
  port: secret.port,
  user: secret.username,
  password: secret.password,
  database: secret.dbname,
});

export async function readSecret(arn: string): Promise<DatabaseSecret> {
  // Loaded only where a secret is read (in AWS, once per instance): the CLI, tests and local stack skip it.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    return secretShape.parse(JSON.parse(out.SecretString ?? '{}'));
  } catch (cause) {
    throw new InfraError('DATABASE_UNAVAILABLE', `Cannot read database secret ${arn}`, { cause });
  } finally {
    client.destroy();
  }
}

/** One connection per function instance: Lambda runs one event at a time per instance. */
export function createPool(config: pg.PoolConfig, max = 1): pg.Pool {
  const pool = new pg.Pool({ ...config, max, idleTimeoutMillis: 60_000 });
  // An idle client that loses its connection must not crash the process; the next checkout reconnects.
  pool.on('error', () => {});
  return pool;
}

/**
 * One pool per function instance, created at the first call (the secret is read then, not at cold
 * start), so requests that never query open no connection; a failed start is retried at the next call.
 */
export function lazyPool(env: DatabaseEnv): () => Promise<pg.Pool> {
  let pool: Promise<pg.Pool> | undefined;
  return () => {
    pool ??= connectionConfig(env).then((config) => createPool(config, 1));
    pool.catch(() => (pool = undefined));
    return pool;
  };
}
