import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import { z } from 'zod';
import { InfraError, LeadImportError } from '#core/errors';
import { flag, positiveInt, readEnv } from './env.ts';

export const databaseEnvShape = {
  DATABASE_URL: z.string().min(1).optional(),
  DB_SECRET_ARN: z.string().min(1).optional(),
  DB_SSL: flag(false),
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
    ssl: env.DB_SSL ? { rejectUnauthorized: false } : undefined,
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

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

/** Maps a pg or socket error to a retryable InfraError with SQLSTATE and detail kept; others (ours included) pass through. */
export function databaseFailure(error: unknown, doing: string): Error {
  if (error instanceof LeadImportError) return error;
  const e = error as { code?: string; message?: string; detail?: string; severity?: string };
  const fromDatabase =
    e?.severity !== undefined ||
    (e?.code !== undefined && CONNECTION_CODES.has(e.code)) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(e?.message ?? '');
  if (!fromDatabase) return error instanceof Error ? error : new Error(String(error));
  const sqlstate = e.code;
  const detail = { sqlstate, detail: e.detail };
  if (sqlstate === '55P03')
    return new InfraError('LOCK_TIMEOUT', `Timed out waiting for a database lock while ${doing}`, {
      cause: error,
      detail,
    });
  if (
    (sqlstate && CONNECTION_CODES.has(sqlstate)) ||
    /terminat|Connection|timeout exceeded when trying to connect/i.test(e.message ?? '')
  ) {
    return new InfraError('DATABASE_UNAVAILABLE', `Database connection lost while ${doing}: ${e.message}`, {
      cause: error,
      detail,
    });
  }
  return new InfraError(
    'DATABASE_ERROR',
    `Database error while ${doing}: ${e.message}${sqlstate ? ` (SQLSTATE ${sqlstate})` : ''}`,
    { cause: error, detail },
  );
}

/**
 * Runs `work` inside BEGIN on one pooled connection; `work` ends the transaction itself (COMMIT or
 * ROLLBACK). On a throw it is rolled back, the connection is discarded rather than reused, and pg
 * or socket errors become InfraErrors (`doing` says what was going on).
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  doing: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw databaseFailure(error, 'connecting');
  }
  guardClient(client);
  let broken: Error | undefined;
  try {
    await client.query('begin');
    return await work(client);
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    await client.query('rollback').catch(() => {});
    throw databaseFailure(error, doing);
  } finally {
    client.release(broken);
  }
}

/**
 * A connection killed mid-transaction can still report a socket error after it was released;
 * without a listener that error would crash the process. The failure itself already surfaced
 * through the query that broke, so the late echo is dropped (once per client, not per checkout).
 */
const guarded = new WeakSet<pg.PoolClient>();
function guardClient(client: pg.PoolClient): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  client.on('error', () => {});
}
