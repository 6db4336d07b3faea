/** Migration 005_rule_sets. Kept as a module so Lambda bundles carry it without file copying. */
export const sql = String.raw`
-- A caller's validation rule sets, by name. Every PUT adds a version and no version is ever changed
-- or removed, because imports record the version they applied; DELETE marks the name's versions
-- deleted (a later PUT starts the next version number, so name + version stays unambiguous).
-- owner is the caller's folder segment, the same value the import finds in its uploader metadata.
create table rule_sets (
  owner text not null,
  name text not null check (name ~ '^[a-z0-9-]{1,64}$'),
  version integer not null check (version > 0),
  document jsonb not null,
  created_at timestamptz not null default now(),
  deleted_at timestamptz,
  primary key (owner, name, version)
);

-- Which rule set each import applied (a file given to the CLI has a name and no version).
alter table lead_imports add column rule_set_name text, add column rule_set_version integer;

-- The import reads the current version at its start (it already updates its lead_imports row).
grant select on rule_sets to lead_importer;
-- The caller's API manages them: add versions, read, mark deleted. Nothing is ever removed.
grant select, insert on rule_sets to lead_api;
grant update (deleted_at) on rule_sets to lead_api;
`;
