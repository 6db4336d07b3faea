/** Migration 002_importer_role. Kept as a module so Lambda bundles carry it without file copying. */
export const sql = String.raw`
-- Least-privilege role for the import function: it may add leads, fill them under the 'update'
-- policy, remove its own duplicates inside its transaction, and keep its bookkeeping. It cannot
-- create or drop anything, read other schemas, or COPY from a server file (no pg_read_server_files).
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'lead_importer') then
    create role lead_importer login nosuperuser nocreatedb nocreaterole noinherit;
  end if;
end
$$;
revoke all on schema public from lead_importer;
grant usage on schema public to lead_importer;
grant select, insert, update, delete on leads to lead_importer;
grant select, insert, update on lead_imports to lead_importer;
grant select, insert, delete on lead_changes to lead_importer;
`;
