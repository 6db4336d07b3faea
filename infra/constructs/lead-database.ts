import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';
import type { LeadImportConfig } from '../config.ts';
import type { IsolatedNetwork } from './isolated-network.ts';

export const DATABASE_NAME = 'leads';
export const MASTER_USERNAME = 'lead_admin';
/** Least-privilege login role the import function uses; created and granted by the schema migrations. */
export const IMPORTER_USERNAME = 'lead_importer';
/** Least-privilege login role the caller's API function uses (history and revert); created by migration 004. */
export const API_USERNAME = 'lead_api';
/** Login role the presign function uses to ask whether a rule set exists, and nothing more; created by migration 007. */
export const PRESIGN_USERNAME = 'lead_presign';

export interface LeadDatabaseProps {
  readonly network: IsolatedNetwork;
  readonly config: LeadImportConfig;
}

/**
 * RDS PostgreSQL 15 in the isolated subnets. Secrets, all rotated through the Secrets Manager VPC
 * endpoint: the master (single-user rotation, used only by the migrate function), and one per
 * least-privilege login role (importer, API, presign: multi-user rotations driven by the master secret).
 */
export class LeadDatabase extends Construct {
  public readonly instance: rds.DatabaseInstance;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly masterSecret: secretsmanager.ISecret;
  public readonly importerSecret: secretsmanager.ISecret;
  public readonly apiSecret: secretsmanager.ISecret;
  public readonly presignSecret: secretsmanager.ISecret;
  public readonly masterRotation: secretsmanager.SecretRotation;
  public readonly importerRotation: secretsmanager.SecretRotation;
  public readonly apiRotation: secretsmanager.SecretRotation;
  public readonly presignRotation: secretsmanager.SecretRotation;

  constructor(scope: Construct, id: string, props: LeadDatabaseProps) {
    super(scope, id);
    const { network, config } = props;
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: network.vpc,
      description: 'Lead database: ingress 5432 only from the functions and rotation Lambdas of this stack',
      allowAllOutbound: false,
    });

    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Lead database: TLS required for every connection',
      parameters: { 'rds.force_ssl': '1' },
    });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: new ec2.InstanceType(config.dbInstanceType),
      vpc: network.vpc,
      vpcSubnets: network.isolatedSubnets,
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      credentials: rds.Credentials.fromGeneratedSecret(MASTER_USERNAME),
      databaseName: DATABASE_NAME,
      parameterGroup,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      storageEncrypted: true,
      multiAz: config.dbMultiAz,
      backupRetention: Duration.days(config.dbBackupRetentionDays),
      deleteAutomatedBackups: false,
      deletionProtection: config.dbDeletionProtection,
      iamAuthentication: config.dbIamAuthentication,
      autoMinorVersionUpgrade: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    if (!this.instance.secret) throw new Error('generated master secret missing');
    this.masterSecret = this.instance.secret;

    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        "The default port 5432 is only reachable from the security groups of this stack's functions inside isolated " +
        'subnets; a non-default port adds no protection there.',
    });
    if (!config.dbMultiAz) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason:
          'Multi-AZ is opt-in through the dbMultiAz context (cost); imports are retryable from the uploaded file.',
      });
    }
    if (!config.dbDeletionProtection) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason:
          'Deletion protection was explicitly switched off with the dbDeletionProtection context (non-production stack).',
      });
    }
    if (!config.dbIamAuthentication) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS6',
        reason:
          'The functions authenticate with Secrets Manager credentials that are rotated automatically; IAM database ' +
          'authentication is opt-in through the dbIamAuthentication context.',
      });
    }

    // One security group for both rotation Lambdas: reaches the database and the Secrets Manager endpoint only.
    const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: network.vpc,
      description: 'Secret rotation Lambdas: egress to the database and the Secrets Manager endpoint only',
      allowAllOutbound: false,
    });
    network.secretsManagerEndpoint.connections.allowDefaultPortFrom(rotationSecurityGroup);

    const rotationOptions = {
      automaticallyAfter: Duration.days(config.secretRotationDays),
      endpoint: network.secretsManagerEndpoint,
      securityGroup: rotationSecurityGroup,
      vpcSubnets: network.isolatedSubnets,
    };
    this.masterRotation = this.instance.addRotationSingleUser(rotationOptions);

    const importerSecret = new rds.DatabaseSecret(this, 'ImporterSecret', {
      username: IMPORTER_USERNAME,
      dbname: DATABASE_NAME,
      masterSecret: this.masterSecret,
    });
    this.importerSecret = importerSecret.attach(this.instance);
    this.importerRotation = this.instance.addRotationMultiUser('ImporterRotation', {
      ...rotationOptions,
      secret: this.importerSecret,
    });

    const apiSecret = new rds.DatabaseSecret(this, 'ApiSecret', {
      username: API_USERNAME,
      dbname: DATABASE_NAME,
      masterSecret: this.masterSecret,
    });
    this.apiSecret = apiSecret.attach(this.instance);
    this.apiRotation = this.instance.addRotationMultiUser('ApiRotation', {
      ...rotationOptions,
      secret: this.apiSecret,
    });

    const presignSecret = new rds.DatabaseSecret(this, 'PresignSecret', {
      username: PRESIGN_USERNAME,
      dbname: DATABASE_NAME,
      masterSecret: this.masterSecret,
    });
    this.presignSecret = presignSecret.attach(this.instance);
    this.presignRotation = this.instance.addRotationMultiUser('PresignRotation', {
      ...rotationOptions,
      secret: this.presignSecret,
    });
  }

  /** The RotationSchedule resources (they live under the secrets, not under the SecretRotation constructs). */
  public rotationSchedules(): IConstruct[] {
    return [this.masterSecret, this.importerSecret, this.apiSecret, this.presignSecret].flatMap((secret) =>
      secret.node.children.filter((child) => child instanceof secretsmanager.RotationSchedule),
    );
  }

  /** Let a VPC function open connections to the database (ingress on the DB, egress on the function). */
  public allowConnectionsFrom(peer: ec2.IConnectable): void {
    this.instance.connections.allowDefaultPortFrom(peer, 'PostgreSQL from a Lead Import function');
  }
}
