import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** What a grant needs from S3: presigned URLs. Signing is local computation (no network call). */
export interface UrlSigner {
  /**
   * A presigned PUT for `key` whose `content-type`, `content-length` and `x-amz-meta-*` headers are
   * SIGNED HEADERS (listed in X-Amz-SignedHeaders, sent as headers, not hoisted into the query):
   * a client that changes, drops or adds to them breaks the signature.
   */
  signPut(input: SignedPut): Promise<string>;
  /** A presigned GET for `key`. */
  signGet(key: string, expiresIn: number, signingDate: Date): Promise<string>;
}

export interface SignedPut {
  key: string;
  contentType: string;
  contentLength: number;
  /** User metadata without the `x-amz-meta-` prefix, lower-case keys, ASCII values. */
  metadata: Record<string, string>;
  expiresIn: number;
  signingDate: Date;
}

export function s3UrlSigner(s3: S3Client, bucket: string): UrlSigner {
  return {
    async signPut(input) {
      const metaHeaders = Object.keys(input.metadata).map((name) => `x-amz-meta-${name}`);
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: input.key,
        ContentType: input.contentType,
        ContentLength: input.contentLength,
        Metadata: input.metadata,
      });
      return getSignedUrl(s3, command, {
        expiresIn: input.expiresIn,
        signingDate: input.signingDate,
        // The presigner leaves content-type unsigned and hoists x-amz-* headers into the query
        // string unless told otherwise; both would let a client change what the grant binds.
        signableHeaders: new Set(['content-type', 'content-length', ...metaHeaders]),
        unhoistableHeaders: new Set(metaHeaders),
      });
    },
    signGet(key, expiresIn, signingDate) {
      return getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn, signingDate });
    },
  };
}
