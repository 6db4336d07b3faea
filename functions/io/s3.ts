import { createReadStream } from 'node:fs';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { InfraError } from '#core/contract/errors';

export interface S3Settings {
  /** Set for the local S3 server; unset in AWS. */
  endpoint?: string | undefined;
}

export function createS3Client(settings: S3Settings = {}): S3Client {
  return new S3Client({
    region: process.env.AWS_REGION ?? 'us-east-1',
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    // The local S3 server does not understand the newer default checksums; AWS accepts both.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export interface ObjectHead {
  size: number;
  metadata: Record<string, string>;
  versionId: string | null;
  etag: string | null;
  contentType: string | null;
}

const isMissing = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404);

/** undefined when the object is gone (deleted after the event was sent). */
export async function headObject(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string | null,
): Promise<ObjectHead | undefined> {
  try {
    const out = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    return {
      size: out.ContentLength ?? 0,
      metadata: out.Metadata ?? {},
      versionId: out.VersionId && out.VersionId !== 'null' ? out.VersionId : null,
      etag: out.ETag?.replaceAll('"', '') ?? null,
      contentType: out.ContentType ?? null,
    };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new InfraError('S3_READ_ERROR', `Cannot read s3://${bucket}/${key}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Streams exactly the object version that was checked (version id, else If-Match on the ETag), so a
 * concurrent overwrite cannot swap the bytes under the import. The caller consumes or destroys it.
 */
export async function openObject(
  s3: S3Client,
  bucket: string,
  key: string,
  head: ObjectHead,
): Promise<AsyncIterable<Uint8Array> & { destroy: () => void }> {
  try {
    const out = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(head.versionId ? { VersionId: head.versionId } : head.etag ? { IfMatch: `"${head.etag}"` } : {}),
      }),
    );
    const body = out.Body as AsyncIterable<Uint8Array> & { destroy?: () => void };
    return Object.assign(readFailuresAsInfra(body, bucket, key), { destroy: () => body.destroy?.() });
  } catch (error) {
    throw new InfraError('S3_READ_ERROR', `Cannot read s3://${bucket}/${key}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function* readFailuresAsInfra(
  body: AsyncIterable<Uint8Array> & { destroy?: () => void },
  bucket: string,
  key: string,
): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    throw new InfraError(
      'S3_READ_ERROR',
      `Reading s3://${bucket}/${key} failed mid-stream: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    body.destroy?.();
  }
}

export async function putJson(s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  await put(s3, {
    Bucket: bucket,
    Key: key,
    Body: JSON.stringify(value, null, 2),
    ContentType: 'application/json',
    CacheControl: 'no-store',
  });
}

export async function putFile(
  s3: S3Client,
  bucket: string,
  key: string,
  path: string,
  size: number,
  contentType: string,
  /** User metadata: import options for the importer (kebab-case names, `x-amz-meta-` added by S3). */
  metadata?: Record<string, string>,
): Promise<void> {
  await put(s3, {
    Bucket: bucket,
    Key: key,
    Body: createReadStream(path),
    ContentLength: size,
    ContentType: contentType,
    ...(metadata ? { Metadata: metadata } : {}),
  });
}

async function put(s3: S3Client, input: ConstructorParameters<typeof PutObjectCommand>[0]): Promise<void> {
  try {
    await s3.send(new PutObjectCommand(input));
  } catch (error) {
    throw new InfraError(
      'S3_WRITE_ERROR',
      `Cannot write s3://${input.Bucket}/${input.Key}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** The parsed JSON object at `key`, or undefined when there is none (or it is not JSON: a torn or corrupt object is rewritten). */
export const readJson = <T>(s3: S3Client, bucket: string, key: string): Promise<T | undefined> =>
  readJsonUpTo<T>(s3, bucket, key, Number.POSITIVE_INFINITY);

/**
 * Like readJson, but undefined also when the object is larger than `maxBytes` (its body is then
 * never read): for answers that must stay bounded whatever an object grew to.
 */
export async function readJsonUpTo<T>(
  s3: S3Client,
  bucket: string,
  key: string,
  maxBytes: number,
): Promise<T | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if ((out.ContentLength ?? Number.POSITIVE_INFINITY) > maxBytes) {
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return undefined;
    }
    const text = await out.Body!.transformToString('utf8');
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw new InfraError('S3_READ_ERROR', `Cannot read s3://${bucket}/${key}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
