/** Migration 006_name_match. Kept as a module so Lambda bundles carry it without file copying. */
export const sql = String.raw`
-- Duplicates by company and contact name for leads without an e-mail (match_on = email_or_name).
-- name_key is written by the importer (functions/core/name-key.ts: NFKC, case, punctuation,
-- whitespace, legal forms), only on leads without an e-mail and with a contact name. The rules are
-- the importer's, not SQL's, so leads imported before this migration have no key and are not matched
-- by name. A hash index: equality is the only question asked, and a key of two 255-character names
-- after NFKC can outgrow a btree entry.
alter table leads add column name_key text;
create index leads_name_key_idx on leads using hash (name_key) where name_key is not null;
-- A revert restores it with the other normalized columns (lead_api may update exactly those).
grant update (name_key) on leads to lead_api;

-- History says which imports were dry runs (their leads were rolled back; they cannot be reverted).
alter table lead_imports add column dry_run boolean not null default false;
`;
