import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, S3Event, S3EventRecord, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { encodeEventKey, isImportableKey } from '#core/contract/keys';
import { lambdaContext } from './lambda-context.ts';

/** The CDK stack's notification filter: one per suffix, because S3 suffix filters are case-sensitive. */
export const IMPORT_NOTIFICATION = {
  events: 'ObjectCreated:',
  prefix: 'uploads/',
  suffixes: ['.csv', '.CSV'],
} as const;

export const matchesImportFilter = (eventName: string, key: string): boolean =>
  eventName.startsWith(IMPORT_NOTIFICATION.events) &&
  key.startsWith(IMPORT_NOTIFICATION.prefix) &&
  IMPORT_NOTIFICATION.suffixes.some((s) => key.endsWith(s));

export type S3Lambda = (event: S3Event, context: Context) => Promise<void>;
export type QueueLambda = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** Lambda's asynchronous invocation: the first attempt and two retries (the CDK stack's retryAttempts). */
export const LOCAL_ATTEMPTS = 3;
export const DEFAULT_RETRY_DELAY_MS = 2000;

export interface RetryOptions {
  /** Gets the on-failure record once every attempt failed, as the finisher does from the SQS queue in AWS. */
  finisher?: QueueLambda;
  /** Wait between attempts (AWS waits about a minute, then two). */
  retryDelayMs?: number;
}

/**
 * The SQS message Lambda's on-failure destination would carry for this record: the invocation
 * record (request payload, the last error as response payload, why it gave up) as its body.
 */
export function onFailureMessage(record: S3EventRecord, error: unknown, attempts: number): SQSEvent {
  const e = error instanceof Error ? error : new Error(String(error));
  const body = {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:lead-import-local:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: attempts,
    },
    requestPayload: { Records: [record] },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: e.name, errorMessage: e.message },
  };
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'local',
        body: JSON.stringify(body),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:lead-import-failed-events',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

/**
 * Turns one s3rver record into the record S3 would deliver: the key URL-encoded (s3rver sends it
 * raw), a well-formed bucket ARN, event version 2.1.
 */
export function asDeliveredRecord(record: S3EventRecord): S3EventRecord {
  const bucket = record.s3.bucket.name;
  return {
    ...record,
    eventVersion: '2.1',
    s3: {
      ...record.s3,
      configurationId: 'lead-import-uploads',
      bucket: { ...record.s3.bucket, arn: `arn:aws:s3:::${bucket}` },
      object: { ...record.s3.object, key: encodeEventKey(record.s3.object.key) },
    },
  };
}

/**
 * Routes S3 events to the import Lambda as the bucket notification would: filtered, one record per
 * invocation, one invocation at a time per key (a per-key promise chain). A failed invocation is
 * retried twice, `retryDelayMs` apart, like Lambda's asynchronous retries; then the finisher gets
 * the on-failure record, as it would from the SQS queue in AWS.
 */
export class ImportNotifications {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private delivered = 0;
  private imports = 0;

  constructor(
    private readonly lambda: S3Lambda,
    private readonly log: (line: string) => void = (line) => process.stderr.write(line + '\n'),
    private readonly retry: RetryOptions = {},
  ) {}

  /** Listener for s3rver's `event`. */
  readonly onEvent = (event: S3Event): void => {
    for (const record of event.Records ?? []) {
      if (!matchesImportFilter(record.eventName, record.s3.object.key)) continue;
      this.deliver(asDeliveredRecord(record), record.s3.object.key);
    }
  };

  private deliver(record: S3EventRecord, key: string): void {
    this.delivered++;
    if (isImportableKey(key)) this.imports++;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.then(async () => {
      let last: unknown;
      for (let attempt = 1; attempt <= LOCAL_ATTEMPTS; attempt++) {
        if (attempt > 1) {
          await sleep(this.retry.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS);
          // A retry is one more invocation, as Lambda counts (and bills) them.
          this.delivered++;
          if (isImportableKey(key)) this.imports++;
        }
        try {
          await this.lambda({ Records: [record] }, lambdaContext('lead-import-local'));
          return;
        } catch (error) {
          last = error;
          this.log(
            `local S3 notification: import of ${key} failed (attempt ${attempt} of ${LOCAL_ATTEMPTS}): ${(error as Error).stack ?? String(error)}`,
          );
        }
      }
      if (!this.retry.finisher) return;
      try {
        const response = await this.retry.finisher(onFailureMessage(record, last, LOCAL_ATTEMPTS));
        if (response.batchItemFailures.length > 0) this.log(`local finisher: could not finish ${key}`);
      } catch (error) {
        this.log(`local finisher: ${key}: ${(error as Error).stack ?? String(error)}`);
      }
    });
    this.chains.set(key, run);
    this.pending.add(run);
    void run.finally(() => {
      this.pending.delete(run);
      if (this.chains.get(key) === run) this.chains.delete(key);
    });
  }

  /** Invocations of the import Lambda, as AWS would count them (everything the filter lets through). */
  lambdaInvocations(): number {
    return this.delivered;
  }

  /**
   * Invocations for objects the importer imports: `.csv` uploads, not its own `.rejected.csv`
   * (which the filter lets through and the handler ignores) nor `.result.json` (filtered out).
   */
  importInvocations(): number {
    return this.imports;
  }

  /** Resolves when no invocation is queued or running, including ones queued meanwhile. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
