import { spawnSync } from 'node:child_process';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { ImportResult } from '#core/contract/result';
import { readApiEnv } from '#io/api-config';
import { withDatabase } from '../../scripts/lib/postgres-server.ts';
import { apiDeps, createApiHandler, type ApiHandler } from '../../functions/api/handler.ts';
import { apiEvent } from '#test/api-events';
import { csvText, HEADER, invalidLead, validLead } from '#test/csv';
import { countLeads } from '#test/database';
import { useImportHandler } from '#test/import-harness';
import { TEST_BUCKET } from '#test/s3';

const h = useImportHandler('api');
let api: ApiHandler;
let apiPool: pg.Pool | undefined;

beforeAll(() => {
  // The API runs as its least-privilege role, as the function does in AWS.
  const deps = apiDeps(readApiEnv({ DATABASE_URL: h.db.apiUrl, BUCKET_NAME: TEST_BUCKET, S3_ENDPOINT: h.s3.endpoint }));
  const pool = deps.pool;
  deps.pool = async () => (apiPool = await pool());
  api = createApiHandler(deps);
});
afterAll(async () => {
  await apiPool?.end();
});

interface Reply {
  status: number;
  headers: Record<string, unknown>;
  body: Record<string, unknown>;
}
async function call(method: string, path: string, sub: string | null, query?: Record<string, string>): Promise<Reply> {
  const out = (await api(
    apiEvent(method, path, { sub, ...(query ? { query } : {}) }),
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: out.statusCode!,
    headers: out.headers ?? {},
    body: JSON.parse(out.body!) as Record<string, unknown>,
  };
}
const list = (sub: string, query?: Record<string, string>) => call('GET', '/imports', sub, query);
const show = (sub: string, id: string) => call('GET', `/imports/${id}`, sub);
const revert = (sub: string, id: string) => call('POST', `/imports/${id}/revert`, sub);

type Lead = Partial<Record<(typeof HEADER)[number], string>>;
const leadsCsv = (leads: Lead[]) => csvText([HEADER, ...leads.map((l) => HEADER.map((c) => l[c as keyof Lead] ?? ''))]);

/** An import through the real S3 event path, owned by `uploader` (as the grant's signed metadata says). */
async function importAs(
  uploader: string | null,
  body: string,
  metadata: Record<string, string> = {},
): Promise<ImportResult> {
  const { result } = await h.importCsv(body, uploader === null ? metadata : { ...metadata, uploader });
  return result;
}

const smallFile = (n = 1) => csvText([HEADER, ...Array.from({ length: n }, (_, i) => validLead(i))]);

/** Every lead, every column, exactly as stored. */
async function leadRows(db: pg.Pool): Promise<unknown[]> {
  const { rows } = await db.query<{ row: unknown }>('select to_jsonb(l) as row from leads l order by id');
  return rows.map((r) => r.row);
}

let tag = 0;
const email = (name: string) => `${name}.${++tag}@example.com`;

describe('GET /imports', () => {
  it('pages through 45 imports newest first with a cursor while new imports arrive between pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) {
      ids.push((await importAs('pager', smallFile())).import_id);
      if (i % 10 === 0) await importAs('someone-else', smallFile());
    }
    const newestFirst = [...ids].reverse();

    const seen: string[] = [];
    const arrived: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const res = await list('pager', { limit: '20', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      const page = res.body.imports as { import_id: string }[];
      seen.push(...page.map((r) => r.import_id));
      cursor = res.body.next_cursor as string | null;
      pages++;
      // New imports land between pages; they sort before the cursor, so later pages neither repeat nor skip.
      for (let i = 0; i < 3; i++) arrived.push((await importAs('pager', smallFile())).import_id);
    } while (cursor !== null);

    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);
    const first = await list('pager', { limit: '100' });
    expect((first.body.imports as { import_id: string }[]).map((r) => r.import_id)).toEqual([
      ...arrived.reverse(),
      ...newestFirst,
    ]);
    expect(first.body.next_cursor).toBeNull();
  });

  it('answers each import with its file name, status, times and counts, 20 by default', async () => {
    const failing = await importAs('counter', leadsCsv([{ company_name: 'A', contact_email: email('a') }, {}]));
    const { rows } = await h.db.admin.query('select started_at, finished_at from lead_imports where id = $1', [
      failing.import_id,
    ]);
    const res = await list('counter');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      imports: [
        {
          import_id: failing.import_id,
          filename: 'leads.csv',
          status: failing.status,
          dry_run: false,
          started_at: rows[0].started_at.toISOString(),
          finished_at: rows[0].finished_at.toISOString(),
          total_leads: failing.total_leads,
          imported_count: failing.imported_count,
          updated_count: 0,
          duplicate_count: 0,
          failed_count: failing.failed_count,
          error_code: failing.error_code,
          reverted_at: null,
        },
      ],
      next_cursor: null,
    });
    for (let i = 0; i < 21; i++) await importAs('many', smallFile());
    const page = await list('many');
    expect((page.body.imports as unknown[]).length).toBe(20);
    expect(page.body.next_cursor).toEqual(expect.any(String));
  });

  it('refuses a bad limit or cursor with 400', async () => {
    for (const limit of ['0', '101', '-1', '2.5', 'ten', '']) {
      const res = await list('pager', { limit });
      expect(res, limit).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
    }
    const forged = Buffer.from(JSON.stringify(["2026-01-01'; drop table leads; --", 'x'])).toString('base64url');
    for (const cursor of ['not a cursor', forged, 'e30']) {
      const res = await list('pager', { cursor });
      expect(res, cursor).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
    }
  });

  it('shows nobody the imports dropped into the bucket without an uploader', async () => {
    const orphan = await importAs(null, smallFile());
    expect(orphan.status).toBe('succeeded');
    for (const sub of ['pager', 'counter', 'local-user']) {
      expect(JSON.stringify((await list(sub, { limit: '100' })).body)).not.toContain(orphan.import_id);
      expect((await show(sub, orphan.import_id)).status).toBe(404);
    }
  });
});

