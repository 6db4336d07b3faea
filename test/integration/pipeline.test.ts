import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '#core/engine/lead-engine';
import { parseImportOptions } from '#core/contract/options';
import { type ImportJob, runImport } from '#service/pipeline';
import { csvText, HEADER, validLead } from '../support/csv.ts';
import { countImports, countLeads, freshDatabase, type TestDatabase } from '../support/database.ts';

const CRASHING_WORKER = new URL('../support/workers/crashing-worker.ts', import.meta.url);

let db: TestDatabase;
let importer: pg.Pool;
beforeAll(async () => {
  db = await freshDatabase();
  importer = new pg.Pool({ connectionString: db.importerUrl, max: 2 });
  importer.on('error', () => {});
});
afterAll(async () => {
  await importer.end();
  await db.drop();
});

/** A job for `text`, as the CLI and the Lambda build one, with a fresh object identity. */
function job(text: string, extra: Partial<ImportJob> = {}): ImportJob {
  const id = randomUUID();
  const bytes = Buffer.from(text);
  return {
    importId: id,
    filename: 'leads.csv',
    source: {
      bucket: 'pipeline-test',
      key: `uploads/${id}/leads.csv`,
      version_id: null,
      etag: null,
      size: bytes.length,
    },
    version: id,
    uploader: 'pipeline-test',
    options: parseImportOptions({}),
    limits: DEFAULT_LIMITS,
    threaded: false,
    openBody: async () => {
      async function* chunks() {
        for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
      }
      return chunks();
    },
    ...extra,
  };
}

const leads = (n: number, edit: (row: string[], i: number) => void = () => {}) =>
  csvText([
    HEADER,
    ...Array.from({ length: n }, (_, i) => {
      const row = validLead(i);
      edit(row, i);
      return row;
    }),
  ]);

describe('runImport', () => {
  it('commits the leads and a succeeded history row, then answers a replay of the same object with it', async () => {
    const first = job(leads(3));
    const outcome = await runImport(importer, first);
    expect(outcome).toMatchObject({ replayed: false, result: { status: 'succeeded', imported_count: 3 } });
    expect(await countLeads(db, 'import_id = $1', [first.importId])).toBe(3);
    const replay = await runImport(importer, { ...first, importId: randomUUID() });
    expect(replay).toMatchObject({ replayed: true, importId: first.importId, result: { status: 'succeeded' } });
    expect(await countLeads(db, 'import_id = $1', [first.importId])).toBe(3);
  });

  it('records a precheck failure as a failed import without opening the file', async () => {
    let opened = false;
    const bad = job(leads(2), {
      precheck: new (await import('#core/contract/errors')).FileError('FILE_TOO_LARGE', 'too large'),
      openBody: async () => {
        opened = true;
        throw new Error('must not be opened');
      },
    });
    const outcome = await runImport(importer, bad);
    expect(outcome).toMatchObject({ replayed: false, result: { status: 'failed', error_code: 'FILE_TOO_LARGE' } });
    expect(opened).toBe(false);
    expect(await countImports(db, "id = $1 and status = 'failed'", [bad.importId])).toBe(1);
  });

  describe('a row the database refuses', () => {
    beforeAll(async () => {
      // A rule the validator does not know: the database is the last word on what it stores.
      await db.admin.query(`alter table leads add constraint no_evil check (company_name <> 'Evil Corp')`);
    });
    afterAll(async () => {
      await db.admin.query('alter table leads drop constraint no_evil');
    });

    it('fails the import with ROW_REFUSED_BY_DATABASE naming the spreadsheet row; nothing is committed', async () => {
      const refused = job(
        leads(5, (row, i) => {
          if (i === 3) row[0] = 'Evil Corp';
        }),
      );
      const { result } = (await runImport(importer, refused)) as unknown as { result: Record<string, unknown> };
      expect(result).toMatchObject({ status: 'failed', error_code: 'ROW_REFUSED_BY_DATABASE', imported_count: 0 });
      // Header is row 1, so the fourth lead (i = 3) is row 5.
      expect(result.message).toMatch(/^PostgreSQL refused row 5: .*no_evil.*Nothing was imported\.$/);
      expect(await countLeads(db, 'import_id = $1', [refused.importId])).toBe(0);
      expect(await countImports(db, "id = $1 and status = 'failed'", [refused.importId])).toBe(1);
    });

    for (const threaded of [true, false]) {
      it(`maps the line back to its row deep in a large file read ${threaded ? 'by the worker' : 'inline'}, past invalid and blank rows`, async () => {
        const rows = 60_000;
        const text = leads(rows, (row, i) => {
          if (i % 1000 === 7) row[5] = 'not-an-email';
          if (i === 45_678) row[0] = 'Evil Corp';
        }).replace('\n', '\n\n'); // a blank row 2 shifts every row number by one
        const refused = job(text, { threaded });
        const { result } = (await runImport(importer, refused)) as unknown as { result: Record<string, unknown> };
        expect(result).toMatchObject({ status: 'failed', error_code: 'ROW_REFUSED_BY_DATABASE' });
        expect(result.message).toMatch(/^PostgreSQL refused row 45681: /);
        expect(await countLeads(db, 'import_id = $1', [refused.importId])).toBe(0);
      });
    }
  });

  describe('an engine worker that crashes', () => {
    const big = leads(20_000);
    for (const mode of ['throw', 'exit'] as const) {
      it(`fails the import with ENGINE_FAILED when the worker ${mode}s mid-file; nothing is committed`, async () => {
        process.env.CRASHING_WORKER_MODE = mode;
        const crashing = job(big, { threaded: true, workerEntry: CRASHING_WORKER });
        const { result } = (await runImport(importer, crashing)) as unknown as { result: Record<string, unknown> };
        expect(result).toMatchObject({ status: 'failed', error_code: 'ENGINE_FAILED', imported_count: 0 });
        expect(result.message).toMatch(mode === 'exit' ? /exited with code 3/ : /simulated engine bug/);
        expect(await countLeads(db, 'import_id = $1', [crashing.importId])).toBe(0);
        expect(await countImports(db, "id = $1 and status = 'failed'", [crashing.importId])).toBe(1);
      });
    }
  });
});
