import * as path from 'node:path';
import { type Duration, RemovalPolicy, type Size, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { REPO_ROOT } from '../paths.ts';

/**
 * The Lambda Node.js runtime's bundle of Amazon CA certificates, Amazon RDS's included. Node.js 20
 * and later runtimes no longer load it by default (faster cold starts); AWS documents setting
 * NODE_EXTRA_CA_CERTS to this path to trust them (Lambda developer guide, "Building Lambda functions
 * with Node.js", CA certificate loading). Functions that verify RDS's TLS certificate (DB_SSL=true) set it.
 */
export const LAMBDA_RUNTIME_CA_BUNDLE = '/var/runtime/ca-cert.pem';

export interface AppFunctionProps {
  /** Entry file relative to the repository root, e.g. `functions/import/handler.ts` (must export `handler`). */
  readonly entry: string;
  readonly description: string;
  /** Explicit on purpose: every function states its own sizing. */
  readonly memorySize: number;
  readonly timeout: Duration;
  /** /tmp size; Lambda's default (512 MiB) when unset. */
  readonly ephemeralStorageSize?: Size;
  readonly environment?: Record<string, string>;
  /** Place the function in these subnets (it then gets its own egress-restricted security group). */
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly reservedConcurrentExecutions?: number;
  /**
   * Extra files bundled next to the handler, as `{ 'name.mjs': 'functions/...ts' }` (the import
   * engine's worker thread loads `lead-engine-worker.mjs` from beside its own bundle).
   */
  readonly extraBundles?: Record<string, string>;
}

/**
 * The one place holding every Lambda default of this stack:
 * Node.js 24 on arm64, local esbuild bundling (no Docker) to an ESM bundle with source maps,
 * a dedicated log group with retention, and a dedicated role whose only built-in
 * permissions are writing to that log group (plus ENI management when in a VPC).
 * Everything else is granted explicitly by the stack.
 */
export class AppFunction extends nodejs.NodejsFunction {
  /** Present when the function runs in a VPC; allows no egress until the stack adds rules. */
  public readonly securityGroup: ec2.SecurityGroup | undefined;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const securityGroup = props.vpc
      ? new ec2.SecurityGroup(scope, `${id}SecurityGroup`, {
          vpc: props.vpc,
          description: `${scope.node.path}/${id} function: egress only to what the stack allows`,
          allowAllOutbound: false,
        })
      : undefined;

    const statements = [
      new iam.PolicyStatement({
        sid: 'WriteOwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ];
    if (props.vpc) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ManageVpcNetworkInterfaces',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    // Inline on the role resource itself, so the permissions exist before the function is created
    // (Lambda checks the ENI permissions at CreateFunction time for VPC functions).
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${id} function`,
      inlinePolicies: { Base: new iam.PolicyDocument({ statements }) },
    });
    if (props.vpc) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'EC2 network-interface actions needed by a VPC Lambda do not support resource-level permissions; ' +
          'this is the documented minimum (same actions as AWSLambdaVPCAccessExecutionRole, without its logs:* on *).',
      });
    }

    super(scope, id, {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.ephemeralStorageSize ? { ephemeralStorageSize: props.ephemeralStorageSize } : {}),
      role,
      logGroup,
      ...(props.vpc
        ? {
            vpc: props.vpc,
            vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
            securityGroups: securityGroup ? [securityGroup] : [],
          }
        : {}),
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      environment: {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        // ESM keeps import.meta.url meaningful: the import engine re-loads its own bundle as a worker thread.
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        // CommonJS dependencies (pg, ...) call require() on Node built-ins; give the ESM bundle one.
        banner:
          "import { createRequire as __lead_import_createRequire } from 'node:module'; const require = __lead_import_createRequire(import.meta.url);",
        // Plain, without a source map: a stack trace names the real functions and a bundle line that
        // reads as the source (each module under a comment with its path). Node's source-map support
        // (--enable-source-maps) cost 0.12-0.15 CPU-s and 24 MiB at every cold start, measured with the
        // bench's child; minifying saved nothing at start-up there (the parse is lazy) and added 7 MiB.
        minify: false,
        sourceMap: false,
        // Bundle the SDK versions pinned in package-lock.json instead of whatever the runtime ships.
        bundleAwsSDK: true,
        // pg only loads its optional native binding on demand; it is not installed.
        externalModules: ['pg-native'],
        logLevel: nodejs.LogLevel.WARNING,
        ...(props.extraBundles
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) =>
                  Object.entries(props.extraBundles!).map(
                    ([name, source]) =>
                      `"${path.join(REPO_ROOT, 'node_modules', '.bin', 'esbuild')}" "${path.join(REPO_ROOT, source)}" --bundle --platform=node --format=esm --target=node24 --log-level=warning --outfile="${path.join(outputDir, name)}"`,
                  ),
              },
            }
          : {}),
      },
    });
    this.securityGroup = securityGroup;
  }
}