describe('GET /imports/{id}', () => {
  it('answers the stored result and fresh presigned URLs for the result and the rejected rows', async () => {
    const rows = [
      validLead(1),
      validLead(2),
      invalidLead(3),
      ...Array.from({ length: 17 }, (_, i) => validLead(i + 4)),
    ];
    const result = await importAs('viewer', csvText([HEADER, ...rows]));
    expect(result).toMatchObject({ status: 'succeeded', failed_count: 1 });

    const res = await show('viewer', result.import_id);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      import_id: result.import_id,
      status: 'succeeded',
      failed_count: 1,
      result,
      result_url: expect.stringContaining(h.s3.endpoint),
      error_report_url: expect.stringContaining(h.s3.endpoint),
    });
    // The URLs work for a client without bucket rights (plain fetch, no credentials).
    const fromUrl = await (await fetch(res.body.result_url as string)).json();
    expect(fromUrl).toEqual(result);
    const rejected = await (await fetch(res.body.error_report_url as string)).text();
    expect(rejected).toContain(result.error_details[0]!.message);
  });

  it('marks a dry run as one in the list and the detail, and refuses its revert', async () => {
    // Prepare
    const dry = await importAs('checker', smallFile(2), { 'dry-run': 'true' });
    const real = await importAs('checker', smallFile(2));
    // Act
    const lines = (await list('checker')).body.imports as { import_id: string; dry_run: boolean }[];
    const detail = await show('checker', dry.import_id);
    const refused = await revert('checker', dry.import_id);
    // Assess
    expect(lines.map((l) => [l.import_id, l.dry_run])).toEqual([
      [real.import_id, false],
      [dry.import_id, true],
    ]);
    expect(detail.body).toMatchObject({ dry_run: true, status: 'succeeded', imported_count: 2 });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'REVERT_REFUSED', refused: 'DRY_RUN' } } });
  });

  it('has no rejected-rows URL when no row failed', async () => {
    const result = await importAs('viewer', smallFile(2));
    expect((await show('viewer', result.import_id)).body).toMatchObject({ error_report_url: null, result });
  });

  it('answers the copy in the database, without URLs, once the result file has expired', async () => {
    const { key, result } = await h.importCsv(smallFile(2), { uploader: 'viewer' });
    await h.s3.client.send(new DeleteObjectCommand({ Bucket: TEST_BUCKET, Key: `${key}.result.json` }));
    const res = await show('viewer', result.import_id);
    const { timings_ms: _, ...withoutTimings } = result;
    expect(res.body).toMatchObject({
      result: withoutTimings,
      result_url: null,
      error_report_url: null,
      urls_expire_at: null,
    });
  });
});

