import { describe, expect, it } from 'vitest';
import { importMetrics } from '#core/contract/metrics';
import { parseImportOptions } from '#core/contract/options';
import { buildResult } from '#core/contract/result';

const resultOf = (dryRun: boolean, status: 'succeeded' | 'rejected' | 'failed' = 'succeeded') =>
  buildResult({
    importId: 'imp-1',
    status,
    filename: 'leads.csv',
    source: { bucket: 'b', key: 'uploads/x/leads.csv', version_id: null, etag: '"e"', size: 10 },
    options: parseImportOptions({ dry_run: dryRun }),
    startedAt: new Date(0),
    finishedAt: new Date(1000),
    summary: { total_leads: 5, failed_count: 1 },
    importedCount: 4,
  });

describe('importMetrics', () => {
  it('counts the rows a real import kept, and none for a dry run (which says it is one)', () => {
    expect(importMetrics(resultOf(false))).toMatchObject({ RowsImported: 4, ImportsSucceeded: 1, dry_run: false });
    expect(importMetrics(resultOf(true))).toMatchObject({
      RowsImported: 0,
      ImportsSucceeded: 0,
      DryRuns: 1,
      dry_run: true,
    });
    expect(importMetrics(resultOf(false))).toMatchObject({ DryRuns: 0, RowsFailed: 1 });
  });

  it('counts a rejected dry run as a check, and a failed one as a failure', () => {
    expect(importMetrics(resultOf(true, 'rejected'))).toMatchObject({
      ImportsRejected: 0,
      RowsFailed: 0,
      DryRuns: 1,
    });
    expect(importMetrics(resultOf(false, 'rejected'))).toMatchObject({ ImportsRejected: 1, DryRuns: 0 });
    expect(importMetrics(resultOf(true, 'failed'))).toMatchObject({ ImportsFailed: 1, DryRuns: 1 });
  });
});
