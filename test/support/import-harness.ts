import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_LIMITS } from '#core/engine/lead-engine';
import { parseImportOptions, type ImportOptionsInput } from '#core/contract/options';
import type { ImportResult } from '#core/contract/result';
import { importFile } from '#service/file-import';
import { freshDatabase, type TestDatabase } from './database.ts';
import { lambdaContext, s3Event } from './events.ts';
import { startTestS3, TEST_BUCKET, type TestS3 } from './s3.ts';

type Handler = typeof import('../../functions/import/handler.ts').handler;

export interface HandlerHarness {
  db: TestDatabase;
  s3: TestS3;
  handler: Handler;
  /** Uploads `body` to a new key under uploads/<prefix>/, sends its S3 event, returns key and result JSON. */
  importCsv: (
    body: string | Buffer,
    metadata?: Record<string, string>,
    name?: string,
  ) => Promise<{ key: string; result: ImportResult }>;
}

/**
 * One fresh database and one local S3 server for a test file, and the import handler configured for
 * them (as the least-privilege importer role). Fields are filled in by the file's beforeAll.
 */
export function useImportHandler(prefix: string, env: Record<string, string> = {}): HandlerHarness {
  const harness = {} as HandlerHarness;
  let n = 0;
  beforeAll(async () => {
    harness.db = await freshDatabase();
    harness.s3 = await startTestS3();
    Object.assign(process.env, { DATABASE_URL: harness.db.importerUrl, S3_ENDPOINT: harness.s3.endpoint }, env);
    harness.handler = (await import('../../functions/import/handler.ts')).handler;
  });
  afterAll(async () => {
    await harness.s3?.close();
    await harness.db?.drop();
  });
  harness.importCsv = async (body, metadata, name = 'leads.csv') => {
    const key = `uploads/${prefix}/${++n}/${name}`;
    await harness.s3.put(key, body, metadata);
    await harness.handler(s3Event(TEST_BUCKET, key), lambdaContext());
    const result = await harness.s3.getJson<ImportResult>(`${key}.result.json`);
    if (!result) throw new Error(`no result JSON next to ${key}`);
    return { key, result };
  };
  return harness;
}

export interface FileImportHarness {
  db: TestDatabase;
  /** The importer's least-privilege pool, as runImport uses it. */
  importer: pg.Pool;
  /** A temporary directory for CSV files, removed afterwards. */
  dir: string;
  /** Writes `text` to a CSV in `dir` and imports it as the importer role, the path `npm run import` takes. */
  importText: (text: string, options?: ImportOptionsInput, name?: string) => Promise<ImportResult>;
  /** Runs the real `npm run imports` CLI in a child process against the test database. */
  cli: (...args: string[]) => { status: number | null; stdout: string; stderr: string };
}

/** A fresh database, an importer pool and a scratch directory for tests that import files directly. */
export function useFileImports(prefix: string): FileImportHarness {
  const harness = {} as FileImportHarness;
  beforeAll(async () => {
    harness.db = await freshDatabase();
    harness.importer = new pg.Pool({ connectionString: harness.db.importerUrl, max: 2 });
    harness.importer.on('error', () => {});
    harness.dir = await mkdtemp(join(tmpdir(), `lead-${prefix}-`));
  });
  let files = 0;
  harness.importText = async (text, options = {}, name = `leads-${++files}.csv`) => {
    const path = join(harness.dir, name);
    await writeFile(path, text);
    return importFile(harness.importer, path, parseImportOptions(options), DEFAULT_LIMITS, Number.MAX_SAFE_INTEGER);
  };
  harness.cli = (...args) => {
    const run = spawnSync('npx', ['tsx', 'scripts/imports.ts', ...args], {
      cwd: process.cwd(),
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: harness.db.adminUrl },
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  afterAll(async () => {
    await harness.importer?.end();
    await harness.db?.drop();
    if (harness.dir) await rm(harness.dir, { recursive: true, force: true });
  });
  return harness;
}
