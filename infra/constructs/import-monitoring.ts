import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

// The EMF metrics the import function emits: namespace, dimension and names come from the handler's own module.
import { METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../../functions/core/contract/metrics.ts';

const METRICS_DIMENSIONS = { Service: METRICS_SERVICE };

export interface ImportMonitoringProps {
  readonly importFunction: lambda.Function;
  /** The caller's API function (history, revert): its errors alarm, its dashboard row. */
  readonly apiFunction: lambda.Function;
  /** The presign function (POST /uploads): its errors alarm. */
  readonly presignFunction: lambda.Function;
  readonly failureQueue: sqs.IQueue;
  /** The function finishing events Lambda gave up on, and where records it could not finish go. */
  readonly finisher: { function: lambda.Function; deadLetters: sqs.IQueue };
  readonly alarmEmail: string | undefined;
}

/**
 * Alarms (to an encrypted SNS topic) on failed import events and on import, caller's API and presign
 * function errors, plus a dashboard.
 */
export class ImportMonitoring extends Construct {
  public readonly alarmTopic: sns.Topic;
  public readonly failedEventsAlarm: cloudwatch.Alarm;
  public readonly importErrorsAlarm: cloudwatch.Alarm;
  public readonly apiErrorsAlarm: cloudwatch.Alarm;
  public readonly presignErrorsAlarm: cloudwatch.Alarm;
  public readonly finisherAlarm: cloudwatch.Alarm;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ImportMonitoringProps) {
    super(scope, id);
    const fn = props.importFunction;

    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, hence a customer key.
    const topicKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Lead Import alarm topic encryption',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    topicKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Lead Import alarms',
      masterKey: topicKey,
      enforceSSL: true,
    });
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    const action = new cwActions.SnsAction(this.alarmTopic);

    const failedEvents = props.failureQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.MAXIMUM,
    });
    this.failedEventsAlarm = new cloudwatch.Alarm(this, 'FailedEventsAlarm', {
      alarmDescription:
        'An upload failed on every attempt and went to the failed-events queue; the finisher marks it failed ' +
        '(RETRIES_EXHAUSTED) for the uploader. Look at the import function logs for the cause.',
      metric: failedEvents,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const errors = fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM });
    this.importErrorsAlarm = new cloudwatch.Alarm(this, 'ImportErrorsAlarm', {
      alarmDescription: 'The import function threw (the invocation will be retried, then sent to the queue).',
      metric: errors,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const apiFn = props.apiFunction;
    // Both HTTP functions have reserved concurrency, so a throttle is a caller's 5xx as much as an error is.
    const errorsAndThrottles = (id: string, fn: lambda.Function, alarmDescription: string): cloudwatch.Alarm =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription,
        metric: new cloudwatch.MathExpression({
          expression: 'errors + throttles',
          usingMetrics: {
            errors: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
            throttles: fn.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
          },
          period: Duration.minutes(5),
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.apiErrorsAlarm = errorsAndThrottles(
      'ApiErrorsAlarm',
      apiFn,
      "The caller's API function failed or was throttled (callers saw 5xx answers on /imports).",
    );
    this.presignErrorsAlarm = errorsAndThrottles(
      'PresignErrorsAlarm',
      props.presignFunction,
      'The presign function failed or was throttled (callers saw 5xx answers on POST /uploads).',
    );
    // The finisher is the last line: if it throws or parks a record, an uploader may still read `processing`.
    const finisherTrouble = new cloudwatch.MathExpression({
      expression: 'errors + parked',
      usingMetrics: {
        errors: props.finisher.function.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        parked: props.finisher.deadLetters.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
      },
      label: 'Finisher errors + parked records',
      period: Duration.minutes(5),
    });
    this.finisherAlarm = new cloudwatch.Alarm(this, 'FinisherAlarm', {
      alarmDescription:
        'The finisher failed, or parked an on-failure record in its dead-letter queue: an upload whose retries ran ' +
        'out may still show `processing`. Fix the cause, then re-drive the dead-letter queue into the failed-events queue.',
      metric: finisherTrouble,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const alarms = [
      this.failedEventsAlarm,
      this.importErrorsAlarm,
      this.apiErrorsAlarm,
      this.presignErrorsAlarm,
      this.finisherAlarm,
    ];
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }

    const emf = (metricName: MetricName, statistic: string, label?: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: METRICS_DIMENSIONS,
        statistic,
        period: Duration.minutes(5),
        ...(label ? { label } : {}),
      });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Imports (EMF)',
            width: 12,
            left: [
              emf('ImportsSucceeded', cloudwatch.Stats.SUM),
              emf('ImportsRejected', cloudwatch.Stats.SUM),
              emf('ImportsFailed', cloudwatch.Stats.SUM),
              emf('DryRuns', cloudwatch.Stats.SUM),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Rows (EMF)',
            width: 12,
            left: [emf('RowsImported', cloudwatch.Stats.SUM), emf('RowsFailed', cloudwatch.Stats.SUM)],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Import duration ms (EMF)',
            width: 12,
            left: [
              emf('ImportDurationMs', cloudwatch.Stats.p(50), 'p50'),
              emf('ImportDurationMs', cloudwatch.Stats.p(99), 'p99'),
              emf('ImportDurationMs', cloudwatch.Stats.MAXIMUM, 'max'),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Rows per second (EMF)',
            width: 12,
            left: [
              emf('RowsPerSecond', cloudwatch.Stats.AVERAGE, 'avg'),
              emf('RowsPerSecond', cloudwatch.Stats.MINIMUM, 'min'),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Import function',
            width: 12,
            left: [fn.metricInvocations(), fn.metricErrors(), fn.metricThrottles()],
            right: [
              fn.metric('ConcurrentExecutions', { statistic: cloudwatch.Stats.MAXIMUM }),
              fn.metric('AsyncEventAge', { statistic: cloudwatch.Stats.MAXIMUM }),
            ],
          }),
          durationWidget('Import function duration', fn),
        ],
        [
          new cloudwatch.GraphWidget({
            title: "Caller's API function (/imports)",
            width: 12,
            left: [apiFn.metricInvocations(), apiFn.metricErrors(), apiFn.metricThrottles()],
            right: [apiFn.metric('ConcurrentExecutions', { statistic: cloudwatch.Stats.MAXIMUM })],
          }),
          durationWidget("Caller's API function duration", apiFn),
        ],
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            width: 12,
            alarms,
          }),
          new cloudwatch.SingleValueWidget({
            title: 'Failed events waiting',
            width: 12,
            metrics: [failedEvents],
          }),
        ],
      ],
    });
  }
}

/** A function's duration at p50, p99 and max, half the dashboard's width. */
function durationWidget(title: string, fn: lambda.IFunction): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    width: 12,
    left: [
      fn.metricDuration({ statistic: cloudwatch.Stats.p(50), label: 'p50' }),
      fn.metricDuration({ statistic: cloudwatch.Stats.p(99), label: 'p99' }),
      fn.metricDuration({ statistic: cloudwatch.Stats.MAXIMUM, label: 'max' }),
    ],
  });
}
