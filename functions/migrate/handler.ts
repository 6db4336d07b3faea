import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { runMigrations } from '#io/migrate-from-secrets';

/**
 * onEvent handler of the schema-migrations custom resource (custom_resources.Provider).
 * Create/Update: apply pending migrations with the master secret, and set up the importer role from its secret.
 * Delete: nothing (the schema and data outlive the stack resource). A throw fails the deployment step.
 */
export interface MigrateResponse {
  PhysicalResourceId: string;
  Data: { AppliedCount: number };
}

const PHYSICAL_RESOURCE_ID = 'lead-import-schema-migrations';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<MigrateResponse> {
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { AppliedCount: 0 } };
  }
  const { applied } = await runMigrations({
    adminSecretArn: requireEnv('DB_SECRET_ARN'),
    importerSecretArn: requireEnv('IMPORTER_SECRET_ARN'),
  });
  console.log(JSON.stringify({ message: 'migrations applied', requestType: event.RequestType, applied }));
  return {
    PhysicalResourceId: event.RequestType === 'Update' ? event.PhysicalResourceId : PHYSICAL_RESOURCE_ID,
    Data: { AppliedCount: applied.length },
  };
}
