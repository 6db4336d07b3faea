import type { Context, S3Event, S3EventRecord } from 'aws-lambda';
import { encodeEventKey, isImportableKey } from '#core/keys';
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
 * invocation, one invocation at a time per key (a per-key promise chain), failures logged (AWS
 * would retry an asynchronous invocation twice; locally a failed import is only logged).
 */
export class ImportNotifications {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private delivered = 0;
  private imports = 0;

  constructor(
    private readonly lambda: S3Lambda,
    private readonly log: (line: string) => void = (line) => process.stderr.write(line + '\n'),
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
      try {
        await this.lambda({ Records: [record] }, lambdaContext('lead-import-local'));
      } catch (error) {
        this.log(`local S3 notification: import of ${key} failed: ${(error as Error).stack ?? String(error)}`);
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
