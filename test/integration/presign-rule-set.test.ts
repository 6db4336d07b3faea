import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '#io/database';
import { readPresignEnv } from '#io/presign-config';
import { deleteRuleSet, putRuleSet, ruleSetExists, ruleSetLookup } from '#io/rule-set-store';
import { freshDatabase, type TestDatabase } from '#test/database';
import { httpEvent } from '#test/events';
import { EVERY_KIND } from '#test/rule-sets';
import { createHandler, type PresignHandler } from '../../functions/presign/handler.ts';

let db: TestDatabase;
let presignPool: pg.Pool;
let handler: PresignHandler;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFDEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_SESSION_TOKEN;
  db = await freshDatabase();
  // The lookup runs as the presign function's least-privilege role, as in AWS.
  presignPool = createPool({ connectionString: db.presignUrl });
  handler = createHandler(readPresignEnv({ BUCKET_NAME: 'lead-uploads' }), {
    ruleSetExists: ruleSetLookup(async () => presignPool),
  });
  await putRuleSet(db.admin, 'alice', 'emea-sales', EVERY_KIND);
  await putRuleSet(db.admin, 'alice', 'retired', EVERY_KIND);
  await deleteRuleSet(db.admin, 'alice', 'retired');
});
afterAll(async () => {
  await presignPool?.end();
  await db?.drop();
});

async function grant(sub: string, ruleSet: string, h = handler) {
  const event = httpEvent('http-post-uploads.json');
  event.body = JSON.stringify({ filename: 'leads.csv', size: 10, options: { rule_set: ruleSet } });
  (event.requestContext as unknown as { authorizer: { jwt: { claims: { sub: string } } } }).authorizer.jwt.claims.sub =
    sub;
  const out = (await h(event)) as APIGatewayProxyStructuredResultV2;
  return { status: out.statusCode!, body: JSON.parse(out.body!) as Record<string, unknown> };
}

const notFound = (name: string) => ({
  status: 400,
  body: {
    error: {
      code: 'RULE_SET_NOT_FOUND',
      message: `You have no rule set named ${name}. Create it with PUT /rule-sets/${name} or choose another.`,
    },
  },
});

describe('the grant checks rule_set against PostgreSQL', () => {
  it("grants with the caller's own rule set", async () => {
    const res = await grant('alice', 'emea-sales');
    expect(res.status).toBe(201);
    expect(JSON.stringify(res.body)).toContain('"x-amz-meta-rule-set":"emea-sales"');
  });

  it('refuses an unknown name and a deleted one with 400 RULE_SET_NOT_FOUND', async () => {
    expect(await grant('alice', 'nobody-has-this')).toEqual(notFound('nobody-has-this'));
    expect(await grant('alice', 'retired')).toEqual(notFound('retired'));
  });

  it("refuses another caller's rule set exactly as a missing one", async () => {
    expect(await grant('bob', 'emea-sales')).toEqual(notFound('emea-sales'));
  });

  it('answers 503 when PostgreSQL cannot be reached', async () => {
    const down = createHandler(
      readPresignEnv({ BUCKET_NAME: 'lead-uploads', DATABASE_URL: 'postgres://x@127.0.0.1:1/x' }),
    );
    const res = await grant('alice', 'emea-sales', down);
    expect(res).toMatchObject({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE' } } });
  });
});

/** The SQLSTATE a statement fails with on the connection, or undefined when it succeeds. */
async function refusal(client: pg.ClientBase, sql: string): Promise<string | undefined> {
  return client.query(sql).then(
    () => undefined,
    (e: { code?: string }) => e.code ?? 'no code',
  );
}

/** The tables, views and sequences of the schema on which the role holds any privilege, itself or through PUBLIC. */
async function privilegedRelations(role: string): Promise<string[]> {
  const { rows } = await db.admin.query<{ relname: string }>(
    `select c.relname from pg_class c
     where c.relnamespace = 'public'::regnamespace and (
       (c.relkind in ('r', 'p', 'v', 'm', 'f') and (
         has_table_privilege($1, c.oid, 'select, insert, update, delete, truncate, references, trigger')
         or has_any_column_privilege($1, c.oid, 'select, insert, update, references')))
       or (c.relkind = 'S' and has_sequence_privilege($1, c.oid, 'usage, select, update')))
     order by 1`,
    [role],
  );
  return rows.map((r) => r.relname);
}

describe('the lead_presign role (migration 007)', () => {
  it('holds no privilege on any table: select on rule_sets (any column) is refused, as are the leads, the history and writes', async () => {
    expect(await privilegedRelations('lead_presign')).toEqual([]);
    // The same question finds another role's privileges, so the empty answer above means something.
    expect(await privilegedRelations('lead_api')).toContain('rule_sets');
    const client = await presignPool.connect();
    try {
      for (const sql of [
        'select 1 from rule_sets',
        'select owner, name, deleted_at from rule_sets',
        'select count(*) from rule_sets',
        'select document from rule_sets',
        'select 1 from leads',
        'select 1 from lead_imports',
        "insert into rule_sets (owner, name, version, document) values ('x', 'x', 1, '{}')",
        "update rule_sets set deleted_at = now() where owner = 'alice'",
      ])
        expect(await refusal(client, sql), sql).toBe('42501');
    } finally {
      client.release();
    }
  });

  it("gets correct answers from rule_set_exists: its own rule set yes; another caller's, a deleted or an unknown one no", async () => {
    expect(await ruleSetExists(presignPool, 'alice', 'emea-sales')).toBe(true);
    expect(await ruleSetExists(presignPool, 'bob', 'emea-sales')).toBe(false);
    expect(await ruleSetExists(presignPool, 'alice', 'retired')).toBe(false);
    expect(await ruleSetExists(presignPool, 'alice', 'nobody-has-this')).toBe(false);
  });

  it('rule_set_exists runs as the owner of rule_sets with a pinned search_path; only lead_presign may call it', async () => {
    const { rows } = await db.admin.query<{ definer: boolean; owner: string; table_owner: string; config: string[] }>(
      `select p.prosecdef as definer, pg_get_userbyid(p.proowner) as owner, p.proconfig as config,
         (select tableowner from pg_tables where schemaname = 'public' and tablename = 'rule_sets') as table_owner
       from pg_proc p where p.oid = 'public.rule_set_exists(text, text)'::regprocedure`,
    );
    expect(rows).toHaveLength(1);
    const fn = rows[0]!;
    expect(fn.definer).toBe(true);
    expect(fn.owner).toBe(fn.table_owner);
    expect(fn.config).toEqual(['search_path=pg_catalog, pg_temp']);
    const canCall = async (role: string) =>
      (
        await db.admin.query<{ ok: boolean }>(
          "select has_function_privilege($1, 'public.rule_set_exists(text, text)', 'execute') as ok",
          [role],
        )
      ).rows[0]!.ok;
    expect(await canCall('lead_presign')).toBe(true);
    expect(await canCall('lead_api')).toBe(false);
    expect(await canCall('lead_importer')).toBe(false);
  });

  it('a temporary table of the caller named rule_sets does not change the answer', async () => {
    const client = await presignPool.connect();
    try {
      await client.query('create temp table rule_sets (owner text, name text, deleted_at timestamptz)');
      await client.query("insert into rule_sets values ('mallory', 'emea-sales', null)");
      expect(await ruleSetExists(client, 'mallory', 'emea-sales')).toBe(false);
      expect(await ruleSetExists(client, 'alice', 'emea-sales')).toBe(true);
    } finally {
      await client.query('drop table if exists pg_temp.rule_sets').catch(() => {});
      client.release();
    }
  });
});
