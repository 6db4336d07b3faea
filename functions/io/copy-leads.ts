import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_COLUMNS } from '#core/row-processor';

const COPY_SQL = `COPY leads (${COPY_COLUMNS.join(', ')}) FROM STDIN`;

/**
 * The one COPY routine. `await pipeline` so a failing source destroys the COPY stream, which sends
 * CopyFail and makes the server abort the statement; `rowCount` is the server's own count.
 */
export async function copyLeads(
  client: pg.PoolClient,
  source: AsyncIterable<Buffer>,
  signal?: AbortSignal,
): Promise<number> {
  const stream = client.query(copyFrom(COPY_SQL));
  await pipeline(source, stream, signal ? { signal } : {});
  return stream.rowCount;
}
