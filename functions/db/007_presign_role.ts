/** Migration 007_presign_role. Kept as a module so Lambda bundles carry it without file copying. */
export const sql = String.raw`
-- Least-privilege role for the presign function: before granting an upload with a rule_set it asks
-- whether the caller has a rule set of that name. It holds no privilege on any table: its one right
-- is to call rule_set_exists, which answers yes or no for one owner and name. It cannot list the
-- owners (JWT subjects, possibly e-mail addresses) or the names, read a document, the leads or the
-- history, and may write no table (PUBLIC's defaults still let any role make temporary tables).
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'lead_presign') then
    create role lead_presign login nosuperuser nocreatedb nocreaterole noinherit;
  end if;
end
$$;
revoke all on schema public from lead_presign;
grant usage on schema public to lead_presign;

-- Runs with the rights of its owner, the migrating role (which owns rule_sets). The search_path holds
-- only pg_catalog and, last, pg_temp (no schema a caller may write to), and the table is named with its
-- schema, so no object a caller creates can stand in for a built-in or for rule_sets.
create function public.rule_set_exists(p_owner text, p_name text) returns boolean
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $fn$
  select exists (
    select 1 from public.rule_sets where owner = p_owner and name = p_name and deleted_at is null
  )
$fn$;
revoke all on function public.rule_set_exists(text, text) from public;
grant execute on function public.rule_set_exists(text, text) to lead_presign;
`;
