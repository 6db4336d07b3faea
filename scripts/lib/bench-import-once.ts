/**
 * Benchmark child process: one S3 event through the import Lambda's handler, exactly as Lambda runs
 * it (the bench bundles this file with esbuild and runs it with plain node, so the figures include
 * the bundle's cold start and nothing of tsx). Prints {ms, max_rss_mib, cpu_s, result} as JSON.
 */
import { encodeEventKey, resultKeyFor } from '#core/contract/keys';
import type { ImportResult } from '#core/contract/result';
import { handler } from '../../functions/import/handler.ts';
import { createS3Client, readJson } from '#io/s3';
import type { Context, S3Event } from 'aws-lambda';

// The engine worker is its own bundle (lead-engine-worker.mjs beside this one), so this file runs only here.
await main();

async function main(): Promise<void> {
  const [bucket, key] = process.argv.slice(2) as [string, string];
  const event = {
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: encodeEventKey(key) } },
      },
    ],
  } as unknown as S3Event;
  const context = { getRemainingTimeInMillis: () => 15 * 60 * 1000 } as Context;

  // Quiet the handler's per-import log and EMF lines: the parent reads our one JSON line on stdout.
  process.stdout.write = (
    (write) =>
    (chunk: string | Uint8Array, ...rest: unknown[]) =>
      typeof chunk === 'string' && chunk.includes('"_aws"') ? true : write(chunk, ...(rest as []))
  )(process.stdout.write.bind(process.stdout)) as typeof process.stdout.write;

  const started = performance.now();
  await handler(event, context);
  const ms = performance.now() - started;
  // Whole process, every thread: the engine worker has finished and its time is counted here.
  const usage = process.resourceUsage();
  const s3 = createS3Client({ endpoint: process.env.S3_ENDPOINT });
  const result = (await readJson<ImportResult>(s3, bucket, resultKeyFor(key)))!;
  process.stdout.write(
    JSON.stringify({
      ms,
      max_rss_mib: usage.maxRSS / 1024,
      cpu_s: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      cpu_system_s: usage.systemCPUTime / 1e6,
      minor_page_faults: usage.minorPageFault,
      status: result.status,
      imported: result.imported_count,
      failed: result.failed_count,
      duplicates: result.duplicate_count,
      timings_ms: result.timings_ms,
    }) + '\n',
  );
  process.exit(0);
}
