import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RESULT_SUFFIX } from '../../functions/core/contract/keys.ts';
import type { IsolatedNetwork } from './isolated-network.ts';
import type { LeadDatabase } from './lead-database.ts';
import { AppFunction } from './app-function.ts';
import { databaseFunctionProps, grantDatabaseLogin } from './database-client.ts';
import { acknowledgeUploadWildcards, UPLOADS_PREFIX } from './upload-bucket.ts';

export const FINISHER_TIMEOUT = Duration.minutes(1);
export const FINISHER_MEMORY_MB = 256;
/** Deliveries of one on-failure record before it is parked in the finisher's own dead-letter queue. */
export const FINISHER_MAX_RECEIVES = 5;

export interface ImportFinisherProps {
  readonly bucket: s3.IBucket;
  readonly network: IsolatedNetwork;
  readonly database: LeadDatabase;
  /** The import function's on-failure destination. */
  readonly failureQueue: sqs.IQueue;
  /** Where the failure queue moves records the finisher could not process. */
  readonly deadLetters: sqs.IQueue;
}

/**
 * Reads the import function's on-failure queue and finishes each event Lambda gave up on: the
 * result JSON and lead_imports say failed / RETRIES_EXHAUSTED. Records it cannot finish (S3 or the
 * database down) are redelivered, then parked in a dead-letter queue that has an alarm.
 */
export class ImportFinisher extends Construct {
  public readonly function: AppFunction;
  public readonly deadLetters: sqs.IQueue;

  constructor(scope: Construct, id: string, props: ImportFinisherProps) {
    super(scope, id);
    const { bucket, network, database, failureQueue } = props;
    const login = { network, database, secret: database.importerSecret };

    this.deadLetters = props.deadLetters;

    this.function = new AppFunction(this, 'Function', {
      entry: 'functions/finisher/handler.ts',
      description:
        'Marks imports whose retries ran out as failed (RETRIES_EXHAUSTED) in lead_imports and the result JSON',
      memorySize: FINISHER_MEMORY_MB,
      timeout: FINISHER_TIMEOUT,
      ...databaseFunctionProps(login),
    });
    this.function.addEventSource(new SqsEventSource(failureQueue, { batchSize: 10, reportBatchItemFailures: true }));

    // The database as the importer role (its secret only), and S3.
    grantDatabaseLogin(this.function, login);
    network.allowS3From(this.function);

    // IAM: read the upload's metadata and its result JSON, write only the result JSON.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadUploadsAndResults',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [bucket.arnForObjects(`${UPLOADS_PREFIX}*`)],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteResultJson',
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${UPLOADS_PREFIX}*${RESULT_SUFFIX}`)],
      }),
    );
    acknowledgeUploadWildcards(
      this.function.role,
      'The object keys come from the failed S3 events at runtime; the wildcard is confined to the uploads/ prefix ' +
        '(and, for writes, to the .result.json suffix).',
    );
  }
}
