import type pg from 'pg';
import type { DuplicateOutcome, DuplicateRow } from '#core/result';
import type { DuplicatePolicy } from '#core/options';
import { LEAD_COLUMNS, NORMALIZED_COLUMNS } from '#core/columns';

/** Serializes the duplicate check of concurrent imports (and reverts): one small critical section. */
export const LEADS_WRITE_LOCK = 7_305_202_611;

/**
 * Step 1, cheap: leads of this import whose e-mail appears on any other lead. Usually none, and then
 * step 2 is skipped. Collected in a temporary table (through Node only when few).
 */
const CANDIDATE_ROWS = `
  select n.id from leads n
  where n.id > $2 and n.import_id = $1 and n.contact_email is not null
    and exists (select 1 from leads o where lower(o.contact_email) = lower(n.contact_email) and o.contact_email is not null and o.id <> n.id)`;
/** Leads of this import whose e-mail is on a lead of another import (enough when the file repeats none). */
const SHARED_WITH_OTHERS = `
  select n.id from leads n
  where n.id > $2 and n.import_id = $1 and n.contact_email is not null
    and exists (select 1 from leads o where lower(o.contact_email) = lower(n.contact_email) and o.contact_email is not null and o.import_id is distinct from $1)`;
/** Up to this many candidate ids travel through Node (a few MB at most); more stay in the database. */
const MAX_LISTED_CANDIDATES = 50_000;

/**
 * Large imports compare against the whole table faster with one parallel hash join than with an
 * index probe per row (1M new rows: 1.7 s against 5 s measured here); fresh rows have no planner
 * statistics yet, so the plan is chosen here. Small imports into a big table keep the index probes.
 */
const HASH_JOIN_SETTINGS = [
  // Enough for the hash of a million e-mails to stay in memory, only for this statement.
  "set local work_mem = '64MB'",
  'set local enable_nestloop = off',
  'set local enable_mergejoin = off',
  // Without statistics on the fresh rows the planner de-duplicates the other side with a hash
  // aggregate that spills to disk, serially: 4.1 s against 2.4 s for a parallel hash semi join
  // (1M new e-mails against 1M existing, measured here).
  'set local enable_hashagg = off',
  // Compiling the plan costs more than it saves on a one-off statement (~0.2 s measured).
  'set local jit = off',
  'set local parallel_setup_cost = 0',
  'set local parallel_tuple_cost = 0',
  'set local min_parallel_table_scan_size = 0',
];
const DEFAULT_JOIN_SETTINGS = HASH_JOIN_SETTINGS.map((sql) => sql.replace(/= .*$/, 'to default'));
const preferHashJoin = (copied: number, floor: number) => copied >= 10_000 && copied * 8 >= floor;

/** Step 2, for candidates only: the earliest other lead with the same e-mail, if it is earlier. */
const FIRST_EARLIER_LEAD = `
  select n.id, n.source_row, n.contact_email as email, f.id as first_id, f.import_id = n.import_id as same_import, f.source_row as first_row
  from leads n
  cross join lateral (
    select o.id, o.import_id, o.source_row from leads o
    where lower(o.contact_email) = lower(n.contact_email) and o.contact_email is not null and o.id <> n.id
      and (o.import_id is distinct from n.import_id or o.id < n.id)
    order by o.import_id is not distinct from n.import_id, o.id
    limit 1
  ) f
  where n.id in (select id from pg_temp.lead_dup_candidates) and n.import_id = $1`;

/** What the update policy fills from a duplicate row: everything but the matching keys. */
const FILL_COLUMNS: readonly string[] = [
  ...LEAD_COLUMNS.filter((c) => c !== 'company_name' && c !== 'contact_email'),
  ...NORMALIZED_COLUMNS,
];

