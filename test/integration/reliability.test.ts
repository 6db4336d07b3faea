import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImportResult } from '#core/contract/result';
import { csvText, HEADER, validLead } from '#test/csv';
import { countLeads, freshDatabase, type TestDatabase } from '#test/database';
import { lambdaContext, s3Event } from '#test/events';
import { startS3Proxy, type S3Proxy } from '#test/s3-proxy';
import { startTestS3, TEST_BUCKET, type TestS3 } from '#test/s3';
import { generateLeadCsv } from '../../scripts/lib/lead-generator.ts';

type Handler = typeof import('../../functions/import/handler.ts').handler;

let db: TestDatabase;
let s3: TestS3;
let proxy: S3Proxy;
let bigCsv: string;

beforeAll(async () => {
  db = await freshDatabase();
  s3 = await startTestS3();
  proxy = await startS3Proxy(s3.endpoint);
  bigCsv = [...generateLeadCsv({ rows: 200_000, seed: 7 })].join('');
});
afterAll(async () => {
  await proxy?.close();
  await s3?.close();
  await db?.drop();
});

/** A new Lambda instance: module state (config, pool of one connection) starts from scratch. */
async function lambdaInstance(env: Record<string, string> = {}): Promise<Handler> {
  Object.assign(
    process.env,
    {
      DATABASE_URL: db.importerUrl,
      S3_ENDPOINT: proxy.endpoint,
      DB_LOCK_TIMEOUT_MS: '5000',
      DEADLINE_MARGIN_MS: '10000',
    },
    env,
  );
  vi.resetModules();
  return (await import('../../functions/import/handler.ts')).handler;
}

let n = 0;
const uploadKey = (name = 'leads.csv') => `uploads/reliability/${++n}/${name}`;
const history = async (key: string) =>
  (await db.admin.query('select id, status, error_code, imported_count from lead_imports where source_key = $1', [key]))
    .rows;
const leadsFrom = async (key: string) =>
  countLeads(db, 'import_id in (select id from lead_imports where source_key = $1)', [key]);

