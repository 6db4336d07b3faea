/** Migration 003_lead_changes_order. Kept as a module so Lambda bundles carry it without file copying. */
export const sql = String.raw`
-- The order in which imports changed leads, so a revert can tell whether a later import changed
-- the same lead after the one being reverted. Rows are inserted by resolveDuplicates while it
-- holds LEADS_WRITE_LOCK, so the identity value follows the order in which the imports took the
-- lock (timestamps cannot: now() is the transaction start, and imports overlap). The importer
-- does not name the column, and identity defaults need no sequence privilege: no new grant.
-- Rows already present are numbered in storage order (their relative order is not known).
alter table lead_changes add column seq bigint generated always as identity;
`;