describe("another caller's import reads exactly like a missing one", () => {
  it('answers 404 on get and revert, changes nothing, and 400 for a malformed id', async () => {
    const mine = await importAs('alice', smallFile(3));
    const missing = '5b0c9b8e-1d2f-4a3b-8c4d-5e6f7a8b9c0d';
    const before = await leadRows(h.db.admin);

    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/revert'],
    ] as const) {
      const other = await call(method, `/imports/${mine.import_id}${suffix}`, 'bob');
      const none = await call(method, `/imports/${missing}${suffix}`, 'bob');
      expect(other.status).toBe(404);
      expect(JSON.stringify(other.body).replaceAll(mine.import_id, missing)).toBe(JSON.stringify(none.body));
      expect(JSON.stringify(other.headers)).toBe(JSON.stringify(none.headers));
    }
    expect(await leadRows(h.db.admin)).toEqual(before);
    expect((await show('alice', mine.import_id)).body).toMatchObject({ status: 'succeeded' });

    for (const bad of ['not-a-uuid', '5b0c9b8e-1d2f-4a3b-8c4d-5e6f7a8b9c0dx', "1' or '1'='1"]) {
      const id = encodeURIComponent(bad);
      expect((await show('alice', id)).body).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
      expect((await revert('alice', id)).status).toBe(400);
    }
  });

  it('answers 401 without a caller and 405 for a wrong method', async () => {
    expect(await call('GET', '/imports', null)).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED' } },
    });
    const wrong = await call('DELETE', '/imports/5b0c9b8e-1d2f-4a3b-8c4d-5e6f7a8b9c0d', 'alice');
    expect(wrong).toMatchObject({
      status: 405,
      headers: { allow: 'GET' },
      body: { error: { code: 'METHOD_NOT_ALLOWED' } },
    });
  });
});

describe('POST /imports/{id}/revert', () => {
  it('equals `npm run imports -- revert` byte for byte on leads created and updated by an update import', async () => {
    const [e1, e2, e3] = [email('one'), email('two'), email('three')];
    await importAs(
      'reverter',
      leadsCsv([
        {
          company_name: 'Ünïcode GmbH',
          contact_email: e1,
          notes: 'line one\nline "two" 🚀',
          company_website: 'example.com/a',
        },
        { company_name: 'Plain Co', contact_email: e2, contact_phone: '(212) 555-0143' },
        { company_name: 'Untouched Co', contact_email: e3 },
      ]),
    );
    const before = await leadRows(h.db.admin);
    const update = await importAs(
      'reverter',
      leadsCsv([
        { company_name: 'ignored', contact_email: e1.toUpperCase(), industry: 'Software', notes: 'replaced ✗' },
        { company_name: 'x', contact_email: e2, contact_name: 'Zoë', contact_phone: '+1 415 555 0100' },
        { company_name: 'Brand New Co', contact_email: email('created'), notes: 'created by the update' },
      ]),
      { 'on-duplicate': 'update' },
    );
    expect(update).toMatchObject({ status: 'succeeded', imported_count: 1, updated_count: 2 });

    // The same database twice: the API reverts one copy, the CLI the other.
    const copy = await cloneDatabase(h.db.name);
    try {
      const viaApi = await revert('reverter', update.import_id);
      const cli = spawnSync('npx', ['tsx', 'scripts/imports.ts', 'revert', update.import_id], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: copy.url },
      });
      expect(cli.status, cli.stderr).toBe(0);

      expect(viaApi.status).toBe(200);
      expect(viaApi.body).toEqual(JSON.parse(cli.stdout));
      expect(viaApi.body).toMatchObject({ status: 'reverted', removed_leads: 1, restored_leads: 2 });
      const apiLeads = await leadRows(h.db.admin);
      expect(apiLeads).toEqual(await leadRows(copy.pool));
      expect(JSON.stringify(apiLeads)).toBe(JSON.stringify(await leadRows(copy.pool)));
      expect(apiLeads).toEqual(before);
      const bookkeeping = 'select id, status, (reverted_at is not null) as reverted from lead_imports order by id';
      expect((await h.db.admin.query(bookkeeping)).rows).toEqual((await copy.pool.query(bookkeeping)).rows);
      const changes = 'select * from lead_changes order by import_id, lead_id';
      expect((await h.db.admin.query(changes)).rows).toEqual((await copy.pool.query(changes)).rows);
    } finally {
      await copy.drop();
    }
  });

  it('answers 409, changing nothing, when a later import changed the same leads; a second revert is a no-op', async () => {
    const shared = email('shared');
    const first = await importAs('carol', leadsCsv([{ company_name: 'First Co', contact_email: shared }]));
    const later = await importAs('carol', leadsCsv([{ company_name: 'x', contact_email: shared, notes: 'later' }]), {
      'on-duplicate': 'update',
    });
    expect(later.updated_count).toBe(1);
    const before = await leadRows(h.db.admin);

    const refused = await revert('carol', first.import_id);

    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error: {
        code: 'REVERT_REFUSED',
        message: expect.stringContaining(`your later import ${later.import_id}`),
        import_id: first.import_id,
        refused: 'LATER_IMPORT_CHANGED_LEADS',
        conflict_count: 1,
        conflicts: [{ lead_id: expect.any(Number), import_id: later.import_id }],
      },
    });
    expect(await leadRows(h.db.admin)).toEqual(before);

    // Newest first works; then the second call changes nothing and says so.
    const undone = await revert('carol', later.import_id);
    expect(undone).toMatchObject({ status: 200, body: { status: 'reverted', removed_leads: 0, restored_leads: 1 } });
    const afterFirst = await revert('carol', first.import_id);
    expect(afterFirst).toMatchObject({ status: 200, body: { status: 'reverted', removed_leads: 1 } });
    const reverted = await leadRows(h.db.admin);
    const again = await revert('carol', first.import_id);
    expect(again).toMatchObject({
      status: 200,
      body: { import_id: first.import_id, status: 'reverted', removed_leads: 0, restored_leads: 0 },
    });
    expect(again.body.message).toContain('already reverted');
    expect(await leadRows(h.db.admin)).toEqual(reverted);
    expect(await countLeads(h.db, 'import_id = $1', [first.import_id])).toBe(0);
    expect((await list('carol')).body.imports).toEqual([
      expect.objectContaining({ import_id: later.import_id, status: 'reverted', reverted_at: expect.any(String) }),
      expect.objectContaining({ import_id: first.import_id, status: 'reverted', reverted_at: expect.any(String) }),
    ]);
  });

  it("does not name another caller's later import in a refusal", async () => {
    const shared = email('shared');
    const dave = await importAs('dave', leadsCsv([{ company_name: 'Dave Co', contact_email: shared }]));
    const erin = await importAs('erin', leadsCsv([{ company_name: 'x', contact_email: shared, notes: 'erin' }]), {
      'on-duplicate': 'update',
    });
    const refused = await revert('dave', dave.import_id);
    expect(refused).toMatchObject({
      status: 409,
      body: { error: { conflict_count: 1, conflicts: [{ lead_id: expect.any(Number), import_id: null }] } },
    });
    expect(JSON.stringify(refused.body)).not.toContain(erin.import_id);
    expect((refused.body.error as { message: string }).message).toContain("another uploader's later imports");
  });

  it('answers 200 with nothing to revert for a rejected import', async () => {
    const rejected = await importAs('frank', leadsCsv([{ contact_email: email('x') }]), { 'strict-mode': 'true' });
    expect(rejected.status).toBe('rejected');
    expect(await revert('frank', rejected.import_id)).toMatchObject({
      status: 200,
      body: { status: 'rejected', removed_leads: 0, restored_leads: 0 },
    });
  });
});

