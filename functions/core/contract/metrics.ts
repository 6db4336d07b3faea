import type { ImportResult } from './result.ts';

export const METRICS_NAMESPACE = 'LeadImport';
export const METRICS_SERVICE = 'lead-import';

/** The metrics each import emits, with their units; the CDK dashboard and alarms read the same list. */
export const METRIC_UNITS = {
  ImportsSucceeded: 'Count',
  ImportsRejected: 'Count',
  ImportsFailed: 'Count',
  RowsImported: 'Count',
  RowsFailed: 'Count',
  ImportDurationMs: 'Milliseconds',
  RowsPerSecond: 'Count/Second',
  DryRuns: 'Count',
} as const;
export type MetricName = keyof typeof METRIC_UNITS;

/**
 * One CloudWatch Embedded Metric Format record per finished import, so dashboards and alarms need
 * no metrics API calls: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function importMetrics(result: ImportResult, now = Date.now()): Record<string, unknown> {
  // A dry run kept nothing: it counts as a check, not as an import that succeeded or was rejected, and its
  // rows are neither imported nor failed (the real import that follows counts them). A failed one still
  // counts as failed: something broke. Duration and speed count it: it did the same work.
  const real = !result.dry_run;
  const values: Record<MetricName, number> = {
    ImportsSucceeded: real && result.status === 'succeeded' ? 1 : 0,
    ImportsRejected: real && result.status === 'rejected' ? 1 : 0,
    ImportsFailed: result.status === 'failed' ? 1 : 0,
    RowsImported: real ? result.imported_count : 0,
    RowsFailed: real ? result.failed_count : 0,
    ImportDurationMs: result.duration_ms,
    RowsPerSecond: result.leads_per_second,
    DryRuns: result.dry_run ? 1 : 0,
  };
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['Service']],
          Metrics: (Object.keys(METRIC_UNITS) as MetricName[]).map((name) => ({
            Name: name,
            Unit: METRIC_UNITS[name],
          })),
        },
      ],
    },
    Service: METRICS_SERVICE,
    ...values,
    // Properties (not metrics): searchable in Logs Insights, free of dimension cost.
    import_id: result.import_id,
    status: result.status,
    error_code: result.error_code,
    dry_run: result.dry_run,
  };
}
