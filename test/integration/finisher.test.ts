import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { encodeEventKey } from '#core/contract/keys';
import type { ImportResult } from '#core/contract/result';
import { csvText, HEADER, validLead } from '#test/csv';
import { countImports, countLeads } from '#test/database';
import { eventFile, lambdaContext, s3Event } from '#test/events';
import { useImportHandler } from '#test/import-harness';
import { TEST_BUCKET } from '#test/s3';

type Finisher = typeof import('../../functions/finisher/handler.ts').handler;

const h = useImportHandler('finisher');

/** The stored on-failure record (SQS message), pointed at `key` of the test bucket. */
function failedEvent(key: string, errorMessage = 'Timed out waiting for a database lock while importing'): SQSEvent {
  const event = structuredClone(eventFile<SQSEvent>('sqs-import-failed.json'));
  for (const message of event.Records) {
    const record = JSON.parse(message.body);
    for (const r of record.requestPayload.Records) {
      r.s3.bucket.name = TEST_BUCKET;
      r.s3.object.key = encodeEventKey(key);
      // The test bucket is unversioned: the idempotency key is the object's ETag, read by HEAD.
      delete r.s3.object.versionId;
      delete r.s3.object.eTag;
    }
    record.responsePayload.errorMessage = errorMessage;
    message.body = JSON.stringify(record);
  }
  return event;
}

async function finisher(): Promise<Finisher> {
  return (await import('../../functions/finisher/handler.ts')).handler;
}

/** Runs `work` with the structured logs captured instead of printed. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await work();
  } finally {
    stderr.mockRestore();
    stdout.mockRestore();
  }
}

let n = 0;
/** An upload whose attempts all failed: the object and its last `processing` snapshot, no history row. */
async function givenUpUpload(): Promise<{ key: string; snapshot: ImportResult }> {
  const key = `uploads/finisher/given-up-${++n}/leads.csv`;
  const importId = `6a1d2c3b-4e5f-4a7b-8c9d-0e1f2a3b4c${String(n).padStart(2, '0')}`;
  await h.s3.put(key, csvText([HEADER, validLead(1), validLead(2)]), { 'import-id': importId, 'strict-mode': 'true' });
  const snapshot = {
    import_id: importId,
    status: 'processing',
    message:
      'An attempt failed (LOCK_TIMEOUT: Timed out waiting for a database lock while importing); nothing was imported and the import will be retried.',
    error_code: 'LOCK_TIMEOUT',
    filename: 'leads.csv',
    source: { bucket: TEST_BUCKET, key, version_id: null, etag: 'x', size: 10 },
    options: { strict_mode: true },
    started_at: '2026-11-29T10:00:00.000Z',
    finished_at: null,
  } as unknown as ImportResult;
  await h.s3.put(`${key}.result.json`, JSON.stringify(snapshot));
  return { key, snapshot };
}

