import type pg from 'pg';
import { databaseFailure } from './database-errors.ts';

/**
 * Runs `work` in one transaction on one pooled connection and owns both ends: COMMIT when `work`
 * returns, ROLLBACK when it throws. A connection that failed is discarded rather than reused, and
 * pg or socket errors become InfraErrors (`doing` says what was going on).
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
    const out = await work(client);
    await client.query('commit');
    return out;
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
