import { type CfnResource, CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { hashDirectories } from '../migrations-hash.ts';
import { REPO_ROOT } from '../paths.ts';
import type { IsolatedNetwork } from './isolated-network.ts';
import type { LeadDatabase } from './lead-database.ts';
import { AppFunction, LAMBDA_RUNTIME_CA_BUNDLE } from './app-function.ts';

/**
 * Where the migrations live (TypeScript modules holding the SQL, bundled into the migrate function);
 * their content decides whether the migrations run again.
 */
export const MIGRATIONS_SOURCE_DIR = 'functions/db';
export const MIGRATE_FUNCTION_LOGICAL_ID = 'SchemaMigrateFunction';

export interface SchemaMigrationsProps {
  readonly network: IsolatedNetwork;
  readonly database: LeadDatabase;
}

/**
 * Runs the schema migrations (and creates/grants the importer role) at deploy time through a CloudFormation
 * custom resource whose properties change with the migration files and with the migrate bundle, so a
 * deploy that brings new migrations sends an Update and the migrate function runs them.
 */
export class SchemaMigrations extends Construct {
  public readonly function: AppFunction;
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SchemaMigrationsProps) {
    super(scope, id);
    const { network, database } = props;

    this.function = new AppFunction(this, 'MigrateFunction', {
      entry: 'functions/migrate/handler.ts',
      description:
        'CloudFormation custom resource: applies schema migrations and the importer, API and presign role grants',
      memorySize: 512,
      timeout: Duration.minutes(5),
      vpc: network.vpc,
      vpcSubnets: network.isolatedSubnets,
      environment: {
        DB_SECRET_ARN: database.masterSecret.secretArn,
        IMPORTER_SECRET_ARN: database.importerSecret.secretArn,
        API_SECRET_ARN: database.apiSecret.secretArn,
        PRESIGN_SECRET_ARN: database.presignSecret.secretArn,
        DB_SSL: 'true',
        NODE_EXTRA_CA_CERTS: LAMBDA_RUNTIME_CA_BUNDLE,
      },
    });
    (this.function.node.defaultChild as CfnResource).overrideLogicalId(MIGRATE_FUNCTION_LOGICAL_ID);

    database.allowConnectionsFrom(this.function);
    network.secretsManagerEndpoint.connections.allowDefaultPortFrom(this.function);
    database.masterSecret.grantRead(this.function);
    database.importerSecret.grantRead(this.function);
    database.apiSecret.grantRead(this.function);
    database.presignSecret.grantRead(this.function);

    const providerLogs = new logs.LogGroup(this, 'ProviderLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const providerRole = new iam.Role(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom resource provider framework: invokes the migrate function and writes its own logs',
      inlinePolicies: {
        Logs: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [providerLogs.logGroupArn],
            }),
          ],
        }),
      },
    });
    Validations.of(providerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${MIGRATE_FUNCTION_LOGICAL_ID}.Arn>:*]`,
      reason:
        'Added by the CDK provider framework (grantInvoke) so any version/alias of the migrate function can be ' +
        'invoked; it is confined to that single function.',
    });

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      logGroup: providerLogs,
      frameworkOnEventRole: providerRole,
    });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::LeadImportSchemaMigrations',
      properties: {
        MigrationsHash: hashDirectories(REPO_ROOT, [MIGRATIONS_SOURCE_DIR]),
        MigrateCodeKey: codeKeyOf(this.function),
      },
    });
    // The database must accept connections before the migrations run ...
    // (the DB instance resource only: the instance construct's subtree also holds the rotation schedules)
    this.resource.node.addDependency(database.instance.node.defaultChild as CfnResource);
    // ... and the network path must exist: the Secrets Manager endpoint and every security group rule
    // (they are separate resources CloudFormation could otherwise create after the migrations ran).
    this.resource.node.addDependency(network, database.securityGroup);
    if (this.function.securityGroup) this.resource.node.addDependency(this.function.securityGroup);
    // ... and the first (immediate) rotations must not race with them: the multi-user rotation needs the
    // importer role the migrations create, and the master rotation would change the password mid-run.
    for (const schedule of database.rotationSchedules()) schedule.node.addDependency(this.resource);
  }

  /**
   * Functions that log in as a role a migration creates (and grants) wait for the migrations, so a
   * deploy never creates one, nor switches it to a new role, before its role exists: its logins
   * would fail (28P01) until the migrations ran. Only the function resource waits: its security
   * group and its database ingress rule are on the migrations' own path (synth refuses the cycle).
   */
  public runBefore(...functions: lambda.Function[]): void {
    for (const fn of functions) (fn.node.defaultChild as CfnResource).node.addDependency(this.resource);
  }
}

/** The S3 object key of the function's code asset: it changes whenever the bundled migrate code changes. */
function codeKeyOf(fn: lambda.Function): string {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const code = Stack.of(fn).resolve(cfn.code) as { S3Key?: unknown; s3Key?: unknown } | undefined;
  const key = code?.S3Key ?? code?.s3Key;
  if (typeof key !== 'string') throw new Error('migrate function code is not a file asset');
  return key;
}
