import { sql as schema } from './001_schema.ts';
import { sql as importerRole } from './002_importer_role.ts';
import { sql as leadChangesOrder } from './003_lead_changes_order.ts';
import { sql as callerApi } from './004_caller_api.ts';
import { sql as ruleSets } from './005_rule_sets.ts';
import { sql as nameMatch } from './006_name_match.ts';
import { sql as presignRole } from './007_presign_role.ts';

/** Migrations in the order they apply; names are recorded in schema_migrations. Never edit an applied one. */
export const MIGRATIONS: ReadonlyArray<{ name: string; sql: string }> = [
  { name: '001_schema', sql: schema },
  { name: '002_importer_role', sql: importerRole },
  { name: '003_lead_changes_order', sql: leadChangesOrder },
  { name: '004_caller_api', sql: callerApi },
  { name: '005_rule_sets', sql: ruleSets },
  { name: '006_name_match', sql: nameMatch },
  { name: '007_presign_role', sql: presignRole },
];
