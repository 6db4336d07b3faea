import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImportResult } from '#core/contract/result';
import { csvText, HEADER, validLead } from '#test/csv';
import { countImports, countLeads, freshDatabase, type TestDatabase } from '#test/database';
import { startLocalStack, type LocalStack } from '../../scripts/lib/local-stack/index.ts';
import { requestGrant, upload } from './stack-client.ts';

let db: TestDatabase;
let stack: LocalStack;
const logged: string[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  // Short waits so three attempts take about a second, not minutes.
  process.env.DB_LOCK_TIMEOUT_MS = '300';
  // The stack logs each failed attempt; keep them for the assertions instead of printing them.
  vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
    logged.push(String(line));
    return true;
  });
  stack = await startLocalStack({ databaseUrl: db.adminUrl, retryDelayMs: 200, uploadPage: false });
});
afterAll(async () => {
  await stack?.close();
  await db?.drop();
  vi.restoreAllMocks();
});

/** Every status the result URL shows, in order (repeats collapsed), until one is final. */
async function followResult(url: string, timeoutMs = 60_000): Promise<{ seen: string[]; result: ImportResult }> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    const text = res?.status === 200 ? await res.text().catch(() => '') : '';
    let result: ImportResult | undefined;
    try {
      result = text ? (JSON.parse(text) as ImportResult) : undefined;
    } catch {
      result = undefined;
    }
    if (result && seen.at(-1) !== result.status) seen.push(result.status);
    if (result && result.status !== 'processing') return { seen, result };
    if (Date.now() > deadline) throw new Error(`no final result at ${url}; seen ${seen.join(', ')}`);
    await sleep(50);
  }
}

describe('local stack: an import every attempt of which fails', () => {
  it('goes processing, then failed / RETRIES_EXHAUSTED after three attempts, with nothing imported', async () => {
    // Prepare: another session holds an exclusive lock on leads for the whole time.
    const locker = new pg.Client({ connectionString: db.adminUrl });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table leads in access exclusive mode');
    const csv = csvText([HEADER, validLead(1), validLead(2)]);
    const grant = await requestGrant(stack, 'locked.csv', Buffer.byteLength(csv));
    try {
      const before = stack.importInvocations();
      // Act
      expect((await upload(grant, csv)).status).toBe(200);
      const { seen, result } = await followResult(grant.result_url);
      await stack.idle();
      // Assess
      expect(seen).toEqual(['processing', 'failed']);
      expect(result).toMatchObject({
        import_id: grant.import_id,
        status: 'failed',
        error_code: 'RETRIES_EXHAUSTED',
        imported_count: 0,
        details: { condition: 'RetriesExhausted', attempts: 3, last_error_code: 'LOCK_TIMEOUT' },
      });
      expect(stack.importInvocations() - before).toBe(3);
      expect(logged.filter((line) => line.includes(`${grant.key} failed (attempt`))).toHaveLength(3);
      const { rows } = await db.admin.query('select status, error_code from lead_imports where source_key = $1', [
        grant.key,
      ]);
      expect(rows).toEqual([{ status: 'failed', error_code: 'RETRIES_EXHAUSTED' }]);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    // leads is readable again only now.
    expect(await countLeads(db, 'import_id = $1', [grant.import_id])).toBe(0);
    expect(await countImports(db, "status = 'succeeded'")).toBe(0);
  });
});
