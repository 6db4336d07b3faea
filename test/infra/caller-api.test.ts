import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '#db/index';
import { ROUTES } from '../../functions/api/handler.ts';
import { logicalId, resourcesOfType, synthStack, type Synthesized } from './synth.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

let s: Synthesized;
beforeAll(() => {
  s = synthStack();
});

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function statementsOf(fn: IFunction): Statement[] {
  const roleId = logicalId(fn.role!);
  const role = resourcesOfType(s.template, 'AWS::IAM::Role')[roleId];
  const inline = ((role?.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  const attached = Object.values(resourcesOfType(s.template, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties?.Roles).includes(JSON.stringify({ Ref: roleId })))
    .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...attached];
}

const fnResource = (fn: IFunction) => resourcesOfType(s.template, 'AWS::Lambda::Function')[logicalId(fn)]!;

describe("the caller's API function", () => {
  it('reads only the result and rejected-rows files in S3, and no other AWS resource but its secret and logs', () => {
    const bucketArn = { 'Fn::GetAtt': [logicalId(s.stack.storage.bucket), 'Arn'] };
    const statements = statementsOf(s.stack.callerApi.function).filter((st) => st.Effect === 'Allow');
    const s3 = statements.filter((st) => list(st.Action).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap((st) => list(st.Action))).toEqual(['s3:GetObject']);
    expect(s3.flatMap((st) => list(st.Resource))).toEqual([
      { 'Fn::Join': ['', [bucketArn, '/uploads/*.rejected.csv']] },
      { 'Fn::Join': ['', [bucketArn, '/uploads/*.result.json']] },
    ]);
    const actions = new Set(statements.flatMap((st) => list(st.Action)));
    const allowed =
      /^(s3:GetObject|secretsmanager:(GetSecretValue|DescribeSecret)|logs:(CreateLogStream|PutLogEvents)|ec2:\w+NetworkInterfaces?|ec2:DescribeSubnets|ec2:(Assign|Unassign)PrivateIpAddresses)$/;
    expect([...actions].filter((a) => !allowed.test(a))).toEqual([]);
    const secrets = statements
      .filter((st) => list(st.Action).includes('secretsmanager:GetSecretValue'))
      .flatMap((st) => list(st.Resource));
    expect(secrets).toEqual([{ Ref: logicalId(s.stack.database.apiSecret) }]);
  });

  it('runs in the isolated subnets as the lead_api database role, with reserved concurrency', () => {
    const props = fnResource(s.stack.callerApi.function).Properties!;
    expect(props.VpcConfig).toBeDefined();
    expect(props.ReservedConcurrentExecutions).toBe(10);
    const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.DB_SECRET_ARN).toEqual({ Ref: logicalId(s.stack.database.apiSecret) });
    expect(env.DB_SSL).toBe('true');
    const secrets = Object.values(resourcesOfType(s.template, 'AWS::SecretsManager::Secret'));
    expect(secrets.filter((r) => JSON.stringify(r.Properties?.GenerateSecretString).includes('lead_api'))).toHaveLength(
      1,
    );
  });

  it('serves every route of the handler on the upload API, behind the JWT authorizer', () => {
    const routes = Object.values(resourcesOfType(s.template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties!);
    const integrations = resourcesOfType(s.template, 'AWS::ApiGatewayV2::Integration');
    const apiFn = logicalId(s.stack.callerApi.function);
    for (const route of ROUTES) {
      const found = routes.find((r) => r.RouteKey === `${route.method} ${route.pattern}`);
      expect(found, route.pattern).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: expect.anything() });
      const target = JSON.stringify(found!.Target);
      const integration = Object.entries(integrations).find(([id]) => target.includes(id))?.[1];
      expect(JSON.stringify(integration?.Properties?.IntegrationUri)).toContain(apiFn);
    }
  });

  it('has an alarm on its errors and throttles, and a dashboard row', () => {
    const alarms = Object.values(resourcesOfType(s.template, 'AWS::CloudWatch::Alarm'));
    const apiFn = logicalId(s.stack.callerApi.function);
    const mine = alarms.filter((a) => JSON.stringify(a.Properties?.Metrics ?? a.Properties).includes(apiFn));
    expect(mine).toHaveLength(1);
    expect(JSON.stringify(mine[0]!.Properties!.Metrics)).toContain('Throttles');
    expect(mine[0]!.Properties!.AlarmActions).toEqual([{ Ref: logicalId(s.stack.monitoring.alarmTopic) }]);
    const dashboard = Object.values(resourcesOfType(s.template, 'AWS::CloudWatch::Dashboard'))[0]!;
    expect(JSON.stringify(dashboard.Properties!.DashboardBody)).toContain("Caller's API function");
  });
});

describe('the lead_api database role (migration 004)', () => {
  const sql = MIGRATIONS.find((m) => m.name === '004_caller_api')!.sql;
  const grants = [...sql.matchAll(/^grant ([^;]+?) on (\w+) to lead_api;/gms)].map((m) => ({
    privileges: m[1]!.replace(/\s+/g, ' '),
    table: m[2]!,
  }));

  it('may write to leads only what a revert writes: delete, and update of the columns a revert restores', () => {
    expect(grants.filter((g) => g.table === 'leads')).toEqual([
      { privileges: 'select, delete', table: 'leads' },
      {
        privileges:
          'update (company_name, industry, company_website, company_size, contact_name, contact_email, contact_phone, contact_title, notes, website_normalized, phone_e164, updated_at)',
        table: 'leads',
      },
    ]);
    expect(grants.map((g) => g.privileges).join(' ')).not.toMatch(/insert|truncate|all/);
  });

  it('may only read the history and mark an import reverted', () => {
    expect(grants.filter((g) => g.table !== 'leads')).toEqual([
      { privileges: 'select', table: 'lead_imports' },
      { privileges: 'update (status, reverted_at)', table: 'lead_imports' },
      { privileges: 'select, delete', table: 'lead_changes' },
    ]);
  });
});
