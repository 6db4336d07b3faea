import type { RevertOutcome } from './revert.ts';

/**
 * The revert's JSON summary, the same for `npm run imports -- revert` and `POST /imports/{id}/revert`:
 * {import_id, status, removed_leads, restored_leads, message, ...}.
 */
export function revertSummary(o: Exclude<RevertOutcome, { outcome: 'not_found' }>): Record<string, unknown> {
  const base = { import_id: o.import_id };
  switch (o.outcome) {
    case 'reverted':
      return {
        ...base,
        status: 'reverted',
        removed_leads: o.removed_leads,
        restored_leads: o.restored_leads,
        message: o.message,
      };
    case 'already_reverted':
      return {
        ...base,
        status: 'reverted',
        removed_leads: 0,
        restored_leads: 0,
        message: o.message,
        reverted_at: o.reverted_at,
      };
    case 'nothing_to_revert':
      return { ...base, status: o.status, removed_leads: 0, restored_leads: 0, message: o.message };
    case 'refused':
      return {
        ...base,
        status: o.status,
        removed_leads: 0,
        restored_leads: 0,
        message: o.message,
        refused: o.reason,
        conflict_count: o.conflict_count,
        conflicts: o.conflicts,
      };
  }
}
