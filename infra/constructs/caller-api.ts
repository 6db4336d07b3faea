import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ROUTES } from '../../functions/api/handler.ts';
import type { IsolatedNetwork } from './isolated-network.ts';
import type { LeadDatabase } from './lead-database.ts';
import { AppFunction } from './app-function.ts';
import { databaseFunctionProps, grantDatabaseLogin } from './database-client.ts';
import { acknowledgeUploadWildcards, resultFileArns } from './upload-bucket.ts';
import { RESULT_URL_TTL_SECONDS } from './upload-api.ts';

/** Caps the API's database connections (one per instance) next to the importer's. */
export const API_RESERVED_CONCURRENCY = 10;
export const API_TIMEOUT = Duration.seconds(30);
/** Statements end well before the function's timeout (a revert is a handful of indexed statements). */
export const API_STATEMENT_TIMEOUT_MS = 20_000;

export interface CallerApiProps {
  readonly httpApi: apigwv2.HttpApi;
  readonly authorizer: HttpJwtAuthorizer;
  readonly bucket: s3.IBucket;
  readonly network: IsolatedNetwork;
  readonly database: LeadDatabase;
  /** JWT scopes every route requires (`-c uploadScopes`, as POST /uploads). */
  readonly scopes?: string[];
}

/**
 * The caller's own API (GET /imports, GET /imports/{id}, POST /imports/{id}/revert, and whatever
 * route lists functions/api/handler.ts concatenates) on the upload API, behind its JWT authorizer,
 * stage throttling and access logs. One function in the isolated subnets, connecting as the
 * least-privilege `lead_api` role; in S3 it may only read (and so presign) the result files.
 */
export class CallerApi extends Construct {
  public readonly function: AppFunction;

  constructor(scope: Construct, id: string, props: CallerApiProps) {
    super(scope, id);
    const { bucket, network, database } = props;
    const login = { network, database, secret: database.apiSecret, statementTimeoutMs: API_STATEMENT_TIMEOUT_MS };
    const db = databaseFunctionProps(login);

    this.function = new AppFunction(this, 'Function', {
      entry: 'functions/api/handler.ts',
      description: "The caller's own imports: history, result and revert",
      memorySize: 256,
      timeout: API_TIMEOUT,
      ...db,
      reservedConcurrentExecutions: API_RESERVED_CONCURRENCY,
      environment: {
        ...db.environment,
        BUCKET_NAME: bucket.bucketName,
        RESULT_URL_TTL_SECONDS: String(RESULT_URL_TTL_SECONDS),
      },
    });

    // Network: PostgreSQL and the Secrets Manager endpoint (the API role's secret), HTTPS to S3
    // through the gateway endpoint.
    grantDatabaseLogin(this.function, login);
    network.allowS3From(this.function);

    // IAM: reading the result files (the presigned GETs carry this right).
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadResultFiles',
        actions: ['s3:GetObject'],
        resources: resultFileArns(bucket),
      }),
    );
    acknowledgeUploadWildcards(
      this.function.role,
      "Each import's result files sit under a key chosen at upload time; reads are confined to the " +
        '.result.json / .rejected.csv suffixes under uploads/.',
    );

    const integration = new HttpLambdaIntegration('CallerApiIntegration', this.function);
    for (const route of ROUTES) {
      props.httpApi.addRoutes({
        path: route.pattern,
        methods: [route.method as apigwv2.HttpMethod],
        integration,
        authorizer: props.authorizer,
        ...(props.scopes?.length ? { authorizationScopes: props.scopes } : {}),
      });
    }
  }
}
