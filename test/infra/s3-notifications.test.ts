import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, resourcesOfType, synthStack, type Synthesized } from './synth.ts';

interface LambdaNotification {
  Events: string[];
  LambdaFunctionArn: unknown;
  Filter: { Key: { FilterRules: { Name: string; Value: string }[] } };
}

let s: Synthesized;
let notifications: { BucketName: unknown; NotificationConfiguration: Record<string, unknown> };
beforeAll(() => {
  s = synthStack();
  const resources = Object.values(resourcesOfType(s.template, 'Custom::S3BucketNotifications'));
  expect(resources).toHaveLength(1);
  notifications = resources[0]?.Properties as typeof notifications;
});

describe('S3 notifications of the uploads bucket', () => {
  it('are configured on the uploads bucket and only invoke Lambda', () => {
    expect(notifications.BucketName).toEqual({ Ref: logicalId(s.stack.storage.bucket) });
    expect(Object.keys(notifications.NotificationConfiguration)).toEqual(['LambdaFunctionConfigurations']);
  });

  it('invoke the import function on ObjectCreated for uploads/*.csv and uploads/*.CSV', () => {
    const configs = notifications.NotificationConfiguration.LambdaFunctionConfigurations as LambdaNotification[];
    const importFnArn = { 'Fn::GetAtt': [logicalId(s.stack.importPipeline.function), 'Arn'] };
    const summary = configs.map((config) => ({
      events: config.Events,
      target: config.LambdaFunctionArn,
      filter: Object.fromEntries(config.Filter.Key.FilterRules.map((rule) => [rule.Name, rule.Value])),
      ruleCount: config.Filter.Key.FilterRules.length,
    }));
    expect(summary).toEqual([
      {
        events: ['s3:ObjectCreated:*'],
        target: importFnArn,
        filter: { prefix: 'uploads/', suffix: '.csv' },
        ruleCount: 2,
      },
      {
        events: ['s3:ObjectCreated:*'],
        target: importFnArn,
        filter: { prefix: 'uploads/', suffix: '.CSV' },
        ruleCount: 2,
      },
    ]);
  });
});
