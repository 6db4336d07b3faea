import { type CfnResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
// The key layout is the functions' own (uploads/<...>.csv, next to it the result and rejected-rows files).
import { REJECTED_SUFFIX, RESULT_SUFFIX, UPLOAD_PREFIX as UPLOADS_PREFIX } from '../../functions/core/contract/keys.ts';

export { REJECTED_SUFFIX, RESULT_SUFFIX, UPLOADS_PREFIX };

/** Fixed logical ID so IAM findings and operators can refer to the bucket by a stable name. */
export const UPLOADS_BUCKET_LOGICAL_ID = 'UploadsBucket';

/** ARNs of the files the importer writes next to each upload: <key>.result.json and <key>.rejected.csv. */
export const resultFileArns = (bucket: s3.IBucket): string[] => [
  bucket.arnForObjects(`${UPLOADS_PREFIX}*${RESULT_SUFFIX}`),
  bucket.arnForObjects(`${UPLOADS_PREFIX}*${REJECTED_SUFFIX}`),
];

/**
 * Acknowledges cdk-nag's IAM5 findings for the object wildcards a role holds on the uploads bucket
 * (all of uploads/, and its result and rejected-rows files), with the role's own reason.
 */
export function acknowledgeUploadWildcards(role: iam.IRole | undefined, reason: string): void {
  if (!role) return;
  for (const pattern of ['*', `*${RESULT_SUFFIX}`, `*${REJECTED_SUFFIX}`]) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${UPLOADS_BUCKET_LOGICAL_ID}.Arn>/${UPLOADS_PREFIX}${pattern}]`,
      reason,
    });
  }
}

/** Every bucket here: no public access, TLS only, S3-managed encryption, no ACLs, versioned, kept on delete. */
const SECURE_BUCKET = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  encryption: s3.BucketEncryption.S3_MANAGED,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  versioned: true,
  removalPolicy: RemovalPolicy.RETAIN,
} satisfies s3.BucketProps;

const ABORT_INCOMPLETE_UPLOADS: s3.LifecycleRule = {
  id: 'abort-incomplete-multipart-uploads',
  abortIncompleteMultipartUploadAfter: Duration.days(1),
};

export interface UploadBucketProps {
  readonly uploadsExpirationDays: number;
  readonly corsAllowedOrigins: string[];
}

/**
 * The uploads bucket (CSV files, result and rejected-rows files) and its own server-access-log bucket.
 * Both: all public access blocked, TLS-only bucket policy, S3-managed encryption, ACLs disabled, versioned.
 */
export class UploadBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: UploadBucketProps) {
    super(scope, id);

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...SECURE_BUCKET,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
        ABORT_INCOMPLETE_UPLOADS,
      ],
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the server-access-log destination; logging it into itself would create a log loop.',
    });

    const cors: s3.CorsRule[] =
      props.corsAllowedOrigins.length > 0
        ? [
            {
              allowedOrigins: props.corsAllowedOrigins,
              allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
              allowedHeaders: ['*'],
              exposedHeaders: ['ETag'],
              maxAge: 3000,
            },
          ]
        : [];

    this.bucket = new s3.Bucket(this, 'Uploads', {
      ...SECURE_BUCKET,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'uploads-bucket/',
      ...(cors.length > 0 ? { cors } : {}),
      lifecycleRules: [
        {
          id: 'expire-uploads',
          prefix: UPLOADS_PREFIX,
          expiration: Duration.days(props.uploadsExpirationDays),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(7),
          expiredObjectDeleteMarker: true,
        },
        ABORT_INCOMPLETE_UPLOADS,
      ],
    });
    (this.bucket.node.defaultChild as CfnResource).overrideLogicalId(UPLOADS_BUCKET_LOGICAL_ID);
  }
}
