import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '#io/s3';
import { LOCAL_CREDENTIALS, startLocalS3, type LocalS3 } from '../../scripts/lib/s3-server.ts';

export const TEST_BUCKET = 'lead-uploads';

export interface TestS3 extends LocalS3 {
  client: S3Client;
  put: (key: string, body: string | Uint8Array, metadata?: Record<string, string>) => Promise<void>;
  getText: (key: string, read?: ReadOptions) => Promise<string | undefined>;
  getJson: <T = Record<string, unknown>>(key: string, read?: ReadOptions) => Promise<T | undefined>;
}

export interface ReadOptions {
  /**
   * Give up after this long. For pollers: the local server rewrites objects in place, so a read that
   * overlaps a write can be cut short of its Content-Length and would otherwise hang until the
   * socket times out (about 5 s), blind to everything written meanwhile.
   */
  timeoutMs?: number;
}

/** Starts the local S3 server on a free port and points this process's AWS SDK at it. */
export async function startTestS3(): Promise<TestS3> {
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  const s3 = await startLocalS3({ bucket: TEST_BUCKET });
  const client = createS3Client({ endpoint: s3.endpoint });
  const getText = async (key: string, { timeoutMs }: ReadOptions = {}) => {
    try {
      const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
      const out = await client.send(
        new GetObjectCommand({ Bucket: TEST_BUCKET, Key: key }),
        signal ? { abortSignal: signal } : {},
      );
      return await out.Body!.transformToString('utf8');
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };
  return {
    ...s3,
    client,
    put: async (key, body, metadata) => {
      await client.send(
        new PutObjectCommand({
          Bucket: TEST_BUCKET,
          Key: key,
          Body: body,
          ...(metadata ? { Metadata: metadata } : {}),
        }),
      );
    },
    getText,
    getJson: async <T>(key: string, read?: ReadOptions) => {
      const text = await getText(key, read);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    close: async () => {
      client.destroy();
      await s3.close();
    },
  };
}
