/** Migration 001_schema. Kept as a module so Lambda bundles carry it without file copying. */
export const sql = String.raw`
-- Lead Import schema. Applied by functions/io/migrate.ts inside one transaction.

create table lead_imports (
  id uuid primary key,
  -- Idempotency key: one import per object version (version id, or ETag when unversioned).
  source_bucket text not null,
  source_key text not null,
  source_version text not null,
  filename text not null,
  source_size bigint,
  uploader text,
  status text not null check (status in ('processing', 'succeeded', 'rejected', 'failed', 'reverted')),
  error_code text,
  message text,
  options jsonb not null default '{}',
  encoding text,
  delimiter text,
  total_leads integer not null default 0,
  imported_count integer not null default 0,
  updated_count integer not null default 0,
  duplicate_count integer not null default 0,
  failed_count integer not null default 0,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  duration_ms integer,
  result jsonb,
  reverted_at timestamptz,
  -- Every lead this import created has an id above this value (max(id) before its COPY).
  lead_id_floor bigint,
  constraint lead_imports_source_unique unique (source_bucket, source_key, source_version)
);
create index lead_imports_started_at_idx on lead_imports (started_at desc);

create table leads (
  id bigint generated always as identity primary key,
  -- The original service's columns.
  company_name varchar(255) not null,
  industry varchar(255),
  company_website varchar(2048),
  company_size varchar(255),
  contact_name varchar(255),
  contact_email varchar(254),
  contact_phone varchar(255),
  contact_title varchar(255),
  notes text,
  created_at timestamptz not null default now(),
  -- Added: provenance and normalized values (what the user wrote stays in the columns above).
  -- Nullable so leads carried over from the original service need no import.
  updated_at timestamptz,
  import_id uuid,
  source_row integer,
  website_normalized varchar(2048),
  phone_e164 varchar(16)
);
-- Duplicate detection compares e-mails case-insensitively (they are stored trimmed). Not unique on
-- purpose: the 'allow' policy keeps duplicates, and concurrent imports are serialized by an
-- advisory lock during the duplicate check instead, so a COPY never waits on another
-- transaction's index entries (no deadlocks between imports sharing e-mails).
create index leads_email_lower_idx on leads (lower(contact_email)) where contact_email is not null;
-- No index on import_id: an import's leads sit above lead_imports.lead_id_floor (ids only grow),
-- so the primary key finds them, and COPY does not pay for a second index.

-- Previous values of leads changed by an 'update' import, so the import can be reverted.
create table lead_changes (
  import_id uuid not null,
  lead_id bigint not null,
  source_row integer not null,
  previous jsonb not null,
  primary key (import_id, lead_id)
);
create index lead_changes_lead_id_idx on lead_changes (lead_id);
`;
