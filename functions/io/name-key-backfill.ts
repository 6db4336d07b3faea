import type pg from 'pg';
import { nameKey } from '#core/rows/name-key';
import { LEADS_WRITE_LOCK } from './duplicate-check.ts';

/** Leads per update transaction, and the most rows one scan statement returns: a few MB of names at most. */
export const NAME_KEY_BATCH = 5_000;

/**
 * One scan statement covers at most this many batches' worth of ids (a primary key range), so its work
 * is bounded however sparse the ids are (deleted duplicates, ids burnt by rolled-back COPYs).
 */
const SPAN_BATCHES = 20;

/** How long a batch waits for the leads write lock or its rows before the run stops (imports hold it briefly). */
export const NAME_KEY_LOCK_TIMEOUT_MS = 5_000;

export interface BackfillOptions {
  batchSize?: number;
  lockTimeoutMs?: number;
  /** For tests only: runs after a scan found leads to key, before their update transaction begins. */
  afterScan?: (ids: readonly string[]) => Promise<void>;
}

interface Candidate {
  id: string;
  company_name: string;
  contact_name: string;
}

const KEYLESS = 'name_key is null and contact_email is null and contact_name is not null';

/**
 * Gives the leads that have no name key but would get one today (no e-mail, a contact name) the key
 * the importer writes (#core/rows/name-key), so `match_on: email_or_name` matches them too. Those are the
 * leads written before migration 006_name_match, or by an importer older than 006 that ran after the
 * last migrate (see the README: this runs whenever `migrate` does, not on every import). The rules are
 * TypeScript's (NFKC, Unicode letter classes), not SQL's, so the key is computed here.
 *
 * Two phases per batch, so LEADS_WRITE_LOCK (imports' duplicate checks and reverts wait for it, with a
 * short lock_timeout) is held only for short updates, never for a scan:
 * - scan, without the lock or a transaction: a plain MVCC read over a range of ids, in id order, of the
 *   keyless leads; those whose names give a key are the candidates (leads whose names normalize to
 *   nothing stay keyless forever, and never cost a lock);
 * - update, in one transaction under the lock: the candidates are read again with FOR UPDATE, so the key
 *   comes from the row as it is now (an import's `update` or a revert may have given it an e-mail,
 *   another name or a key since the scan), and only rows still keyless are written.
 *
 * No partial index on the keyless leads: every COPY and every `update` fill would pay for it (its
 * predicate on each row, and contact_name changes would lose HOT updates), while the scan it would
 * save runs only when `migrate` does, holds no lock, and walks the primary key in bounded ranges
 * (0.04 s over 200,000 leads with none to fill here). A locked update
 * of 5,000 leads takes tens of milliseconds, well under imports' lock_timeout.
 *
 * Memory stays bounded (one batch of names), a run cut short keeps its committed batches, and a second
 * run finds nothing to do. Leads written after the run starts (past the largest id it saw) are left to
 * the next run. Returns how many leads got a key.
 */
export async function backfillNameKeys(
  client: pg.ClientBase,
  { batchSize = NAME_KEY_BATCH, lockTimeoutMs = NAME_KEY_LOCK_TIMEOUT_MS, afterScan }: BackfillOptions = {},
): Promise<number> {
  const span = BigInt(batchSize * SPAN_BATCHES);
  const { rows: top } = await client.query<{ last: string }>('select coalesce(max(id), 0)::text as last from leads');
  const end = BigInt(top[0]!.last);
  let after = 0n;
  let filled = 0;
  while (after < end) {
    const { rows } = await client.query<Candidate>(
      `select id, company_name, contact_name from leads
       where id > $1::bigint and id <= $2::bigint and ${KEYLESS}
       order by id limit $3`,
      [after.toString(), (after + span).toString(), batchSize],
    );
    const ids = rows.filter((r) => nameKey(r.company_name, r.contact_name, null) !== null).map((r) => r.id);
    if (ids.length > 0) {
      await afterScan?.(ids);
      const batch = await fillKeys(client, ids, lockTimeoutMs);
      // Busy (a long import or revert, or someone else's lock on those rows): stop here rather than make
      // the deploy wait or fail; the batches done are kept and the next run goes on.
      if (batch === undefined) break;
      filled += batch;
    }
    after = rows.length === batchSize ? BigInt(rows.at(-1)!.id) : after + span;
  }
  return filled;
}

/**
 * The short locked part: keys the given leads that are still keyless, from their current names.
 * undefined when the lock or the rows stayed busy for `lockTimeoutMs` (nothing changed).
 */
async function fillKeys(
  client: pg.ClientBase,
  candidates: readonly string[],
  lockTimeoutMs: number,
): Promise<number | undefined> {
  await client.query('begin');
  try {
    // Waiting behind a writer outside the lock (its FOR UPDATE) would otherwise hold the lock for as long.
    await client.query(`set local lock_timeout = ${Math.floor(lockTimeoutMs)}`);
    // Imports' duplicate checks and reverts take this lock first too: a batch never deadlocks with them.
    await client.query('select pg_advisory_xact_lock($1)', [LEADS_WRITE_LOCK]);
    const { rows } = await client.query<Candidate>(
      `select id, company_name, contact_name from leads where id = any($1::bigint[]) and ${KEYLESS} for update`,
      [candidates],
    );
    const ids: string[] = [];
    const keys: string[] = [];
    for (const row of rows) {
      const key = nameKey(row.company_name, row.contact_name, null);
      if (key === null) continue;
      ids.push(row.id);
      keys.push(key);
    }
    let filled = 0;
    // updated_at stays: what the lead says did not change. The rows are locked, so the condition
    // still holds; it is repeated so the update can never key a lead that has an e-mail or a key.
    if (ids.length > 0)
      filled =
        (
          await client.query(
            `update leads l set name_key = k.key from unnest($1::bigint[], $2::text[]) as k(id, key)
             where l.id = k.id and l.name_key is null and l.contact_email is null`,
            [ids, keys],
          )
        ).rowCount ?? 0;
    await client.query('commit');
    return filled;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return undefined;
    throw error;
  }
}

/** lock_not_available: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';
