import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, synthStack, type Synthesized } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synthStack();
});

function csvNotification(suffix: string) {
  return {
    Events: ['s3:ObjectCreated:*'],
    LambdaFunctionArn: { 'Fn::GetAtt': [logicalId(s.stack.importPipeline.function), 'Arn'] },
    Filter: {
      Key: {
        FilterRules: Match.arrayWith([
          { Name: 'prefix', Value: 'uploads/' },
          { Name: 'suffix', Value: suffix },
        ]),
      },
    },
  };
}

describe('S3 ObjectCreated notifications', () => {
  it('invoke the import function for uploads/*.csv and uploads/*.CSV on the uploads bucket', () => {
    s.template.resourceCountIs('Custom::S3BucketNotifications', 1);
    s.template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalId(s.stack.storage.bucket) },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: Match.arrayEquals([csvNotification('.csv'), csvNotification('.CSV')]),
      },
    });
  });

  it('have exactly a prefix and a suffix rule each (no broader trigger)', () => {
    const [resource] = Object.values(s.template.findResources('Custom::S3BucketNotifications'));
    const configs = resource?.Properties.NotificationConfiguration.LambdaFunctionConfigurations as {
      Filter: { Key: { FilterRules: { Name: string }[] } };
    }[];
    expect(configs).toHaveLength(2);
    for (const config of configs) {
      expect(config.Filter.Key.FilterRules.map((rule) => rule.Name).sort()).toEqual(['prefix', 'suffix']);
    }
  });
});
