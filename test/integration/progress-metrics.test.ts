import { describe, expect, it, vi } from 'vitest';
import type { ImportResult } from '#core/contract/result';
import { csvText, HEADER, validLead } from '#test/csv';
import { useImportHandler } from '#test/import-harness';
import { lambdaContext, s3Event } from '#test/events';
import { TEST_BUCKET } from '#test/s3';
import { generateLeadCsv } from '../../scripts/lib/lead-generator.ts';

const h = useImportHandler('progress', { PROGRESS_INTERVAL_MS: '100' });

describe('live progress', () => {
  it('shows growing processing snapshots of a 200,000-row import before the final result', async () => {
    const key = 'uploads/progress/big.csv';
    await h.s3.put(key, [...generateLeadCsv({ rows: 200_000, seed: 11 })].join(''));
    const seen: ImportResult[] = [];
    let done = false;
    const running = h.handler(s3Event(TEST_BUCKET, key), lambdaContext()).finally(() => (done = true));
    // Another task polls the result key the way a client polls result_url.
    while (!done) {
      // A torn read (the local server rewrites in place) is one missed poll, not a 5 s stall.
      const snapshot = await h.s3
        .getJson<ImportResult>(`${key}.result.json`, { timeoutMs: 1000 })
        .catch(() => undefined);
      if (snapshot) seen.push(snapshot);
      await new Promise((r) => setTimeout(r, 20));
    }
    await running;
    const final = await h.s3.getJson<ImportResult>(`${key}.result.json`);
    expect(final).toMatchObject({ status: 'succeeded', total_leads: 200_000 });
    const processing = seen.filter((s) => s.status === 'processing');
    const counts = [...new Set(processing.map((s) => s.total_leads))];
    expect(counts.length).toBeGreaterThanOrEqual(2);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(processing.every((s) => s.import_id === final!.import_id && s.finished_at === null)).toBe(true);
    // No snapshot may land after the final result.
    const lastProcessing = seen.map((s) => s.status).lastIndexOf('processing');
    const firstFinal = seen.findIndex((s) => s.status !== 'processing');
    expect(firstFinal === -1 || lastProcessing < firstFinal).toBe(true);
  });
});

describe('metrics', () => {
  it('emits one CloudWatch EMF record per import with the expected metrics', async () => {
    const key = 'uploads/metrics/leads.csv';
    await h.s3.put(
      key,
      csvText([
        HEADER,
        ...Array.from({ length: 10 }, (_, i) => validLead(i)),
        ['Bad Co', '', '', '', '', 'nope', '', '', ''],
      ]),
    );
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await h.handler(s3Event(TEST_BUCKET, key), lambdaContext());
    } finally {
      spy.mockRestore();
    }
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => '_aws' in r);
    expect(records).toHaveLength(1);
    const emf = records[0] as {
      _aws: {
        Timestamp: number;
        CloudWatchMetrics: Array<{
          Namespace: string;
          Dimensions: string[][];
          Metrics: Array<{ Name: string; Unit: string }>;
        }>;
      };
    } & Record<string, unknown>;
    expect(typeof emf._aws.Timestamp).toBe('number');
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive).toMatchObject({ Namespace: 'LeadImport', Dimensions: [['Service']] });
    expect(directive!.Metrics.map((m) => m.Name)).toEqual([
      'ImportsSucceeded',
      'ImportsRejected',
      'ImportsFailed',
      'RowsImported',
      'RowsFailed',
      'ImportDurationMs',
      'RowsPerSecond',
      'DryRuns',
    ]);
    // Every declared metric and dimension has a numeric / string value at the top level, as EMF requires.
    for (const m of directive!.Metrics) expect(typeof emf[m.Name]).toBe('number');
    expect(emf).toMatchObject({
      Service: 'lead-import',
      ImportsSucceeded: 1,
      ImportsFailed: 0,
      RowsImported: 10,
      RowsFailed: 1,
    });
  });
});
