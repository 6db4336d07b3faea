import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, resourcesOfType, synthStack, TEST_CORS_ORIGINS, type Synthesized } from './synth.ts';

let s: Synthesized;
let uploadsId: string;
let logsId: string;
beforeAll(() => {
  s = synthStack();
  uploadsId = logicalId(s.stack.storage.bucket);
  logsId = logicalId(s.stack.storage.accessLogsBucket);
});

function bucketProps(id: string): Record<string, unknown> {
  const bucket = resourcesOfType(s.template, 'AWS::S3::Bucket')[id];
  if (!bucket?.Properties) throw new Error(`bucket ${id} not found`);
  return bucket.Properties;
}

describe.each([
  ['uploads bucket', () => uploadsId],
  ['access-log bucket', () => logsId],
])('%s', (_name, id) => {
  it('blocks all public access and disables ACLs', () => {
    expect(bucketProps(id()).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucketProps(id()).OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('is encrypted and versioned', () => {
    expect(bucketProps(id()).BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucketProps(id()).VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('denies every request that is not over TLS', () => {
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [{ 'Fn::GetAtt': [id(), 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(), 'Arn'] }, '/*']] }],
          },
        ]),
      },
    });
  });
});

describe('uploads bucket', () => {
  it('writes server access logs to the access-log bucket', () => {
    expect(bucketProps(uploadsId).LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'uploads-bucket/',
    });
  });

  it('expires uploads/ after 30 days, noncurrent versions, and incomplete multipart uploads after 1 day', () => {
    const rules = (bucketProps(uploadsId).LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 30, Status: 'Enabled' }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({
        NoncurrentVersionExpiration: { NoncurrentDays: expect.any(Number) },
        Status: 'Enabled',
      }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
    );
    // Nothing outside uploads/ expires as a current version.
    for (const rule of rules.filter((r) => r.ExpirationInDays !== undefined)) expect(rule.Prefix).toBe('uploads/');
  });

  it('allows browser PUT/GET/HEAD only from the configured origins', () => {
    expect(bucketProps(uploadsId).CorsConfiguration).toEqual({
      CorsRules: [
        expect.objectContaining({
          AllowedOrigins: TEST_CORS_ORIGINS,
          AllowedMethods: ['PUT', 'GET', 'HEAD'],
        }),
      ],
    });
  });
});
