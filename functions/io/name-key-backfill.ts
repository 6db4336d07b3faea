import type pg from 'pg';
import { nameKey } from '#core/name-key';
import { LEADS_WRITE_LOCK } from './duplicate-check.ts';

/** Leads per transaction: a few MB of names in memory at most, and short row locks. */
export const NAME_KEY_BATCH = 5_000;

/**
 * Gives the leads that have no name key but would get one today (no e-mail, a contact name) the key
 * the importer writes (#core/name-key), so `match_on: email_or_name` matches them too. Those are the
 * leads written before migration 006_name_match, or by an older importer while a deploy runs. The
 * rules are TypeScript's (NFKC, Unicode letter classes), not SQL's, so the key is computed here.
 *
 * Walks the table once in id order, a batch per transaction, so memory stays bounded and a run cut
 * short keeps its batches; leads whose names normalize to nothing stay keyless, and a second run
 * finds nothing to do. Returns how many leads got a key.
 */
export async function backfillNameKeys(
  client: pg.ClientBase,
  { batchSize = NAME_KEY_BATCH }: { batchSize?: number } = {},
): Promise<number> {
  let after = '0';
  let filled = 0;
  for (;;) {
    await client.query('begin');
    try {
      // Imports' duplicate checks and reverts take this lock first too: a batch never deadlocks with them.
      await client.query('select pg_advisory_xact_lock($1)', [LEADS_WRITE_LOCK]);
      const { rows } = await client.query<{ id: string; company_name: string; contact_name: string }>(
        `select id, company_name, contact_name from leads
         where id > $1::bigint and name_key is null and contact_email is null and contact_name is not null
         order by id limit $2 for update`,
        [after, batchSize],
      );
      const ids: string[] = [];
      const keys: string[] = [];
      for (const row of rows) {
        const key = nameKey(row.company_name, row.contact_name, null);
        if (key === null) continue;
        ids.push(row.id);
        keys.push(key);
      }
      // updated_at stays: what the lead says did not change.
      if (ids.length > 0)
        await client.query(
          'update leads l set name_key = k.key from unnest($1::bigint[], $2::text[]) as k(id, key) where l.id = k.id',
          [ids, keys],
        );
      await client.query('commit');
      filled += ids.length;
      if (rows.length < batchSize) return filled;
      after = rows.at(-1)!.id;
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  }
}
