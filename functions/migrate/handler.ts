import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { z } from 'zod';
import { dbSslSetting } from '#io/database-tls';
import { readEnv } from '#io/env';
import { log } from '#io/log';
import { runMigrations } from '#io/migrate-from-secrets';

/**
 * onEvent handler of the schema-migrations custom resource (custom_resources.Provider).
 * Create/Update: apply pending migrations with the master secret, and give the importer, API and
 * presign roles the passwords in their own secrets.
 * Delete: nothing (the schema and data outlive the stack resource). A throw fails the deployment step.
 */
export interface MigrateResponse {
  PhysicalResourceId: string;
  Data: { AppliedCount: number };
}

const PHYSICAL_RESOURCE_ID = 'lead-import-schema-migrations';

const migrateEnvShape = {
  DB_SECRET_ARN: z.string().min(1),
  IMPORTER_SECRET_ARN: z.string().min(1),
  API_SECRET_ARN: z.string().min(1),
  PRESIGN_SECRET_ARN: z.string().min(1),
  // The stack sets it: verified TLS to RDS, as for the import function.
  DB_SSL: dbSslSetting,
};

export async function handler(event: CloudFormationCustomResourceEvent): Promise<MigrateResponse> {
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { AppliedCount: 0 } };
  }
  const env = readEnv(migrateEnvShape);
  const { applied, nameKeysFilled } = await runMigrations({
    adminSecretArn: env.DB_SECRET_ARN,
    roleSecretArns: [env.IMPORTER_SECRET_ARN, env.API_SECRET_ARN, env.PRESIGN_SECRET_ARN],
    ssl: env.DB_SSL,
  });
  log.info('migrations_applied', { request_type: event.RequestType, applied, name_keys_filled: nameKeysFilled });
  return {
    PhysicalResourceId: event.RequestType === 'Update' ? event.PhysicalResourceId : PHYSICAL_RESOURCE_ID,
    Data: { AppliedCount: applied.length },
  };
}
