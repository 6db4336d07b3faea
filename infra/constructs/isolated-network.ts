import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/**
 * A VPC with only PRIVATE_ISOLATED subnets (no internet gateway, no NAT gateways), reachable AWS services
 * limited to S3 (gateway endpoint, free) and Secrets Manager (interface endpoint, needed by the functions
 * and by the rotation Lambdas). VPC flow logs go to CloudWatch Logs.
 */
export class IsolatedNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly isolatedSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  public readonly secretsManagerEndpoint: ec2.InterfaceVpcEndpoint;
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  /**
   * The AWS-managed prefix list of S3 in this region (`com.amazonaws.<region>.s3`), the only
   * destination a security group rule can name for traffic through the S3 gateway endpoint.
   */
  public readonly s3PrefixList: ec2.IPeer;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });

    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.isolatedSubnets],
    });

    // CloudFormation returns no prefix list id for a gateway endpoint, and a synth-time lookup would tie
    // the stack to one account and region; so a deploy-time DescribePrefixLists call finds it by name.
    const prefixListName = `com.amazonaws.${Stack.of(this).region}.s3`;
    const lookupLogs = new logs.LogGroup(this, 'S3PrefixListLookupLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const lookup = new cr.AwsCustomResource(this, 'S3PrefixListLookup', {
      onUpdate: {
        service: 'EC2',
        action: 'describePrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [prefixListName] }] },
        physicalResourceId: cr.PhysicalResourceId.of(prefixListName),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
      logGroup: lookupLogs,
    });
    this.s3PrefixList = ec2.Peer.prefixList(lookup.getResponseField('PrefixLists.0.PrefixListId'));
    Validations.of(lookup).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribePrefixLists supports no resource-level permissions; the lookup only reads the public ' +
        'S3 prefix list id at deploy time.',
    });
    acknowledgeCustomResourceProvider(Stack.of(this));

    this.secretsManagerEndpoint = this.vpc.addInterfaceEndpoint('SecretsManager', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: this.isolatedSubnets,
      privateDnsEnabled: true,
      // Ingress on 443 is added per client (functions, rotation Lambdas) instead of the whole VPC CIDR.
      open: false,
    });
  }

  /** A function in the isolated subnets reaches Secrets Manager through its interface endpoint (443). */
  allowSecretsManagerFrom(fn: ec2.IConnectable): void {
    this.secretsManagerEndpoint.connections.allowDefaultPortFrom(fn);
  }

  /** A function in the isolated subnets reaches S3 only through the gateway endpoint's prefix list (443). */
  allowS3From(fn: { securityGroup?: ec2.SecurityGroup | undefined }): void {
    fn.securityGroup?.addEgressRule(
      this.s3PrefixList,
      ec2.Port.tcp(443),
      'HTTPS to S3 through the gateway endpoint (its prefix list)',
    );
  }
}

/** The stack-wide singleton Lambda behind every AwsCustomResource. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

function acknowledgeCustomResourceProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
  if (!provider) throw new Error(`${AWS_CUSTOM_RESOURCE_PROVIDER_ID} not found: did aws-cdk-lib rename it?`);
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'CDK-internal provider of AwsCustomResource (here: the deploy-time S3 prefix list lookup); aws-cdk-lib ' +
      'hard-codes this managed policy (CloudWatch Logs only) and offers no way to replace it.',
  });
}