describe('the API role', () => {
  it('can read the history and revert, and nothing more', async () => {
    const role = new pg.Client({ connectionString: h.db.apiUrl });
    await role.connect();
    try {
      for (const sql of [
        `insert into leads (company_name) values ('x')`,
        `update leads set import_id = null`,
        `update leads set created_at = now()`,
        `insert into lead_imports (id, source_bucket, source_key, source_version, filename, status) values (gen_random_uuid(), 'b', 'k', 'v', 'f', 'failed')`,
        `update lead_imports set uploader = 'someone'`,
        `delete from lead_imports`,
        `insert into lead_changes (import_id, lead_id, source_row, previous) values (gen_random_uuid(), 1, 1, '{}')`,
        `create table api_was_here (id int)`,
      ]) {
        await expect(role.query(sql), sql).rejects.toMatchObject({ code: expect.stringMatching(/^42501$/) });
      }
    } finally {
      await role.end();
    }
  });
});

/** A copy of the test database (its connections are closed first: PostgreSQL copies only an idle database). */
async function cloneDatabase(name: string): Promise<{ url: string; pool: pg.Pool; drop: () => Promise<void> }> {
  const serverUrl = inject('pgAdminUrl');
  const server = new pg.Client({ connectionString: serverUrl });
  await server.connect();
  const copy = `${name}_copy`;
  try {
    await server.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
    await server.query(`create database ${copy} template ${name}`);
  } finally {
    await server.end();
  }
  const url = withDatabase(serverUrl, copy);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${copy} with (force)`);
      await c.end();
    },
  };
}
