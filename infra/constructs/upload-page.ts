import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aws, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { uploadPageCsp, writeUploadPageSync } from '../../scripts/lib/build-upload-page.ts';

/**
 * The upload page (functions/upload-page): a private S3 bucket behind CloudFront with origin
 * access control. Built in two steps because of the dependency order: the distribution first (its
 * origin goes into the API's and the uploads bucket's CORS rules), the files later with
 * `deploy(apiUrl)` (config.json carries the API URL).
 */
export class UploadPage extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly logsBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public deployment: s3deploy.BucketDeployment | undefined;
  /** Where the page was built at synth time (the deployment's asset). */
  public assetDirectory: string | undefined;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    // CloudFront standard logs are delivered with ACLs, so this bucket keeps object-writer ownership.
    this.logsBucket = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
      ],
    });
    Validations.of(this.logsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the destination of the upload page bucket access logs and CloudFront logs; logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      lifecycleRules: [{ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(30) }],
    });

    // The page may talk only to itself, the regional API Gateway and S3 endpoints (the API URL and
    // the presigned S3 URLs); naming the API or bucket here would make a dependency cycle with CORS.
    const region = Aws.REGION;
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Lead Import upload page: CSP and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          override: true,
          contentSecurityPolicy: uploadPageCsp(
            `https://*.execute-api.${region}.amazonaws.com https://*.s3.${region}.amazonaws.com`,
          ),
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${Stack.of(this).stackName} upload page`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'The page is a static form for the sales team wherever they work; access is controlled by the JWT the API requires, not by geography.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves three static files and no data; a CloudFront WAF web ACL must live in us-east-1 while this stack is region-agnostic. The API is protected by its JWT authorizer and stage throttling.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The distribution uses the default *.cloudfront.net certificate, whose viewer TLS policy CloudFront fixes; a minimum of TLSv1.2_2021 needs a custom domain with an ACM certificate (add one for production).',
    });
  }

  /** https://<distribution domain>: the page's origin, for CORS rules. */
  public get origin(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /** The page's URL. */
  public get url(): string {
    return `${this.origin}/`;
  }

  /**
   * Deploys the page built with esbuild at synth time, plus config.json with the API URL (a
   * deploy-time value), and invalidates the distribution's cache.
   */
  public deploy(apiUrl: string): s3deploy.BucketDeployment {
    const built = (this.assetDirectory = mkdtempSync(join(tmpdir(), 'lead-import-upload-page-')));
    writeUploadPageSync(built);
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      destinationBucket: this.bucket,
      sources: [s3deploy.Source.asset(built), s3deploy.Source.jsonData('config.json', { apiUrl })],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      cacheControl: [s3deploy.CacheControl.noCache()],
      memoryLimit: 256,
    });
    acknowledgeBucketDeploymentHandler(this, this.bucket);
    return this.deployment;
  }
}

/** The stack-wide singleton Lambda (and its role) that BucketDeployment uses to copy the files. */
function acknowledgeBucketDeploymentHandler(scope: Construct, siteBucket: s3.Bucket): void {
  const handler = Stack.of(scope).node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (!handler) throw new Error('the BucketDeployment handler was not found: did aws-cdk-lib rename it?');
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'CDK-internal handler that copies the upload page into its bucket at deploy time; aws-cdk-lib hard-codes this managed policy (CloudWatch Logs only).',
  });
  const wildcards: Record<string, string> = {
    'Action::s3:GetBucket*': 'read the CDK asset bucket',
    'Action::s3:GetObject*': 'read the page asset from the CDK asset bucket',
    'Action::s3:List*': 'list the CDK asset bucket and the page bucket (prune)',
    'Action::s3:Abort*': 'abort an interrupted copy into the page bucket',
    'Action::s3:DeleteObject*': 'prune files a new page version no longer has',
    'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*':
      'read the page asset, whose key is a content hash',
    [`Resource::<${Stack.of(scope).getLogicalId(siteBucket.node.defaultChild as CfnElement)}.Arn>/*`]:
      'write every file of the page bucket',
    'Resource::*':
      'create the CloudFront invalidation after a deploy (cloudfront:CreateInvalidation has no resource-level permissions)',
  };
  for (const [finding, purpose] of Object.entries(wildcards)) {
    Validations.of(handler).acknowledge({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason: `Granted by aws-cdk-lib's BucketDeployment to its deploy-time handler to ${purpose}; the grant is generated by CDK and cannot be narrowed.`,
    });
  }
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'CDK-internal BucketDeployment handler: aws-cdk-lib pins its Python runtime (with the AWS CLI layer) and offers no way to choose it.',
  });
}
