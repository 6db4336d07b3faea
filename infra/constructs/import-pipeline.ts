import { Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { IsolatedNetwork } from './isolated-network.ts';
import type { LeadDatabase } from './lead-database.ts';
import { WORKER_BUNDLE_NAME } from '../../functions/runtime/engine-runner.ts';
import { cpuShareOf, engineWorkerAt, IMPORT_MEMORY_MB } from '../import-sizing.ts';
import { AppFunction } from './app-function.ts';
import { databaseFunctionProps, grantDatabaseLogin } from './database-client.ts';
import { REJECTED_REPORT_MAX_BYTES } from '../../functions/core/contract/row-report.ts';
import { FINISHER_MAX_RECEIVES, FINISHER_TIMEOUT, ImportFinisher } from './import-finisher.ts';
import { acknowledgeUploadWildcards, resultFileArns, UPLOADS_PREFIX } from './upload-bucket.ts';

export const IMPORT_TIMEOUT = Duration.minutes(15);
export const IMPORT_RETRY_ATTEMPTS = 2;
export const IMPORT_MAX_EVENT_AGE = Duration.hours(6);
/**
 * /tmp holds one thing: the rejected-rows file of the running import, capped at
 * REJECTED_REPORT_MAX_BYTES; the rest is headroom (a leftover of a killed earlier run, the runtime).
 */
export const IMPORT_EPHEMERAL_STORAGE_MIB = Math.ceil(REJECTED_REPORT_MAX_BYTES / (1024 * 1024)) + 512;

export interface ImportPipelineProps {
  readonly bucket: s3.Bucket;
  readonly network: IsolatedNetwork;
  readonly database: LeadDatabase;
  readonly reservedConcurrency: number;
}

/**
 * S3 ObjectCreated (uploads/*.csv and uploads/*.CSV) -> import function (isolated subnets, reserved concurrency)
 * -> RDS. Events that still fail after the async retries land in an encrypted SQS queue.
 */
export class ImportPipeline extends Construct {
  public readonly function: AppFunction;
  public readonly failureQueue: sqs.Queue;
  public readonly finisher: ImportFinisher;

  constructor(scope: Construct, id: string, props: ImportPipelineProps) {
    super(scope, id);
    const { bucket, network, database } = props;
    const login = { network, database, secret: database.importerSecret };
    const databaseProps = databaseFunctionProps(login);

    // The finisher reads this queue; what it cannot finish moves on to the finisher's own dead letters.
    const finisherDeadLetters = new sqs.Queue(this, 'FinisherDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(finisherDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'Terminal queue: on-failure records the finisher could not process after several deliveries wait here ' +
        'for an operator (an alarm fires on the first one); it needs no further DLQ.',
    });
    this.failureQueue = new sqs.Queue(this, 'FailedEvents', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Six times the consumer's timeout, as Lambda's SQS event source recommends.
      visibilityTimeout: Duration.seconds(FINISHER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: finisherDeadLetters, maxReceiveCount: FINISHER_MAX_RECEIVES },
    });

    this.function = new AppFunction(this, 'Function', {
      entry: 'functions/import/handler.ts',
      extraBundles: { [WORKER_BUNDLE_NAME]: 'functions/runtime/engine-worker.ts' },
      description: 'Streams an uploaded CSV, validates it, COPYs it into PostgreSQL and writes the result files',
      memorySize: IMPORT_MEMORY_MB,
      timeout: IMPORT_TIMEOUT,
      ephemeralStorageSize: Size.mebibytes(IMPORT_EPHEMERAL_STORAGE_MIB),
      ...databaseProps,
      environment: { ...databaseProps.environment, ENGINE_WORKER: engineWorkerAt(cpuShareOf(IMPORT_MEMORY_MB)) },
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
    this.function.configureAsyncInvoke({
      retryAttempts: IMPORT_RETRY_ATTEMPTS,
      maxEventAge: IMPORT_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.failureQueue),
    });

    // Network egress, nothing else: PostgreSQL, the Secrets Manager endpoint's security group (both
    // added with the matching ingress), and HTTPS to S3's prefix list (the gateway endpoint has no
    // security group to target). IAM: read only the importer secret, and in S3 what follows.
    grantDatabaseLogin(this.function, login);
    network.allowS3From(this.function);

    // IAM: read the upload, write only the two result files next to it.
    const uploads = bucket.arnForObjects(`${UPLOADS_PREFIX}*`);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadUploads',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [uploads],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteResultFiles',
        actions: ['s3:PutObject'],
        resources: resultFileArns(bucket),
      }),
    );
    acknowledgeUploadWildcards(
      this.function.role,
      'Object keys are chosen per upload at runtime; the wildcard is confined to the uploads/ prefix ' +
        '(and, for writes, to the .result.json / .rejected.csv suffixes).',
    );

    this.finisher = new ImportFinisher(this, 'Finisher', {
      bucket,
      network,
      database,
      failureQueue: this.failureQueue,
      deadLetters: finisherDeadLetters,
    });

    // Both spellings of the extension: S3 suffix filters are case-sensitive.
    for (const suffix of ['.csv', '.CSV']) {
      bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.function), {
        prefix: UPLOADS_PREFIX,
        suffix,
      });
    }
    acknowledgeBucketNotificationsHandler(Stack.of(this));
  }
}

/** The stack-wide singleton Lambda that aws-s3 uses to apply bucket notification configurations. */
const BUCKET_NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

function acknowledgeBucketNotificationsHandler(stack: Stack): void {
  const handler = stack.node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER_ID);
  if (!handler) throw new Error(`${BUCKET_NOTIFICATIONS_HANDLER_ID} not found: did aws-cdk-lib rename it?`);
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'CDK-internal handler that applies the S3 notification configuration at deploy time; aws-cdk-lib ' +
      'hard-codes this managed policy (CloudWatch Logs only) and offers no way to replace it.',
  });
}
