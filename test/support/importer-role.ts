/** The least-privilege role created by migration 002; tests import as this role. */
export const IMPORTER = { name: 'lead_importer', password: 'lead_importer_test' } as const;
