import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context, S3Event } from 'aws-lambda';
import { encodeEventKey } from '#core/contract/keys';
import { lambdaContext as localLambdaContext } from '../../scripts/lib/local-stack/lambda-context.ts';

const EVENTS = join(import.meta.dirname, '..', '..', 'events');

export const eventFile = <T>(name: string): T => JSON.parse(readFileSync(join(EVENTS, name), 'utf8')) as T;
export const sampleCsv = (name: string): Buffer => readFileSync(join(EVENTS, name));

/** A stored S3 event, cloned, pointed at a bucket and (plain) key, encoded the way S3 encodes it. */
export function s3Event(bucket: string, key?: string, file = 's3-put.json'): S3Event {
  const event = structuredClone(eventFile<S3Event>(file));
  for (const record of event.Records) {
    record.s3.bucket.name = bucket;
    record.s3.bucket.arn = `arn:aws:s3:::${bucket}`;
    if (key !== undefined) record.s3.object.key = encodeEventKey(key);
    // The stored version id belongs to no local object; the handler reads the current version.
    delete (record.s3.object as { versionId?: string }).versionId;
  }
  return event;
}

/** The local stack's Lambda context, with the deadline `remainingMs` away. */
export const lambdaContext = (remainingMs = 900_000): Context => localLambdaContext('lead-import-test', remainingMs);

export const httpEvent = (file: string): APIGatewayProxyEventV2 =>
  structuredClone(eventFile<APIGatewayProxyEventV2>(file));
