import { z } from 'zod';
import { echo } from './echo.ts';
import type { ImportErrorCode } from './errors.ts';
import { decodeEventKey, isImportableKey } from './keys.ts';

/**
 * The invocation record Lambda sends to the on-failure destination of an asynchronous invocation
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html): the original
 * event as `requestPayload`, the last attempt's error as `responsePayload`, and why it gave up.
 * Only what the finisher needs is read; everything else is allowed and ignored.
 */
const invocationRecord = z.object({
  timestamp: z.string().optional(),
  requestContext: z
    .object({
      condition: z.string().optional(),
      approximateInvokeCount: z.number().optional(),
    })
    .optional(),
  requestPayload: z.object({
    Records: z.array(
      z.object({
        s3: z.object({
          bucket: z.object({ name: z.string() }),
          object: z.object({
            key: z.string(),
            versionId: z.string().optional().nullable(),
            eTag: z.string().optional().nullable(),
          }),
        }),
      }),
    ),
  }),
  responsePayload: z
    .object({ errorType: z.string().optional(), errorMessage: z.string().optional() })
    .nullable()
    .optional(),
});

export interface FailedObject {
  bucket: string;
  key: string;
  versionId: string | null;
  etag: string | null;
}

export interface FailedInvocation {
  /** `RetriesExhausted` or `EventAgeExceeded`. */
  condition: string;
  attempts: number;
  /** When Lambda gave up. */
  timestamp: Date;
  lastError: { type: string | null; message: string | null };
  /** The importable objects the event named (undecodable or ignored keys are left out). */
  objects: FailedObject[];
}

/** undefined when the message is not an invocation record of an S3 event. */
export function parseFailedInvocation(body: string): FailedInvocation | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = invocationRecord.safeParse(json);
  if (!parsed.success) return undefined;
  const record = parsed.data;
  const objects: FailedObject[] = [];
  for (const r of record.requestPayload.Records) {
    const key = decodeEventKey(r.s3.object.key);
    if (key === undefined || !isImportableKey(key)) continue;
    objects.push({
      bucket: r.s3.bucket.name,
      key,
      versionId: r.s3.object.versionId || null,
      etag: r.s3.object.eTag?.replaceAll('"', '') || null,
    });
  }
  const timestamp = record.timestamp ? new Date(record.timestamp) : new Date();
  return {
    condition: record.requestContext?.condition ?? 'RetriesExhausted',
    attempts: record.requestContext?.approximateInvokeCount ?? 0,
    timestamp: Number.isNaN(timestamp.getTime()) ? new Date() : timestamp,
    lastError: {
      type: record.responsePayload?.errorType ?? null,
      message: record.responsePayload?.errorMessage ?? null,
    },
    objects,
  };
}

/** What the uploader reads in `details` of a RETRIES_EXHAUSTED result. */
export interface GiveUpDetails {
  condition: string;
  attempts: number;
  last_error_code: ImportErrorCode | null;
  last_error_message: string | null;
}

export function giveUpDetails(
  invocation: FailedInvocation,
  lastSnapshot: { error_code: ImportErrorCode | null; message: string } | undefined,
): GiveUpDetails {
  const message = invocation.lastError.message ?? lastSnapshot?.message ?? null;
  return {
    condition: invocation.condition,
    attempts: invocation.attempts,
    last_error_code: lastSnapshot?.error_code ?? null,
    last_error_message: message === null ? null : echo(message),
  };
}

export function giveUpMessage(filename: string, details: GiveUpDetails): string {
  const last = details.last_error_code ? ` (last: ${details.last_error_code})` : '';
  const why =
    details.condition === 'EventAgeExceeded'
      ? 'could not be run before its event expired'
      : `failed ${details.attempts === 1 ? 'once' : `${details.attempts} times`}${last}`;
  return `${filename} was not imported: the import ${why}, and it will not be retried. Nothing was imported; upload the file again to try once more.`;
}