/** Resolves once the importer's COPY is running on the server. */
async function copyBackend(): Promise<number> {
  for (;;) {
    const { rows } = await db.admin.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database() and application_name = 'lead-import' and query ilike 'copy leads%' and state = 'active'",
    );
    if (rows[0]) return rows[0].pid;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('exactly once', () => {
  it('ignores a replayed event: one history row, one set of leads, the first result kept', async () => {
    const handler = await lambdaInstance();
    const key = uploadKey();
    await s3.put(key, csvText([HEADER, ...Array.from({ length: 50 }, (_, i) => validLead(i))]));
    await handler(s3Event(TEST_BUCKET, key), lambdaContext());
    const first = await s3.getJson<ImportResult>(`${key}.result.json`);
    await handler(s3Event(TEST_BUCKET, key), lambdaContext());
    expect(await history(key)).toHaveLength(1);
    expect(await leadsFrom(key)).toBe(50);
    expect(await s3.getJson<ImportResult>(`${key}.result.json`)).toEqual(first);
  });

  it('imports once when two instances receive the same event at the same moment', async () => {
    const [a, b] = [await lambdaInstance(), await lambdaInstance()];
    const key = uploadKey();
    await s3.put(key, csvText([HEADER, ...Array.from({ length: 2000 }, (_, i) => validLead(i))]));
    await Promise.all([a(s3Event(TEST_BUCKET, key), lambdaContext()), b(s3Event(TEST_BUCKET, key), lambdaContext())]);
    expect(await history(key)).toEqual([expect.objectContaining({ status: 'succeeded', imported_count: 2000 })]);
    expect(await leadsFrom(key)).toBe(2000);
  });

  it('treats a new version of the same key as a new import', async () => {
    const handler = await lambdaInstance();
    const key = uploadKey();
    await s3.put(key, csvText([HEADER, validLead(1)]));
    await handler(s3Event(TEST_BUCKET, key), lambdaContext());
    await s3.put(key, csvText([HEADER, validLead(2), validLead(3)]));
    await handler(s3Event(TEST_BUCKET, key), lambdaContext());
    expect((await history(key)).map((h) => h.imported_count).sort()).toEqual([1, 2]);
  });
});

describe('infrastructure failures roll back and throw so Lambda retries', () => {
  it('survives its connection being killed mid-COPY: nothing kept, throws, the retry imports once', async () => {
    const handler = await lambdaInstance();
    const key = uploadKey();
    await s3.put(key, bigCsv);
    proxy.throttleDownloads(8 * 1024 * 1024);
    const running = handler(s3Event(TEST_BUCKET, key), lambdaContext());
    const pid = await copyBackend();
    await db.admin.query('select pg_terminate_backend($1)', [pid]);
    await expect(running).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    proxy.throttleDownloads(undefined);
    expect(await history(key)).toEqual([]);
    expect(await countLeads(db, 'company_name like $1', ['% 199999'])).toBe(0);
    await handler(s3Event(TEST_BUCKET, key), lambdaContext());
    expect(await history(key)).toEqual([expect.objectContaining({ status: 'succeeded', imported_count: 200_000 })]);
    expect(await leadsFrom(key)).toBe(200_000);
  });

  it('throws and keeps nothing when the S3 stream breaks half way', async () => {
    const handler = await lambdaInstance();
    const key = uploadKey();
    await s3.put(key, bigCsv);
    proxy.cutDownloadsAfter(/leads\.csv$/, 12 * 1024 * 1024);
    try {
      await expect(handler(s3Event(TEST_BUCKET, key), lambdaContext())).rejects.toMatchObject({
        code: 'S3_READ_ERROR',
      });
    } finally {
      proxy.cutDownloadsAfter(undefined);
    }
    expect(await history(key)).toEqual([]);
    // The poller sees an honest snapshot: still processing (a retry is coming), nothing imported.
    expect(await s3.getJson<ImportResult>(`${key}.result.json`)).toMatchObject({
      status: 'processing',
      error_code: 'S3_READ_ERROR',
      imported_count: 0,
    });
  });

  it('fails fast with the lock-timeout error while another session holds LOCK leads', async () => {
    const handler = await lambdaInstance({ DB_LOCK_TIMEOUT_MS: '500' });
    const key = uploadKey();
    await s3.put(key, csvText([HEADER, validLead(1)]));
    const locker = new pg.Client({ connectionString: db.adminUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table leads in access exclusive mode');
      await expect(handler(s3Event(TEST_BUCKET, key), lambdaContext())).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    expect(await history(key)).toEqual([]);
  });

  it('writes the result on retry after the result write failed', async () => {
    const handler = await lambdaInstance();
    const key = uploadKey();
    await s3.put(key, csvText([HEADER, validLead(1), validLead(2)]));
    proxy.failPuts(/\.result\.json$/);
    try {
      await expect(handler(s3Event(TEST_BUCKET, key), lambdaContext())).rejects.toMatchObject({
        code: 'S3_WRITE_ERROR',
      });
    } finally {
      proxy.failPuts(undefined);
    }
    expect((await s3.getJson<ImportResult>(`${key}.result.json`))?.status).not.toBe('succeeded');
    // As if the start-of-import snapshot had gone through and only the final write failed.
    await s3.put(`${key}.result.json`, JSON.stringify({ status: 'processing' }));
    await handler(s3Event(TEST_BUCKET, key), lambdaContext());
    const result = await s3.getJson<ImportResult>(`${key}.result.json`);
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 2 });
    expect(await history(key)).toHaveLength(1);
    expect(await leadsFrom(key)).toBe(2);
  });
});

describe('deadline and resources', () => {
  it('rolls back and writes a failed result with the timeout code when the deadline is 2 seconds away', async () => {
    const handler = await lambdaInstance({ DEADLINE_MARGIN_MS: '500' });
    const key = uploadKey();
    await s3.put(key, bigCsv);
    proxy.throttleDownloads(2 * 1024 * 1024);
    try {
      await handler(s3Event(TEST_BUCKET, key), lambdaContext(2000));
    } finally {
      proxy.throttleDownloads(undefined);
    }
    const result = await s3.getJson<ImportResult>(`${key}.result.json`);
    expect(result).toMatchObject({ status: 'failed', error_code: 'DEADLINE_EXCEEDED', imported_count: 0 });
    expect(await history(key)).toEqual([
      expect.objectContaining({ status: 'failed', error_code: 'DEADLINE_EXCEEDED' }),
    ]);
    expect(await leadsFrom(key)).toBe(0);
  });

  it('handles 60 early rejections in one instance without running out of sockets', async () => {
    const handler = await lambdaInstance();
    const body = 'industry,contact_email\n' + 'Retail,someone@example.com\n'.repeat(40_000);
    const keys = Array.from({ length: 60 }, () => uploadKey());
    for (const key of keys) await s3.put(key, body);
    for (const key of keys) await handler(s3Event(TEST_BUCKET, key), lambdaContext());
    const results = await Promise.all(keys.map((key) => s3.getJson<ImportResult>(`${key}.result.json`)));
    expect(results.map((r) => r?.error_code)).toEqual(keys.map(() => 'MISSING_COMPANY_COLUMN'));
  });

  it('runs 20 concurrent imports sharing e-mails with exact totals, no duplicates and no deadlocks', async () => {
    // A generous connect timeout: the whole test suite shares this PostgreSQL while 20 instances connect.
    const instances = await Promise.all(
      Array.from({ length: 20 }, () => lambdaInstance({ DB_CONNECT_TIMEOUT_MS: '30000' })),
    );
    const keys: string[] = [];
    for (let f = 0; f < 20; f++) {
      // File f holds e-mails f*5000 .. f*5000+9999: each half overlaps a neighbour.
      const rows = Array.from({ length: 10_000 }, (_, i) => {
        const id = f * 5000 + i;
        return [`Shared Co ${id}`, '', '', '', '', `lead${id}@shared.example`, '', '', `file ${f}`];
      });
      const key = uploadKey(`shared-${f}.csv`);
      keys.push(key);
      await s3.put(key, csvText([HEADER, ...rows]));
    }
    // As Lambda does, an invocation that throws (infrastructure trouble) is delivered again.
    const invoke = (handler: Handler, key: string) =>
      handler(s3Event(TEST_BUCKET, key), lambdaContext()).catch(() =>
        handler(s3Event(TEST_BUCKET, key), lambdaContext()),
      );
    await Promise.all(instances.map((handler, f) => invoke(handler, keys[f]!)));
    const results = await Promise.all(keys.map((key) => s3.getJson<ImportResult>(`${key}.result.json`)));
    expect(results.every((r) => r?.status === 'succeeded')).toBe(true);
    const imported = results.reduce((sum, r) => sum + r!.imported_count, 0);
    const duplicates = results.reduce((sum, r) => sum + r!.duplicate_count, 0);
    expect(imported).toBe(105_000);
    expect(duplicates).toBe(200_000 - 105_000);
    const { rows } = await db.admin.query(
      "select count(*)::int as leads, count(distinct lower(contact_email))::int as emails from leads where contact_email like '%@shared.example'",
    );
    expect(rows[0]).toEqual({ leads: 105_000, emails: 105_000 });
  });
});

describe('least privilege', () => {
  it('runs as a role that cannot COPY from a server file or create tables', async () => {
    const importer = new pg.Client({ connectionString: db.importerUrl });
    await importer.connect();
    try {
      await expect(importer.query("copy leads (company_name) from '/etc/hostname'")).rejects.toMatchObject({
        code: '42501',
      });
      await expect(importer.query('create table sneaky (id int)')).rejects.toMatchObject({ code: '42501' });
      await expect(importer.query('drop table leads')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await importer.end();
    }
  });
});
