import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, resourcesOfType, synthStack, type Synthesized } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synthStack();
});

describe('import function invocation limits', () => {
  it('has a reserved concurrency of 5 by default so the database is never flooded', () => {
    const importFn = resourcesOfType(s.template, 'AWS::Lambda::Function')[logicalId(s.stack.importPipeline.function)];
    expect(importFn?.Properties?.ReservedConcurrentExecutions).toBe(5);
  });

  it('retries async events twice, drops them after 6 h, then sends them to the failure queue', () => {
    s.template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(s.stack.importPipeline.function) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(s.stack.importPipeline.failureQueue), 'Arn'] } },
      },
    });
  });

  it('sends failures to an encrypted, TLS-only queue', () => {
    const queueId = logicalId(s.stack.importPipeline.failureQueue);
    const queue = resourcesOfType(s.template, 'AWS::SQS::Queue')[queueId];
    expect(queue?.Properties?.SqsManagedSseEnabled).toBe(true);
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});
