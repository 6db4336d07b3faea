import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '#io/database';
import { readPresignEnv } from '#io/presign-config';
import { deleteRuleSet, putRuleSet, ruleSetLookup } from '#io/rule-set-store';
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

describe('the lead_presign role (migration 007)', () => {
  it('may read whether a rule set exists, and nothing else: no documents, no leads, no history, no writes', async () => {
    const client = await presignPool.connect();
    try {
      const refused = async (sql: string) => {
        const error = await client.query(sql).then(
          () => undefined,
          (e: { code?: string }) => e,
        );
        return error?.code;
      };
      expect((await client.query('select owner, name, deleted_at from rule_sets')).rowCount).toBe(2);
      expect(await refused('select document from rule_sets')).toBe('42501');
      expect(await refused('select version from rule_sets')).toBe('42501');
      expect(await refused('select 1 from leads')).toBe('42501');
      expect(await refused('select 1 from lead_imports')).toBe('42501');
      expect(await refused("insert into rule_sets (owner, name, version, document) values ('x', 'x', 1, '{}')")).toBe(
        '42501',
      );
      expect(await refused("update rule_sets set deleted_at = now() where owner = 'alice'")).toBe('42501');
    } finally {
      client.release();
    }
  });
});
