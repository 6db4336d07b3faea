/** Migration 007_presign_role. Kept as a module so Lambda bundles carry it without file copying. */
export const sql = String.raw`
-- Least-privilege role for the presign function: before granting an upload with a rule_set it asks
-- whether the caller has a rule set of that name. It may read only the columns that question needs,
-- not the rule documents, the leads or the history, and may write nothing.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'lead_presign') then
    create role lead_presign login nosuperuser nocreatedb nocreaterole noinherit;
  end if;
end
$$;
revoke all on schema public from lead_presign;
grant usage on schema public to lead_presign;
grant select (owner, name, deleted_at) on rule_sets to lead_presign;
`;