describe('the finisher (on-failure queue)', () => {
  it('marks an import whose retries ran out failed / RETRIES_EXHAUSTED, with the last attempt in details', async () => {
    // Prepare
    const { key, snapshot } = await givenUpUpload();
    const leadsBefore = await countLeads(h.db);
    const handler = await finisher();
    // Act
    const response = await quietly(() => handler(failedEvent(key)));
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const result = await h.s3.getJson<ImportResult>(`${key}.result.json`);
    expect(result).toMatchObject({
      import_id: snapshot.import_id,
      status: 'failed',
      error_code: 'RETRIES_EXHAUSTED',
      message: expect.stringContaining('failed 3 times (last: LOCK_TIMEOUT)'),
      options: { strict_mode: true },
      started_at: '2026-11-29T10:00:00.000Z',
      finished_at: expect.any(String),
      imported_count: 0,
      details: {
        condition: 'RetriesExhausted',
        attempts: 3,
        last_error_code: 'LOCK_TIMEOUT',
        last_error_message: 'Timed out waiting for a database lock while importing',
      },
    });
    const rows = await h.db.admin.query(
      'select id, status, error_code, result from lead_imports where source_key = $1',
      [key],
    );
    expect(rows.rows).toEqual([{ id: snapshot.import_id, status: 'failed', error_code: 'RETRIES_EXHAUSTED', result }]);
    expect(await countLeads(h.db)).toBe(leadsBefore);
  });

  it('lets the same object, sent again later, import normally', async () => {
    // Prepare: given up on, then the same bytes under the same key (same ETag) arrive again.
    const { key } = await givenUpUpload();
    await quietly(async () => (await finisher())(failedEvent(key)));
    // Act
    await quietly(() => h.handler(s3Event(TEST_BUCKET, key), lambdaContext()));
    // Assess
    const result = await h.s3.getJson<ImportResult>(`${key}.result.json`);
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 2, error_code: null });
    const rows = await h.db.admin.query('select id, status from lead_imports where source_key = $1', [key]);
    expect(rows.rows).toEqual([{ id: result!.import_id, status: 'succeeded' }]);
    expect(await countLeads(h.db, 'import_id = $1', [result!.import_id])).toBe(2);
  });

  it('is idempotent: a second delivery changes nothing', async () => {
    // Prepare
    const { key } = await givenUpUpload();
    const handler = await finisher();
    await quietly(() => handler(failedEvent(key)));
    const first = await h.s3.getText(`${key}.result.json`);
    // Act
    const response = await quietly(() => handler(failedEvent(key, 'another message')));
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await h.s3.getText(`${key}.result.json`)).toBe(first);
    expect(await countImports(h.db, 'source_key = $1', [key])).toBe(1);
  });

  it('never overwrites a final result: an import that did finish keeps it', async () => {
    // Prepare: a real import that succeeded, then a (late, duplicate) failure record for it.
    const { key, result } = await h.importCsv(csvText([HEADER, validLead(3)]));
    expect(result.status).toBe('succeeded');
    const handler = await finisher();
    // Act
    await quietly(() => handler(failedEvent(key)));
    // Assess
    expect(await h.s3.getJson<ImportResult>(`${key}.result.json`)).toEqual(result);
    const rows = await h.db.admin.query('select status, error_code from lead_imports where source_key = $1', [key]);
    expect(rows.rows).toEqual([{ status: 'succeeded', error_code: null }]);
    expect(await countLeads(h.db, 'import_id = $1', [result.import_id])).toBe(1);
  });

  it('restores a final result from the table when the result JSON still says processing', async () => {
    // Prepare: the import committed, but its result write was lost behind a processing snapshot.
    const { key, result } = await h.importCsv(csvText([HEADER, validLead(4)]));
    await h.s3.put(`${key}.result.json`, JSON.stringify({ ...result, status: 'processing', finished_at: null }));
    const handler = await finisher();
    // Act
    await quietly(() => handler(failedEvent(key)));
    // Assess: the table's copy of the result (written before COMMIT, so without the commit timing).
    const { timings_ms: _, ...stored } = result;
    expect(await h.s3.getJson<ImportResult>(`${key}.result.json`)).toMatchObject({ ...stored, status: 'succeeded' });
  });

  it('ignores a message that is not an invocation record, and reports a record it could not finish', async () => {
    // Prepare
    const { key } = await givenUpUpload();
    const event = failedEvent(key);
    const garbage = { ...event.Records[0]!, messageId: 'garbage', body: 'not json' };
    // Act: the database is unreachable for this instance, so the real record cannot be finished.
    const url = process.env.DATABASE_URL;
    vi.resetModules();
    Object.assign(process.env, { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DB_CONNECT_TIMEOUT_MS: '200' });
    const unreachable = await finisher();
    const response = await quietly(() => unreachable({ Records: [garbage, event.Records[0]!] }));
    process.env.DATABASE_URL = url;
    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] });
    expect((await h.s3.getJson<ImportResult>(`${key}.result.json`))?.status).toBe('processing');
    // Redelivered to a healthy instance, it finishes.
    vi.resetModules();
    await quietly(async () => (await finisher())(event));
    expect((await h.s3.getJson<ImportResult>(`${key}.result.json`))?.status).toBe('failed');
  });
});
