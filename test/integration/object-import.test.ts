import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '#core/contract/result';
import { readImportEnv } from '#io/import-config';
import { putJson } from '#io/s3';
import { type ImportObjectDeps, importObject } from '#service/object-import';
import { csvText, HEADER, invalidLead, validLead } from '../support/csv.ts';
import { countImports, countLeads, freshDatabase, type TestDatabase } from '../support/database.ts';
import { startTestS3, TEST_BUCKET, type TestS3 } from '../support/s3.ts';

let db: TestDatabase;
let s3: TestS3;
let importer: pg.Pool;
let deps: ImportObjectDeps;
beforeAll(async () => {
  db = await freshDatabase();
  s3 = await startTestS3();
  importer = new pg.Pool({ connectionString: db.importerUrl, max: 1 });
  importer.on('error', () => {});
  deps = { s3: s3.client, pool: async () => importer, env: readImportEnv({ PROGRESS_INTERVAL_MS: '60000' }) };
});
afterAll(async () => {
  await importer.end();
  await s3.close();
  await db.drop();
});

let n = 0;
async function upload(body: string, metadata?: Record<string, string>): Promise<string> {
  const key = `uploads/object-import/${++n}/leads.csv`;
  await s3.put(key, body, metadata);
  return key;
}

describe('importObject', () => {
  it('parses in a worker thread from THREAD_MIN_BYTES on, and on the main thread when ENGINE_WORKER is off', async () => {
    const settings: Record<string, string>[] = [
      {},
      { ENGINE_WORKER: 'off' },
      { ENGINE_WORKER: 'on', THREAD_MIN_BYTES: '1000000' },
    ];
    const engines = [];
    for (const extra of settings) {
      const key = await upload(csvText([HEADER, ...Array.from({ length: 30 }, (_, i) => validLead(i))]));
      const env = readImportEnv({ PROGRESS_INTERVAL_MS: '60000', THREAD_MIN_BYTES: '1', ...extra });
      const outcome = await importObject({ ...deps, env }, { bucket: TEST_BUCKET, key });
      expect(outcome).toMatchObject({ action: 'imported', result: { status: 'succeeded' } });
      engines.push(outcome.action === 'imported' ? outcome.engine : undefined);
    }
    expect(engines).toEqual(['worker', 'inline', 'inline']);
    // A file refused before any byte is read was parsed nowhere.
    const key = await upload(csvText([HEADER, validLead(1)]), { 'on-duplicate': 'explode' });
    const refused = await importObject(deps, { bucket: TEST_BUCKET, key });
    expect(refused).toMatchObject({ action: 'imported', engine: null, result: { error_code: 'INVALID_OPTIONS' } });
  });

  it('imports the object once and writes the result JSON and the rejected rows next to it', async () => {
    const key = await upload(csvText([HEADER, ...Array.from({ length: 19 }, (_, i) => validLead(i)), invalidLead(1)]));
    const outcome = await importObject(deps, { bucket: TEST_BUCKET, key });
    expect(outcome).toMatchObject({ action: 'imported', result: { status: 'succeeded', imported_count: 19 } });
    const result = await s3.getJson<ImportResult>(`${key}.result.json`);
    expect(result).toEqual(outcome.action === 'imported' ? outcome.result : undefined);
    expect(result?.error_report_key).toBe(`${key}.rejected.csv`);
    expect(await s3.getText(`${key}.rejected.csv`)).toMatch(/^\uFEFFrow,error,company_name,/);
  });

  it('answers a replay by restoring a final result that was left as a processing snapshot', async () => {
    const key = await upload(csvText([HEADER, validLead(1)]));
    const first = await importObject(deps, { bucket: TEST_BUCKET, key });
    if (first.action !== 'imported') throw new Error('expected an import');
    await putJson(s3.client, TEST_BUCKET, `${key}.result.json`, { ...first.result, status: 'processing' });
    const replay = await importObject(deps, { bucket: TEST_BUCKET, key });
    expect(replay).toEqual({ action: 'replayed', importId: first.result.import_id, resultRewritten: true });
    // The stored copy was recorded just before COMMIT, so it lacks only the commit timing.
    expect(await s3.getJson(`${key}.result.json`)).toEqual({ ...first.result, timings_ms: expect.any(Object) });
    expect(await countLeads(db, 'import_id = $1', [first.result.import_id])).toBe(1);
  });

  it('reports an object deleted since the event as gone, without touching the database', async () => {
    const before = await countImports(db);
    expect(await importObject(deps, { bucket: TEST_BUCKET, key: 'uploads/object-import/missing.csv' })).toEqual({
      action: 'gone',
    });
    expect(await countImports(db)).toBe(before);
  });

  it('records bad options from metadata as a failed import with INVALID_OPTIONS, without reading the file', async () => {
    const key = await upload(csvText([HEADER, validLead(2)]), { 'on-duplicate': 'merge' });
    const outcome = await importObject(deps, { bucket: TEST_BUCKET, key });
    expect(outcome).toMatchObject({ action: 'imported', result: { status: 'failed', error_code: 'INVALID_OPTIONS' } });
    expect(await s3.getJson(`${key}.result.json`)).toMatchObject({ status: 'failed', error_code: 'INVALID_OPTIONS' });
  });
});
