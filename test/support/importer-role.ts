/** The least-privilege role created by migration 002; tests import as this role. */
export const IMPORTER = { name: 'lead_importer', password: 'lead_importer_test' } as const;
/** The caller's API role created by migration 004; the API's integration tests run as this role. */
export const API_ROLE = { name: 'lead_api', password: 'lead_api_test' } as const;
/** The presign function's role created by migration 007: it may only ask whether a rule set exists. */
export const PRESIGN_ROLE = { name: 'lead_presign', password: 'lead_presign_test' } as const;
