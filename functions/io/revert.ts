import type pg from 'pg';
import { LEAD_COLUMNS, NORMALIZED_COLUMNS } from '#core/contract/columns';
import { inTransaction } from './transaction.ts';
import { isImportId, type HistoryStatus } from './history.ts';
import { LEADS_WRITE_LOCK } from './duplicate-check.ts';
import { plural } from '#core/contract/result';

/** A lead another import changed after the import being reverted. */
export interface RevertConflict {
  lead_id: number;
  import_id: string;
}

export const REFUSAL_REASONS = [
  'LATER_IMPORT_CHANGED_LEADS',
  'UPDATED_LEAD_MISSING',
  'STILL_PROCESSING',
  'NO_LEAD_FLOOR',
  'DRY_RUN',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** What a revert did, or why it did nothing. Every outcome carries one human sentence. */
export type RevertOutcome =
  | { outcome: 'reverted'; import_id: string; removed_leads: number; restored_leads: number; message: string }
  | { outcome: 'already_reverted'; import_id: string; reverted_at: string | null; message: string }
  | { outcome: 'nothing_to_revert'; import_id: string; status: 'rejected' | 'failed'; message: string }
  | { outcome: 'not_found'; import_id: string; message: string }
  | {
      outcome: 'refused';
      import_id: string;
      status: HistoryStatus;
      reason: RefusalReason;
      conflicts: RevertConflict[];
      conflict_count: number;
      message: string;
    };

/** How many conflicting leads a refusal lists (the count is always complete). */
const CONFLICT_LIST_LIMIT = 20;

/**
 * The columns a revert puts back from lead_changes.previous: every column the `update` policy can
 * fill (see resolveDuplicates) plus the two it never changes, and updated_at. Provenance (id,
 * created_at, import_id, source_row) is never touched by an update, so it is left alone.
 */
export const RESTORED_COLUMNS = [...LEAD_COLUMNS, ...NORMALIZED_COLUMNS, 'updated_at'] as const;

/** Leads this import changed that another import changed afterwards (lead_changes.seq is lock order). */
const LATER_CHANGES = `
  with later as (
    -- a lead this import updated, changed again by an import that took the write lock after it
    select c.lead_id, c.import_id from lead_changes m
    join lead_changes c on c.lead_id = m.lead_id and c.import_id <> m.import_id and c.seq > m.seq
    where m.import_id = $1
    union
    -- a lead this import created, updated by any other import (necessarily a later one)
    select c.lead_id, c.import_id from lead_changes c
    join leads l on l.id = c.lead_id
    where c.lead_id > $2 and l.import_id = $1 and c.import_id <> $1
  )
  select lead_id, import_id, count(*) over ()::int as total from later order by lead_id, import_id limit $3`;

/** Leads this import updated that are gone, so their previous values have nowhere to go. */
const MISSING_UPDATED = `
  select m.lead_id, count(*) over ()::int as total from lead_changes m
  where m.import_id = $1 and not exists (select 1 from leads l where l.id = m.lead_id)
  order by m.lead_id limit $2`;

const RESTORE = `
  update leads l set ${RESTORED_COLUMNS.map((c) => `${c} = p.${c}`).join(', ')}
  from lead_changes c, jsonb_populate_record(null::leads, c.previous) p
  where c.import_id = $1 and l.id = c.lead_id`;

/**
 * Undoes a succeeded import in one transaction, serialized with imports by LEADS_WRITE_LOCK (taken
 * first, as resolveDuplicates does): removes the leads it created, puts back the previous values of
 * the leads it updated, deletes its lead_changes and marks it `reverted`. Refuses, changing
 * nothing, when a later import has changed any of those leads since. Database trouble throws an
 * InfraError; everything else is an outcome.
 */
export async function revertImport(pool: pg.Pool, importId: string): Promise<RevertOutcome> {
  if (!isImportId(importId)) return notFound(importId);
  // Every outcome but `reverted` changed nothing, so committing it is the same as rolling back.
  return inTransaction(pool, `reverting import ${importId}`, (client) => revertInTransaction(client, importId));
}

async function revertInTransaction(client: pg.PoolClient, importId: string): Promise<RevertOutcome> {
  await client.query('select pg_advisory_xact_lock($1)', [LEADS_WRITE_LOCK]);
  const found = await client.query<{
    status: HistoryStatus;
    dry_run: boolean;
    lead_id_floor: string | null;
    reverted_at: Date | null;
  }>('select status, dry_run, lead_id_floor, reverted_at from lead_imports where id = $1 for update', [importId]);
  const row = found.rows[0];
  if (!row) return notFound(importId);
  const refuse = (
    reason: RefusalReason,
    message: string,
    conflicts: RevertConflict[] = [],
    conflictCount = 0,
  ): RevertOutcome => ({
    outcome: 'refused',
    import_id: importId,
    status: row.status,
    reason,
    conflicts,
    conflict_count: conflictCount,
    message,
  });
  switch (row.status) {
    case 'reverted':
      return {
        outcome: 'already_reverted',
        import_id: importId,
        reverted_at: row.reverted_at?.toISOString() ?? null,
        message: `Import ${importId} was already reverted${row.reverted_at ? ` at ${row.reverted_at.toISOString()}` : ''}; nothing changed.`,
      };
    case 'rejected':
    case 'failed':
      return {
        outcome: 'nothing_to_revert',
        import_id: importId,
        status: row.status,
        message: `Import ${importId} ${row.status} and committed no leads; there is nothing to revert.`,
      };
    case 'processing':
      return refuse(
        'STILL_PROCESSING',
        `Import ${importId} is still processing; wait for it to finish, then revert it.`,
      );
    case 'succeeded':
      break;
  }
  if (row.dry_run)
    return refuse('DRY_RUN', `Import ${importId} was a dry run: it kept no lead, so there is nothing to revert.`);
  if (row.lead_id_floor === null)
    return refuse(
      'NO_LEAD_FLOOR',
      `Import ${importId} has no recorded lead id floor, so its leads cannot be told apart; nothing changed.`,
    );
  const floor = row.lead_id_floor;

  const later = await client.query<{ lead_id: string; import_id: string; total: number }>(LATER_CHANGES, [
    importId,
    floor,
    CONFLICT_LIST_LIMIT,
  ]);
  if (later.rows.length > 0) {
    const conflicts = later.rows.map((r) => ({ lead_id: Number(r.lead_id), import_id: r.import_id }));
    const total = later.rows[0]!.total;
    const imports = [...new Set(conflicts.map((c) => c.import_id))];
    return refuse(
      'LATER_IMPORT_CHANGED_LEADS',
      `Cannot revert import ${importId}: ${total} of its leads ${total === 1 ? 'was' : 'were'} changed since by later import${imports.length === 1 ? '' : 's'} ${imports.join(', ')}${total > conflicts.length ? ' (and possibly others)' : ''}; revert ${imports.length === 1 ? 'that import' : 'those imports'} first. Nothing changed.`,
      conflicts,
      total,
    );
  }
  const missing = await client.query<{ lead_id: string; total: number }>(MISSING_UPDATED, [
    importId,
    CONFLICT_LIST_LIMIT,
  ]);
  if (missing.rows.length > 0) {
    const ids = missing.rows.map((r) => Number(r.lead_id));
    const total = missing.rows[0]!.total;
    return refuse(
      'UPDATED_LEAD_MISSING',
      `Cannot revert import ${importId}: ${plural(total, 'lead')} it updated no longer exist${total === 1 ? 's' : ''} (ids ${ids.join(', ')}${total > ids.length ? ', ...' : ''}), so their previous values cannot be restored. Nothing changed.`,
      ids.map((id) => ({ lead_id: id, import_id: importId })),
      total,
    );
  }

  const restored = await client.query(RESTORE, [importId]);
  const removed = await client.query('delete from leads where id > $2 and import_id = $1', [importId, floor]);
  await client.query('delete from lead_changes where import_id = $1', [importId]);
  await client.query(`update lead_imports set status = 'reverted', reverted_at = now() where id = $1`, [importId]);
  const removedLeads = removed.rowCount ?? 0;
  const restoredLeads = restored.rowCount ?? 0;
  return {
    outcome: 'reverted',
    import_id: importId,
    removed_leads: removedLeads,
    restored_leads: restoredLeads,
    message: `Reverted import ${importId}: removed ${plural(removedLeads, 'lead')} it created and restored ${plural(restoredLeads, 'lead')} it updated.`,
  };
}

const notFound = (importId: string): RevertOutcome => ({
  outcome: 'not_found',
  import_id: importId,
  message: `No import with id ${importId}.`,
});
