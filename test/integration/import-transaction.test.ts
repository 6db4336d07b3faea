import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deadline } from '#core/contract/deadline';
import { InfraError } from '#core/contract/errors';
import { parseImportOptions } from '#core/contract/options';
import { buildResult } from '#core/contract/result';
import { LEADS_WRITE_LOCK } from '#io/duplicate-check';
import type { ImportClaim } from '#io/import-claim';
import { withImportTransaction } from '#io/import-transaction';
import { inTransaction } from '#io/transaction';
import { countImports, countLeads, freshDatabase, type TestDatabase } from '../support/database.ts';
import { copyRowBytes } from '../support/copy-rows.ts';
import { expectImportError } from '../support/expect-error.ts';

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

const claimFor = (importId = randomUUID()): ImportClaim => ({
  importId,
  bucket: 'tx-test',
  key: `uploads/${importId}/leads.csv`,
  version: importId,
  filename: 'leads.csv',
  size: 10,
  uploader: null,
  options: parseImportOptions({}),
});

/** One lead as COPY BINARY: a company and its e-mail. */
const copyLine = (importId: string, company: string, row: number) =>
  copyRowBytes(importId, row, [company, null, null, null, null, `${company.toLowerCase()}@example.com`, ...nulls(6)]);
const nulls = (n: number) => Array<null>(n).fill(null);

const EMAIL_CHECK = [{ key: 'email', noRepeatsInside: false }] as const;

async function* once(...rows: Buffer[]) {
  yield { bytes: Buffer.concat(rows), linesSoFar: rows.length };
}

const result = (importId: string, status: 'succeeded' | 'failed') =>
  buildResult({
    importId,
    status,
    filename: 'leads.csv',
    source: { bucket: 'tx-test', key: 'k', version_id: null, etag: null, size: 1 },
    options: parseImportOptions({}),
    startedAt: new Date(),
    finishedAt: new Date(),
  });

describe('inTransaction', () => {
  it('commits when the work returns', async () => {
    const id = randomUUID();
    await inTransaction(importer, 'testing', async (client) => {
      await client.query(
        `insert into lead_imports (id, source_bucket, source_key, source_version, filename, status, options) values ($1::uuid, 'b', $1::text, 'v', 'f', 'failed', '{}')`,
        [id],
      );
    });
    expect(await countImports(db, 'id = $1', [id])).toBe(1);
  });

  it('rolls back when the work throws, passes our own errors through and maps pg errors', async () => {
    const id = randomUUID();
    const thrown = await inTransaction(importer, 'testing', async (client) => {
      await client.query(
        `insert into lead_imports (id, source_bucket, source_key, source_version, filename, status, options) values ($1::uuid, 'b', $1::text, 'v', 'f', 'failed', '{}')`,
        [id],
      );
      throw new InfraError('S3_READ_ERROR', 'boom');
    }).catch((e: unknown) => e);
    expectImportError(thrown, 'S3_READ_ERROR');
    expect(await countImports(db, 'id = $1', [id])).toBe(0);
    const mapped = await inTransaction(importer, 'selecting nonsense', (client) => client.query('select nope')).catch(
      (e: unknown) => e,
    );
    expectImportError(mapped, 'DATABASE_ERROR', { message: ['while selecting nonsense', 'SQLSTATE 42703'] });
  });
});

describe('ImportTransaction', () => {
  it('claims once: a second claim of the same object after commit returns the first', async () => {
    const claim = claimFor();
    const first = await withImportTransaction(importer, new Deadline(), (tx) => tx.claim(claim));
    expect(first).toEqual({ claimed: true, importId: claim.importId });
    const second = await withImportTransaction(importer, new Deadline(), (tx) =>
      tx.claim({ ...claim, importId: randomUUID() }),
    );
    expect(second).toMatchObject({ claimed: false, existing: { id: claim.importId, status: 'processing' } });
  });

  it('copies, then discardLeads keeps the history row and the outcome but no lead', async () => {
    const claim = claimFor();
    await withImportTransaction(importer, new Deadline(), async (tx) => {
      await tx.claim(claim);
      await tx.openLeads(claim.importId);
      expect(await tx.copy(once(copyLine(claim.importId, 'Acme', 2), copyLine(claim.importId, 'Beta', 3)))).toBe(2);
      await tx.discardLeads();
      await tx.recordOutcome(result(claim.importId, 'failed'));
    });
    expect(await countLeads(db, 'import_id = $1', [claim.importId])).toBe(0);
    expect(await countImports(db, "id = $1 and status = 'failed'", [claim.importId])).toBe(1);
  });

  it('commits copied leads and resolves duplicates inside the file', async () => {
    const claim = claimFor();
    const outcome = await withImportTransaction(importer, new Deadline(), async (tx) => {
      await tx.claim(claim);
      await tx.openLeads(claim.importId);
      const copied = await tx.copy(once(copyLine(claim.importId, 'Gamma', 2), copyLine(claim.importId, 'Gamma', 3)));
      const duplicates = await tx.resolveDuplicates(copied, 'skip', 10, EMAIL_CHECK);
      await tx.recordOutcome(result(claim.importId, 'succeeded'));
      return duplicates;
    });
    expect(outcome).toMatchObject({ duplicate_count: 1, duplicates: [{ row: 3, duplicate_of_row: 2 }] });
    expect(await countLeads(db, 'import_id = $1', [claim.importId])).toBe(1);
  });

  it('turns a statement that outlives the deadline into DEADLINE_EXCEEDED and rolls everything back', async () => {
    const claim = claimFor();
    const holder = await db.admin.connect();
    try {
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock($1)', [LEADS_WRITE_LOCK]);
      const start = Date.now();
      const deadline = new Deadline(() => 800 - (Date.now() - start));
      const thrown = await withImportTransaction(importer, deadline, async (tx) => {
        await tx.claim(claim);
        await tx.openLeads(claim.importId);
        const copied = await tx.copy(once(copyLine(claim.importId, 'Delta', 2)));
        return tx.resolveDuplicates(copied, 'skip', 10, EMAIL_CHECK);
      }).catch((e: unknown) => e);
      deadline.dispose();
      expectImportError(thrown, 'DEADLINE_EXCEEDED');
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    expect(await countImports(db, 'id = $1', [claim.importId])).toBe(0);
    expect(await countLeads(db, 'import_id = $1', [claim.importId])).toBe(0);
  });

  it('aborts a COPY whose source stalls past the deadline', async () => {
    const claim = claimFor();
    const deadline = new Deadline(() => 300);
    async function* stalled() {
      yield { bytes: copyLine(claim.importId, 'Epsilon', 2), linesSoFar: 1 };
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
    const thrown = await withImportTransaction(importer, deadline, async (tx) => {
      await tx.claim(claim);
      await tx.openLeads(claim.importId);
      return tx.copy(stalled());
    }).catch((e: unknown) => e);
    deadline.dispose();
    expectImportError(thrown, 'DEADLINE_EXCEEDED');
    expect(await countImports(db, 'id = $1', [claim.importId])).toBe(0);
  });
});
