/** Migration 004_caller_api. Kept as a module so Lambda bundles carry it without file copying. */
export const sql = String.raw`
-- A caller's history, newest first, one keyset page at a time: GET /imports filters on uploader and
-- pages on (started_at, id). Imports with no uploader are nobody's and stay out of the index.
create index lead_imports_uploader_started_idx on lead_imports (uploader, started_at desc, id desc)
  where uploader is not null;

-- Least-privilege role for the caller's API function: it reads the history and reverts an import,
-- nothing more. Revert deletes the leads an import created, puts back the columns an update import
-- changed (never id, created_at, import_id or source_row), deletes the import's lead_changes and
-- marks the import reverted. No insert anywhere, no DDL, no server-file COPY.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'lead_api') then
    create role lead_api login nosuperuser nocreatedb nocreaterole noinherit;
  end if;
end
$$;
revoke all on schema public from lead_api;
grant usage on schema public to lead_api;
grant select on lead_imports to lead_api;
grant update (status, reverted_at) on lead_imports to lead_api;
grant select, delete on leads to lead_api;
grant update (company_name, industry, company_website, company_size, contact_name, contact_email, contact_phone,
  contact_title, notes, website_normalized, phone_e164, updated_at) on leads to lead_api;
grant select, delete on lead_changes to lead_api;
`;
