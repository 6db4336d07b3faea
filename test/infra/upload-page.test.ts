import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../infra/config.ts';
import { logicalId, resourcesOfType, synthStack, TEST_CORS_ORIGINS, type Synthesized } from './synth.ts';

let pageOnly: Synthesized; // no corsAllowedOrigins: the page's origin is the CORS origin
let both: Synthesized; // explicit origins and uploadPageCors=true
beforeAll(() => {
  pageOnly = synthStack({ corsAllowedOrigins: [] });
  both = synthStack({ uploadPageCors: 'true' });
});

const ids = (s: Synthesized) => ({
  site: logicalId(s.stack.uploadPage!.bucket),
  distribution: logicalId(s.stack.uploadPage!.distribution),
  api: logicalId(s.stack.uploadApi.api),
});
const pageOrigin = (s: Synthesized) => ({
  'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [ids(s).distribution, 'DomainName'] }]],
});
const bucketProps = (s: Synthesized, id: string) =>
  resourcesOfType(s.template, 'AWS::S3::Bucket')[id]?.Properties ?? {};

describe('upload page hosting', () => {
  it('keeps the page in a private, encrypted bucket that only the distribution can read (OAC)', () => {
    const { site, distribution } = ids(pageOnly);
    expect(bucketProps(pageOnly, site)).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    pageOnly.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: site },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: {
              StringEquals: {
                'AWS:SourceArn': Match.objectLike({
                  'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: distribution }])]),
                }),
              },
            },
          }),
        ]),
      },
    });
    expect(Object.keys(resourcesOfType(pageOnly.template, 'AWS::CloudFront::OriginAccessControl'))).toHaveLength(1);
  });

  it('serves index.html over HTTPS only, logs requests and sends a CSP limited to the API and S3', () => {
    const distribution = resourcesOfType(pageOnly.template, 'AWS::CloudFront::Distribution')[
      ids(pageOnly).distribution
    ];
    const config = distribution?.Properties?.DistributionConfig as Record<string, unknown> & {
      DefaultCacheBehavior: Record<string, unknown>;
    };
    expect(config).toMatchObject({ DefaultRootObject: 'index.html', Logging: { Prefix: 'cloudfront/' } });
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const policies = Object.values(resourcesOfType(pageOnly.template, 'AWS::CloudFront::ResponseHeadersPolicy'));
    const csp = JSON.stringify(policies[0]?.Properties);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/connect-src 'self' https:\/\/\*\.execute-api\..*amazonaws\.com https:\/\/\*\.s3\./);
  });

  it('deploys the esbuild-built page and a config.json carrying the API URL', () => {
    const dir = pageOnly.stack.uploadPage!.assetDirectory!;
    expect(readdirSync(dir).sort()).toEqual(['index.html', 'main.js', 'styles.css']);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('<script type="module" src="main.js">');
    // The page bundles only browser code: #core/contract/options' zod schemas stay out (hundreds of KB).
    expect(readFileSync(join(dir, 'main.js')).byteLength).toBeLessThan(60_000);
    const deployments = Object.values(resourcesOfType(pageOnly.template, 'Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(1);
    const props = deployments[0]?.Properties ?? {};
    expect(props.DestinationBucketName).toEqual({ Ref: ids(pageOnly).site });
    expect(props.DistributionPaths).toEqual(['/*']);
    expect(JSON.stringify(props.SourceMarkers)).toContain(
      JSON.stringify({ 'Fn::GetAtt': [ids(pageOnly).api, 'ApiEndpoint'] }),
    );
  });

  it('outputs the page URL', () => {
    pageOnly.template.hasOutput('UploadPageUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [ids(pageOnly).distribution, 'DomainName'] }, '/']] },
    });
  });
});

describe('CORS for the upload page', () => {
  const apiOrigins = (s: Synthesized) =>
    (
      resourcesOfType(s.template, 'AWS::ApiGatewayV2::Api')[ids(s).api]?.Properties?.CorsConfiguration as {
        AllowOrigins: unknown[];
      }
    ).AllowOrigins;
  const bucketOrigins = (s: Synthesized) =>
    (
      bucketProps(s, logicalId(s.stack.storage.bucket)).CorsConfiguration as {
        CorsRules: { AllowedOrigins: unknown[] }[];
      }
    ).CorsRules[0]?.AllowedOrigins;

  it('allows the distribution origin on the API and the uploads bucket when no origin is configured', () => {
    expect(apiOrigins(pageOnly)).toEqual([pageOrigin(pageOnly)]);
    expect(bucketOrigins(pageOnly)).toEqual([pageOrigin(pageOnly)]);
  });

  it('adds it to configured origins with uploadPageCors=true', () => {
    expect(apiOrigins(both)).toEqual([...TEST_CORS_ORIGINS, pageOrigin(both)]);
    expect(bucketOrigins(both)).toEqual([...TEST_CORS_ORIGINS, pageOrigin(both)]);
  });

  it('reads uploadPage / uploadPageCors from context', () => {
    const config = (context: Record<string, unknown>) => readConfig(new App({ context }).node);
    expect(config({})).toMatchObject({ uploadPage: true, uploadPageCors: undefined });
    expect(config({ uploadPage: 'false', uploadPageCors: false })).toMatchObject({
      uploadPage: false,
      uploadPageCors: false,
    });
    expect(() => config({ uploadPageCors: 'maybe' })).toThrow(/true or false/);
  });
});
