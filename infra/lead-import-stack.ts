import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { LeadImportConfig } from './config.ts';
import { CallerApi } from './constructs/caller-api.ts';
import { ImportMonitoring } from './constructs/import-monitoring.ts';
import { ImportPipeline } from './constructs/import-pipeline.ts';
import { IsolatedNetwork } from './constructs/isolated-network.ts';
import { LeadDatabase } from './constructs/lead-database.ts';
import { SchemaMigrations } from './constructs/schema-migrations.ts';
import { UploadApi } from './constructs/upload-api.ts';
import { UploadBucket } from './constructs/upload-bucket.ts';
import { UploadPage } from './constructs/upload-page.ts';

export interface LeadImportStackProps extends StackProps {
  readonly config: LeadImportConfig;
}

/**
 * Lead Import: presigned uploads through a JWT-protected HTTP API, S3-triggered CSV import into RDS PostgreSQL.
 * Environment-agnostic: no account/region lookups; deployable to any account/region with `cdk deploy`.
 */
export class LeadImportStack extends Stack {
  public readonly storage: UploadBucket;
  public readonly network: IsolatedNetwork;
  public readonly database: LeadDatabase;
  public readonly migrations: SchemaMigrations;
  public readonly importPipeline: ImportPipeline;
  public readonly uploadApi: UploadApi;
  public readonly callerApi: CallerApi;
  public readonly monitoring: ImportMonitoring;
  public readonly uploadPage: UploadPage | undefined;

  constructor(scope: Construct, id: string, props: LeadImportStackProps) {
    super(scope, id, props);
    const { config } = props;

    // Identity provider settings are deploy-time parameters, so one synthesized template fits any IdP.
    const jwtIssuer = new CfnParameter(this, 'JwtIssuer', {
      type: 'String',
      description:
        'OIDC issuer URL of the identity provider, e.g. https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf',
      allowedPattern: '^https://\\S+$',
      constraintDescription: 'must be an https:// issuer URL',
    });
    const jwtAudience = new CfnParameter(this, 'JwtAudience', {
      type: 'CommaDelimitedList',
      description: 'Accepted audiences (aud claim; for Cognito access tokens the app client id), comma-separated',
    });

    // The upload page's distribution first: its origin may join the CORS rules of the bucket and the API.
    const page = (this.uploadPage = config.uploadPage ? new UploadPage(this, 'UploadPage') : undefined);
    const pageCors = page !== undefined && (config.uploadPageCors ?? config.corsAllowedOrigins.length === 0);
    const corsAllowedOrigins = pageCors ? [...config.corsAllowedOrigins, page.origin] : config.corsAllowedOrigins;

    const storage = (this.storage = new UploadBucket(this, 'Storage', {
      uploadsExpirationDays: config.uploadsExpirationDays,
      corsAllowedOrigins,
    }));
    const network = (this.network = new IsolatedNetwork(this, 'Network'));
    const database = (this.database = new LeadDatabase(this, 'Database', { network, config }));
    this.migrations = new SchemaMigrations(this, 'SchemaMigrations', { network, database });

    const pipeline = (this.importPipeline = new ImportPipeline(this, 'Import', {
      bucket: storage.bucket,
      network,
      database,
      reservedConcurrency: config.importReservedConcurrency,
    }));

    const api = (this.uploadApi = new UploadApi(this, 'UploadApi', {
      bucket: storage.bucket,
      network,
      database,
      jwtIssuer: jwtIssuer.valueAsString,
      jwtAudience: jwtAudience.valueAsList,
      maxUploadBytes: config.maxUploadBytes,
      throttleRateLimit: config.apiThrottleRateLimit,
      throttleBurstLimit: config.apiThrottleBurstLimit,
      corsAllowedOrigins,
      uploadScopes: config.uploadScopes,
    }));
    page?.deploy(api.apiUrl);
    const callerApi = (this.callerApi = new CallerApi(this, 'CallerApi', {
      httpApi: api.api,
      authorizer: api.authorizer,
      bucket: storage.bucket,
      network,
      database,
      scopes: config.uploadScopes,
    }));

    // Every function that logs in to PostgreSQL does so as a role the migrations create.
    this.migrations.runBefore(pipeline.function, pipeline.finisher.function, api.function, callerApi.function);

    const monitoring = (this.monitoring = new ImportMonitoring(this, 'Monitoring', {
      importFunction: pipeline.function,
      apiFunction: callerApi.function,
      presignFunction: api.function,
      failureQueue: pipeline.failureQueue,
      finisher: pipeline.finisher,
      alarmEmail: config.alarmEmail,
    }));

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the upload API: POST $ApiUrl/uploads with a Bearer JWT',
      value: api.apiUrl,
    });
    if (page) new CfnOutput(this, 'UploadPageUrl', { description: 'The upload page (CloudFront)', value: page.url });
    new CfnOutput(this, 'BucketName', { description: 'Uploads bucket', value: storage.bucket.bucketName });
    new CfnOutput(this, 'FailedEventsQueueUrl', {
      description: 'S3 events the import function could not process after all retries (the finisher consumes them)',
      value: pipeline.failureQueue.queueUrl,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: monitoring.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: monitoring.dashboard.dashboardName });
  }
}
