import { ROUTES } from '../../functions/api/handler.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../infra/config.ts';
import { logicalId, resourcesOfType, synthStack, TEST_CORS_ORIGINS, type Synthesized } from './synth.ts';

let s: Synthesized;
let apiId: string;
beforeAll(() => {
  s = synthStack();
  apiId = logicalId(s.stack.uploadApi.api);
});

describe('upload HTTP API', () => {
  it("has POST /uploads and the caller's API routes, all behind the JWT authorizer", () => {
    const routes = Object.values(resourcesOfType(s.template, 'AWS::ApiGatewayV2::Route'));
    expect(routes.map((r) => r.Properties?.RouteKey).sort()).toEqual(
      ['POST /uploads', ...ROUTES.map((r) => `${r.method} ${r.pattern}`)].sort(),
    );
    for (const r of routes) expect(r.Properties?.AuthorizationType).toBe('JWT');
    const route = routes.find((r) => r.Properties?.RouteKey === 'POST /uploads')?.Properties ?? {};
    expect(route.RouteKey).toBe('POST /uploads');
    expect(route.AuthorizationType).toBe('JWT');

    const authorizers = resourcesOfType(s.template, 'AWS::ApiGatewayV2::Authorizer');
    const authorizerId = (route.AuthorizerId as { Ref: string }).Ref;
    expect(authorizers[authorizerId]?.Properties).toEqual({
      ApiId: { Ref: apiId },
      AuthorizerType: 'JWT',
      Name: 'JwtAuthorizer',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: { Ref: 'JwtIssuer' }, Audience: { Ref: 'JwtAudience' } },
    });
  });

  it('takes the issuer and audience as CloudFormation parameters', () => {
    s.template.hasParameter('JwtIssuer', { Type: 'String' });
    s.template.hasParameter('JwtAudience', { Type: 'CommaDelimitedList' });
  });

  it('routes to the presign function', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      ApiId: { Ref: apiId },
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(s.stack.uploadApi.function), 'Arn'] },
    });
  });

  it('the presign function runs in the isolated subnets as the lead_presign role, throttled by the stage only', () => {
    const props = resourcesOfType(s.template, 'AWS::Lambda::Function')[logicalId(s.stack.uploadApi.function)]!
      .Properties!;
    expect(props.VpcConfig).toBeDefined();
    // The stage throttles (429); a Lambda cap would answer a bare 503 instead of our JSON.
    expect(props.ReservedConcurrentExecutions).toBeUndefined();
    const stage = Object.values(resourcesOfType(s.template, 'AWS::ApiGatewayV2::Stage'))[0]!.Properties!;
    expect(JSON.stringify(stage.DefaultRouteSettings)).toContain(
      `"ThrottlingBurstLimit":${DEFAULT_CONFIG.apiThrottleBurstLimit}`,
    );
    const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.DB_SECRET_ARN).toEqual({ Ref: logicalId(s.stack.database.presignSecret) });
    const secrets = Object.values(resourcesOfType(s.template, 'AWS::SecretsManager::Secret'));
    const presign = secrets.filter((r) => JSON.stringify(r.Properties?.GenerateSecretString).includes('lead_presign'));
    expect(presign).toHaveLength(1);
  });

  it('the presign function has an alarm on its errors and throttles, notifying the alarm topic', () => {
    const alarms = Object.values(resourcesOfType(s.template, 'AWS::CloudWatch::Alarm'));
    const presignFn = logicalId(s.stack.uploadApi.function);
    const mine = alarms.filter((a) => JSON.stringify(a.Properties?.Metrics ?? a.Properties).includes(presignFn));
    expect(mine).toHaveLength(1);
    const metrics = JSON.stringify(mine[0]!.Properties!.Metrics);
    expect(metrics).toContain('"MetricName":"Errors"');
    expect(metrics).toContain('"MetricName":"Throttles"');
    const topic = [{ Ref: logicalId(s.stack.monitoring.alarmTopic) }];
    expect(mine[0]!.Properties!).toMatchObject({ AlarmActions: topic, OKActions: topic, Threshold: 0 });
  });

  it('throttles the stage and writes access logs (with the JWT sub) to a log group', () => {
    const stages = Object.values(resourcesOfType(s.template, 'AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.Properties ?? {};
    expect(stage.StageName).toBe('$default');
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    const accessLogs = stage.AccessLogSettings as {
      DestinationArn: { 'Fn::GetAtt': [string, string] };
      Format: string;
    };
    const logGroup = resourcesOfType(s.template, 'AWS::Logs::LogGroup')[accessLogs.DestinationArn['Fn::GetAtt'][0]];
    expect(logGroup?.Properties?.RetentionInDays).toBeGreaterThan(0);
    expect(accessLogs.Format).toContain('$context.authorizer.claims.sub');
  });

  it('answers CORS preflight only for the configured origins', () => {
    const api = resourcesOfType(s.template, 'AWS::ApiGatewayV2::Api')[apiId];
    expect(api?.Properties?.CorsConfiguration).toEqual(
      expect.objectContaining({ AllowOrigins: TEST_CORS_ORIGINS, AllowMethods: ['GET', 'POST'] }),
    );
  });

  it('outputs the API base URL and the bucket name', () => {
    s.template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] } });
    s.template.hasOutput('BucketName', { Value: { Ref: logicalId(s.stack.storage.bucket) } });
  });
});

describe('upload HTTP API scopes (-c uploadScopes)', () => {
  it('requires no scope by default', () => {
    const [route] = Object.values(resourcesOfType(s.template, 'AWS::ApiGatewayV2::Route'));
    expect(route?.Properties?.AuthorizationScopes).toBeUndefined();
  });

  // A second synthesis of the whole stack (bundling included): slow on a loaded machine.
  it("requires the configured scopes on every route: POST /uploads and the caller's own API", {
    timeout: 300_000,
  }, () => {
    const scoped = synthStack({ uploadScopes: 'leads/upload, leads/admin' });
    const routes = Object.values(resourcesOfType(scoped.template, 'AWS::ApiGatewayV2::Route'));
    expect(routes.map((r) => r.Properties?.RouteKey)).toContain('POST /uploads');
    expect(routes.map((r) => r.Properties?.RouteKey)).toContain('GET /imports');
    for (const route of routes)
      expect([route.Properties?.RouteKey, route.Properties?.AuthorizationScopes]).toEqual([
        route.Properties?.RouteKey,
        ['leads/upload', 'leads/admin'],
      ]);
  });
});