/** Step 3: remove the duplicates (after filling the earlier lead, for `update`) and report them. Built once. */
function duplicatesSql(policy: 'skip' | 'update'): string {
  const updateSql =
    policy === 'update'
      ? `, latest as (
           select d.first_id, bool_or(d.same_import) as same_import,
             ${FILL_COLUMNS.map((c) => `(array_agg(n.${c} order by n.source_row desc) filter (where n.${c} is not null))[1] as ${c}`).join(',\n             ')}
           from dup d join leads n on n.id = d.id group by d.first_id
         ), saved as (
           insert into lead_changes (import_id, lead_id, source_row, previous)
           select $1, o.id, o.source_row, to_jsonb(o) from leads o join latest l on l.first_id = o.id where not l.same_import
           on conflict do nothing
           returning lead_id
         ), changed as (
           update leads o set ${FILL_COLUMNS.map((c) => `${c} = coalesce(l.${c}, o.${c})`).join(', ')}, updated_at = now()
           from latest l where o.id = l.first_id
           returning o.id, l.same_import
         )`
      : '';
  return `
    with dup as (${FIRST_EARLIER_LEAD})${updateSql},
    gone as (delete from leads l using dup where l.id = dup.id returning dup.*)
    select (select count(*) from gone)::int as duplicate_count,
           ${policy === 'update' ? '(select count(*) from changed where not same_import)::int' : '0'} as updated_count,
           (select coalesce(json_agg(s order by s.source_row), '[]') from (select * from gone order by source_row limit $2) s) as sample`;
}
const DUPLICATES_SQL = { skip: duplicatesSql('skip'), update: duplicatesSql('update') };

/**
 * Resolves duplicates by normalized e-mail after the COPY, under LEADS_WRITE_LOCK so that a
 * concurrent import's committed rows are visible and two imports never both keep the same e-mail.
 * skip: later duplicates are removed. update: they fill the earlier lead (non-empty cells win) and
 * are removed; previous values are kept in lead_changes for revert. allow: nothing to do.
 */
export async function resolveDuplicates(
  client: pg.PoolClient,
  importId: string,
  floor: number,
  copied: number,
  policy: DuplicatePolicy,
  listLimit: number,
  /** The engine saw no e-mail twice in the file, so the in-file check can be skipped. */
  noRepeatsInside = false,
): Promise<DuplicateOutcome> {
  const none: DuplicateOutcome = { duplicate_count: 0, updated_count: 0, duplicates: [], duplicates_truncated: false };
  if (policy === 'allow' || copied === 0) return none;
  await client.query('select pg_advisory_xact_lock($1)', [LEADS_WRITE_LOCK]);
  const hash = preferHashJoin(copied, floor);
  if (hash) await client.query(HASH_JOIN_SETTINGS.join('; '));
  // When the engine saw no e-mail twice in the file, only other leads can be duplicated: hash those.
  const candidateRows = noRepeatsInside ? SHARED_WITH_OTHERS : CANDIDATE_ROWS;
  // A SELECT can run in parallel (INSERT ... SELECT cannot), and usually finds nothing.
  const few = await client.query<{ id: string }>(`${candidateRows} limit ${MAX_LISTED_CANDIDATES + 1}`, [
    importId,
    floor,
  ]);
  if (few.rows.length > 0) {
    await client.query(
      'create temporary table if not exists lead_dup_candidates (id bigint primary key) on commit drop',
    );
    if (few.rows.length <= MAX_LISTED_CANDIDATES) {
      await client.query('insert into pg_temp.lead_dup_candidates (id) select unnest($1::bigint[])', [
        few.rows.map((r) => r.id),
      ]);
    } else {
      await client.query(`insert into pg_temp.lead_dup_candidates (id) ${candidateRows}`, [importId, floor]);
    }
  }
  if (hash) await client.query(DEFAULT_JOIN_SETTINGS.join('; '));
  if (few.rows.length === 0) return none;
  const sql = DUPLICATES_SQL[policy];
  const { rows } = await client.query<{
    duplicate_count: number;
    updated_count: number;
    sample: Array<{ source_row: number; email: string; first_id: string; same_import: boolean; first_row: number }>;
  }>(sql, [importId, listLimit]);
  const out = rows[0]!;
  const duplicates: DuplicateRow[] = out.sample.map((d) => ({
    row: d.source_row,
    email: d.email,
    duplicate_of_row: d.same_import ? d.first_row : null,
    duplicate_of_lead_id: d.same_import ? null : Number(d.first_id),
    action: policy === 'update' ? 'updated' : 'skipped',
  }));
  return {
    duplicate_count: out.duplicate_count,
    updated_count: out.updated_count,
    duplicates,
    duplicates_truncated: out.duplicate_count > duplicates.length,
  };
}
