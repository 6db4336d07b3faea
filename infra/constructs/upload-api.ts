import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AppFunction } from './app-function.ts';
import { databaseFunctionProps, grantDatabaseLogin } from './database-client.ts';
import type { IsolatedNetwork } from './isolated-network.ts';
import type { LeadDatabase } from './lead-database.ts';
import { acknowledgeUploadWildcards, resultFileArns, UPLOADS_PREFIX } from './upload-bucket.ts';

export const UPLOAD_URL_TTL_SECONDS = 300;
export const RESULT_URL_TTL_SECONDS = 3600;
/** The rule-set check is one primary-key read; it must end well within the function's 10 s. */
export const PRESIGN_STATEMENT_TIMEOUT_MS = 3_000;

export interface UploadApiProps {
  readonly bucket: s3.Bucket;
  /** Where the presign function runs and the database it asks about rule sets (as `lead_presign`). */
  readonly network: IsolatedNetwork;
  readonly database: LeadDatabase;
  /** OIDC issuer URL (e.g. https://cognito-idp.<region>.amazonaws.com/<pool-id>); may be a CfnParameter token. */
  readonly jwtIssuer: string;
  /** Accepted `aud` (or Cognito `client_id`) values; may be a CfnParameter list token. */
  readonly jwtAudience: string[];
  readonly maxUploadBytes: number;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly corsAllowedOrigins: string[];
  /** Scopes the JWT must carry (any one) for POST /uploads; empty or absent: none required. */
  readonly uploadScopes?: string[];
}

/**
 * HTTP API with one route, POST /uploads, protected by a JWT authorizer, backed by the presign function that
 * returns a presigned S3 PUT URL (and the presigned GET URLs of the result files). The function runs in the
 * isolated subnets so it can check a grant's rule_set in PostgreSQL as the `lead_presign` role (which may
 * only call rule_set_exists: no table privilege); signing is local computation, so it needs no path to S3.
 */
export class UploadApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  public readonly function: AppFunction;
  public readonly stage: apigwv2.HttpStage;
  /** The JWT authorizer every route of this API uses (the caller's API routes too). */
  public readonly authorizer: HttpJwtAuthorizer;

  constructor(scope: Construct, id: string, props: UploadApiProps) {
    super(scope, id);
    const { bucket, network, database } = props;
    const login = {
      network,
      database,
      secret: database.presignSecret,
      statementTimeoutMs: PRESIGN_STATEMENT_TIMEOUT_MS,
    };
    const db = databaseFunctionProps(login);

    this.function = new AppFunction(this, 'PresignFunction', {
      entry: 'functions/presign/handler.ts',
      description: 'Returns presigned S3 URLs for uploading a CSV and reading its result files',
      memorySize: 256,
      timeout: Duration.seconds(10),
      ...db,
      // No reserved concurrency: the stage's throttle (rate x a call's duration, plus the burst) already
      // bounds it, and a cap below what the stage lets through would answer a bare 5xx instead of our
      // JSON. Each instance opens at most one database connection, and only for a grant with a rule_set;
      // a full server answers 503 (53300).
      environment: {
        ...db.environment,
        BUCKET_NAME: bucket.bucketName,
        MAX_UPLOAD_BYTES: String(props.maxUploadBytes),
        UPLOAD_URL_TTL_SECONDS: String(UPLOAD_URL_TTL_SECONDS),
        RESULT_URL_TTL_SECONDS: String(RESULT_URL_TTL_SECONDS),
      },
    });
    grantDatabaseLogin(this.function, login);
    // A presigned URL carries the signer's permissions: PUT anywhere under uploads/, GET only the result files.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SignUploads',
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${UPLOADS_PREFIX}*`)],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SignResultDownloads',
        actions: ['s3:GetObject'],
        resources: resultFileArns(bucket),
      }),
    );
    acknowledgeUploadWildcards(
      this.function.role,
      'The presigned key is generated per request (per user) at runtime; the wildcard is confined to the ' +
        'uploads/ prefix, and downloads to the .result.json / .rejected.csv suffixes.',
    );

    const authorizer = (this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, {
      jwtAudience: props.jwtAudience,
      identitySource: ['$request.header.Authorization'],
    }));

    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `${Stack.of(this).stackName}-uploads`,
      description: 'Lead Import upload API',
      createDefaultStage: false,
      ...(props.corsAllowedOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: props.corsAllowedOrigins,
              allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
              allowHeaders: ['authorization', 'content-type'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    this.api.addRoutes({
      path: '/uploads',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('PresignIntegration', this.function),
      authorizer,
      ...(props.uploadScopes?.length ? { authorizationScopes: props.uploadScopes } : {}),
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            status: '$context.status',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
            latencyMs: '$context.responseLatency',
            responseLength: '$context.responseLength',
          }),
        ),
      },
    });
  }

  /** Base URL (no trailing slash); the route is `${apiUrl}/uploads`. */
  public get apiUrl(): string {
    return this.api.apiEndpoint;
  }
}
