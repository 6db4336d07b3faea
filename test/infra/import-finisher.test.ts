import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { REJECTED_REPORT_MAX_BYTES } from '#core/contract/row-report';
import { IMPORT_EPHEMERAL_STORAGE_MIB } from '../../infra/constructs/import-pipeline.ts';
import { logicalId, resourcesOfType, synthStack, type Synthesized } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synthStack();
});

describe('retries exhausted: the finisher', () => {
  it('reads the import function on-failure queue, reporting records it could not finish one by one', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(s.stack.importPipeline.finisher.function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(s.stack.importPipeline.failureQueue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('parks records it fails on five times in an encrypted dead-letter queue, not back in a loop', () => {
    const queues = resourcesOfType(s.template, 'AWS::SQS::Queue');
    const failed = queues[logicalId(s.stack.importPipeline.failureQueue)]!;
    const deadLettersId = logicalId(s.stack.importPipeline.finisher.deadLetters);
    expect(failed.Properties?.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLettersId, 'Arn'] },
      maxReceiveCount: 5,
    });
    // At least six times the finisher's timeout, so a slow run is not delivered twice at once.
    expect(failed.Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 60);
    expect(queues[deadLettersId]?.Properties?.SqsManagedSseEnabled).toBe(true);
  });

  it('runs in the isolated subnets with the importer secret, like the import function', () => {
    const fn = resourcesOfType(s.template, 'AWS::Lambda::Function')[
      logicalId(s.stack.importPipeline.finisher.function)
    ];
    expect(fn?.Properties?.VpcConfig).toBeDefined();
    expect((fn?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      DB_SECRET_ARN: { Ref: logicalId(s.stack.database.importerSecret) },
      DB_SSL: 'true',
    });
  });

  it('has an alarm on its errors and parked records, sent to the alarm topic', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('finisher failed'),
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'errors + parked' })]),
      AlarmActions: [{ Ref: logicalId(s.stack.monitoring.alarmTopic) }],
    });
  });
});

describe('the import function temporary storage', () => {
  it('is sized from the rejected-rows cap, so that file can never fill /tmp', () => {
    const fn = resourcesOfType(s.template, 'AWS::Lambda::Function')[logicalId(s.stack.importPipeline.function)];
    const size = (fn?.Properties?.EphemeralStorage as { Size: number }).Size;
    expect(size).toBe(IMPORT_EPHEMERAL_STORAGE_MIB);
    expect(size * 1024 * 1024).toBeGreaterThanOrEqual(REJECTED_REPORT_MAX_BYTES + 256 * 1024 * 1024);
  });
});
