import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, resourcesOfType, synthStack, type Synthesized } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synthStack();
});

describe('database network', () => {
  it('has only isolated subnets: no internet gateway, no NAT gateway', () => {
    s.template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    s.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const subnet of Object.values(resourcesOfType(s.template, 'AWS::EC2::Subnet'))) {
      expect(subnet.Properties?.MapPublicIpOnLaunch).toBe(false);
    }
    expect(s.stack.network.vpc.publicSubnets).toHaveLength(0);
    expect(s.stack.network.vpc.privateSubnets).toHaveLength(0);
    expect(s.stack.network.vpc.isolatedSubnets.length).toBeGreaterThanOrEqual(2);
  });

  it('reaches S3 through a gateway endpoint and Secrets Manager through an interface endpoint', () => {
    s.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
    });
    s.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.secretsmanager']] },
    });
  });
});

describe('function egress', () => {
  /** Every egress rule of the function's security group (the import function's by default), inline or separate. */
  function egressRules(fn = s.stack.importPipeline.function): Record<string, unknown>[] {
    const sg = logicalId(fn.securityGroup!);
    const inline = (resourcesOfType(s.template, 'AWS::EC2::SecurityGroup')[sg]?.Properties?.SecurityGroupEgress ??
      []) as Record<string, unknown>[];
    const separate = Object.values(resourcesOfType(s.template, 'AWS::EC2::SecurityGroupEgress'))
      .map((r) => r.Properties ?? {})
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify({ 'Fn::GetAtt': [sg, 'GroupId'] }));
    return [...inline, ...separate];
  }
  const getAtt = (value: unknown) => (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];

  /** Each rule as [destination, from port, to port]. */
  const destinations = (rules: Record<string, unknown>[]) =>
    rules
      .map((r) => [
        r.DestinationPrefixListId ? 'prefix-list' : getAtt(r.DestinationSecurityGroupId)?.[0],
        JSON.stringify(r.FromPort),
        JSON.stringify(r.ToPort),
      ])
      .sort();
  const dbPort = () => JSON.stringify({ 'Fn::GetAtt': [logicalId(s.stack.database.instance), 'Endpoint.Port'] });
  const endpointSg = () => logicalId(s.stack.network.secretsManagerEndpoint.connections.securityGroups[0]!);

  it("import: allows only PostgreSQL, the Secrets Manager endpoint's security group and S3's prefix list on 443", () => {
    const rules = egressRules();
    expect(destinations(rules)).toEqual(
      [
        [logicalId(s.stack.database.securityGroup), dbPort(), dbPort()],
        [endpointSg(), '443', '443'],
        ['prefix-list', '443', '443'],
      ].sort(),
    );
    for (const rule of rules) {
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.CidrIpv6).toBeUndefined();
    }
  });

  it('presign: allows only PostgreSQL and the Secrets Manager endpoint (signing needs no path to S3)', () => {
    const rules = egressRules(s.stack.uploadApi.function);
    expect(destinations(rules)).toEqual(
      [
        [logicalId(s.stack.database.securityGroup), dbPort(), dbPort()],
        [endpointSg(), '443', '443'],
      ].sort(),
    );
    for (const rule of rules) expect(rule.CidrIp).toBeUndefined();
  });

  it("takes S3's prefix list id from a deploy-time lookup of com.amazonaws.<region>.s3", () => {
    const rule = egressRules().find((r) => r.DestinationPrefixListId);
    const [lookupId, attribute] = getAtt(rule?.DestinationPrefixListId) ?? [];
    expect(attribute).toBe('PrefixLists.0.PrefixListId');
    const create = JSON.stringify(s.template.findResources('Custom::AWS')[lookupId!]?.Properties?.Create);
    expect(create).toContain('describePrefixLists');
    expect(create).toMatch(/com\.amazonaws\..*\.s3/);
  });
});

describe('RDS PostgreSQL instance', () => {
  it('is PostgreSQL 15, private, encrypted, backed up and deletion-protected by default', () => {
    s.template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: Match.stringLikeRegexp('^15'),
      PubliclyAccessible: false,
      StorageEncrypted: true,
      BackupRetentionPeriod: Match.anyValue(),
      DeletionProtection: true,
      MasterUsername: 'lead_admin',
    });
    const [instance] = Object.values(resourcesOfType(s.template, 'AWS::RDS::DBInstance'));
    expect(instance?.Properties?.BackupRetentionPeriod).toBeGreaterThan(0);
  });

  it('accepts 5432 only from the import, finisher, API, presign, migrate and rotation security groups', () => {
    const dbSg = logicalId(s.stack.database.securityGroup);
    const ingress = Object.values(resourcesOfType(s.template, 'AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties ?? {})
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify({ 'Fn::GetAtt': [dbSg, 'GroupId'] }));
    const sources = ingress
      .map((p) => (p.SourceSecurityGroupId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0])
      .sort();
    const expected = [
      s.stack.importPipeline.function.securityGroup,
      s.stack.importPipeline.finisher.function.securityGroup,
      s.stack.callerApi.function.securityGroup,
      s.stack.uploadApi.function.securityGroup,
      s.stack.migrations.function.securityGroup,
    ].map((sg) => logicalId(sg!));
    expect(sources).toEqual(expect.arrayContaining(expected));
    expect(sources).toHaveLength(6); // + the rotation Lambdas' security group
    for (const p of ingress) expect(p.CidrIp).toBeUndefined();
    const sg = resourcesOfType(s.template, 'AWS::EC2::SecurityGroup')[dbSg];
    expect(sg?.Properties?.SecurityGroupIngress ?? []).toEqual([]);
  });

  it('rotates the master secret (single user), the importer, API and presign secrets (multi user)', () => {
    const schedules = Object.values(resourcesOfType(s.template, 'AWS::SecretsManager::RotationSchedule'));
    const secretIds = schedules
      .map((r) => r.Properties?.SecretId)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(secretIds).toEqual(
      [
        { Ref: logicalId(s.stack.database.importerSecret) },
        { Ref: logicalId(s.stack.database.apiSecret) },
        { Ref: logicalId(s.stack.database.presignSecret) },
        { Ref: logicalId(s.stack.database.masterSecret) },
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    s.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: {
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"username":"lead_importer"')])],
        },
      }),
    });
  });
});
