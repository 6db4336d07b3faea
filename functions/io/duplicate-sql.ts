import { LEAD_COLUMNS, NORMALIZED_COLUMNS } from '#core/contract/columns';

/**
 * The duplicate checks' SQL, once per matching key. A lead matches by its lower-cased e-mail, or
 * (`match_on: email_or_name`, leads without e-mail) by its name key: normalized company and contact
 * name, written by COPY (#core/rows/name-key) and only ever present on leads without an e-mail. The
 * `contact_email is null` test on the other lead keeps that rule true even for leads edited by hand.
 */
export type DuplicateKey = 'email' | 'name';

interface KeySql {
  /** The compared value of lead `t`. */
  value: (t: string) => string;
  /** Lead `t` has the key (and may use the key's index). */
  present: (t: string) => string;
}

const KEYS: Record<DuplicateKey, KeySql> = {
  email: { value: (t) => `lower(${t}.contact_email)`, present: (t) => `${t}.contact_email is not null` },
  name: {
    value: (t) => `${t}.name_key`,
    present: (t) => `${t}.name_key is not null and ${t}.contact_email is null`,
  },
};

/** The temporary table of candidate ids, one per key (two checks can run in one transaction). */
export const candidatesTable = (key: DuplicateKey) => `lead_dup_candidates_${key}`;

/**
 * Step 1, cheap: leads of this import ($1, ids above $2) whose key appears on any other lead, or
 * only on leads of other imports when the engine saw no key twice in the file.
 */
export function candidateRows(key: DuplicateKey, othersOnly: boolean): string {
  const k = KEYS[key];
  const other = othersOnly ? 'o.import_id is distinct from $1' : 'o.id <> n.id';
  return `
  select n.id from leads n
  where n.id > $2 and n.import_id = $1 and ${k.present('n')}
    and exists (select 1 from leads o where ${k.value('o')} = ${k.value('n')} and ${k.present('o')} and ${other})`;
}

/** Step 2, for candidates only: the earliest other lead with the same key, if it is earlier. */
function firstEarlierLead(key: DuplicateKey): string {
  const k = KEYS[key];
  return `
  select n.id, n.source_row, n.contact_email as email, '${key}' as matched_on, f.id as first_id,
         f.import_id = n.import_id as same_import, f.source_row as first_row
  from leads n
  cross join lateral (
    select o.id, o.import_id, o.source_row from leads o
    where ${k.value('o')} = ${k.value('n')} and ${k.present('o')} and o.id <> n.id
      and (o.import_id is distinct from n.import_id or o.id < n.id)
    order by o.import_id is not distinct from n.import_id, o.id
    limit 1
  ) f
  where n.id in (select id from pg_temp.${candidatesTable(key)}) and n.import_id = $1`;
}

/** What the update policy fills from a duplicate row: everything but the matching keys. */
const FILL_COLUMNS: readonly string[] = [
  ...LEAD_COLUMNS.filter((c) => c !== 'company_name' && c !== 'contact_email'),
  ...NORMALIZED_COLUMNS.filter((c) => c !== 'name_key'),
];

/** Step 3: remove the duplicates (after filling the earlier lead, for `update`) and report them. */
export function duplicatesSql(key: DuplicateKey, policy: 'skip' | 'update'): string {
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
    with dup as (${firstEarlierLead(key)})${updateSql},
    gone as (delete from leads l using dup where l.id = dup.id returning dup.*)
    select (select count(*) from gone)::int as duplicate_count,
           ${policy === 'update' ? '(select count(*) from changed where not same_import)::int' : '0'} as updated_count,
           (select coalesce(json_agg(s order by s.source_row), '[]') from (select * from gone order by source_row limit $2) s) as sample`;
}
