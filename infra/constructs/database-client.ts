import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { type AppFunction, type AppFunctionProps, LAMBDA_RUNTIME_CA_BUNDLE } from './app-function.ts';
import type { IsolatedNetwork } from './isolated-network.ts';
import type { LeadDatabase } from './lead-database.ts';

/**
 * How a function reaches the lead database, the same way for every function that does: from the
 * isolated subnets, as one least-privilege login role whose secret only it (and migrate) may read,
 * over TLS that verifies RDS's certificate.
 */
export interface DatabaseLogin {
  readonly network: IsolatedNetwork;
  readonly database: LeadDatabase;
  /** The login role's secret (importer, API, presign). */
  readonly secret: secretsmanager.ISecret;
  /** DB_STATEMENT_TIMEOUT_MS; unset keeps the functions' default (functions/io/database.ts). */
  readonly statementTimeoutMs?: number;
}

/** What the function needs at creation: its subnets and its database environment (merge your own variables in). */
export function databaseFunctionProps(
  login: DatabaseLogin,
): Required<Pick<AppFunctionProps, 'vpc' | 'vpcSubnets' | 'environment'>> {
  return {
    vpc: login.network.vpc,
    vpcSubnets: login.network.isolatedSubnets,
    environment: {
      DB_SECRET_ARN: login.secret.secretArn,
      DB_SSL: 'true',
      // Verified TLS to RDS: the runtime's Amazon CA bundle, RDS's CAs included (app-function.ts).
      NODE_EXTRA_CA_CERTS: LAMBDA_RUNTIME_CA_BUNDLE,
      ...(login.statementTimeoutMs === undefined ? {} : { DB_STATEMENT_TIMEOUT_MS: String(login.statementTimeoutMs) }),
    },
  };
}

/**
 * After creation: egress to PostgreSQL and to the Secrets Manager endpoint (with the matching
 * ingress), and read access to the login's secret. Nothing else; S3 is the caller's choice.
 */
export function grantDatabaseLogin(fn: AppFunction, login: DatabaseLogin): void {
  login.database.allowConnectionsFrom(fn);
  login.network.allowSecretsManagerFrom(fn);
  login.secret.grantRead(fn);
}
