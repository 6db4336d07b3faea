import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { InfraError } from '#core/contract/errors';
import type pg from 'pg';
import { readPresignEnv } from '#io/presign-config';
import { ruleSetLookup } from '#io/rule-set-store';
import { httpEvent } from '#test/events';
import { LASTING_PG_ERRORS, PASSING_PG_ERRORS } from '#test/pg-errors';
import { createHandler } from '../../functions/presign/handler.ts';
import { callerSegment } from '../../functions/presign/upload-key.ts';

const SUB = '7d0e8d42-1c2a-4f6b-9e81-3b5a6c7d8e9f';
const ENV = readPresignEnv({ BUCKET_NAME: 'lead-uploads' });

beforeAll(() => {
  // Presigning is local computation: fake credentials, no network.
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFDEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_SESSION_TOKEN;
});

/** A fake lookup: the rule sets each caller segment has, and every question asked. */
function fakeRuleSets(owned: Record<string, string[]>) {
  const asked: [string, string][] = [];
  const ruleSetExists = async (caller: string, name: string) => {
    asked.push([caller, name]);
    return owned[caller]?.includes(name) ?? false;
  };
  return { asked, ruleSetExists };
}

function postUploads(options?: Record<string, unknown>, sub = SUB): APIGatewayProxyEventV2 {
  const event = httpEvent('http-post-uploads.json');
  event.body = JSON.stringify({ filename: 'leads.csv', size: 10, ...(options ? { options } : {}) });
  (event.requestContext as unknown as { authorizer: { jwt: { claims: { sub: string } } } }).authorizer.jwt.claims.sub =
    sub;
  return event;
}

async function call(handler: ReturnType<typeof createHandler>, event: APIGatewayProxyEventV2) {
  const out = (await handler(event)) as APIGatewayProxyStructuredResultV2;
  return {
    status: out.statusCode!,
    headers: out.headers ?? {},
    body: JSON.parse(out.body!) as { error?: { code: string; message: string }; key?: string },
  };
}

describe('POST /uploads with a rule_set', () => {
  it('answers 400 RULE_SET_NOT_FOUND naming the rule set when the caller has none of that name', async () => {
    // Prepare
    const rules = fakeRuleSets({ [SUB]: ['emea-sales'] });
    const handler = createHandler(ENV, rules);
    // Act
    const res = await call(handler, postUploads({ rule_set: 'apac-sales' }));
    // Assess
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'RULE_SET_NOT_FOUND',
        message: 'You have no rule set named apac-sales. Create it with PUT /rule-sets/apac-sales or choose another.',
      },
    });
    expect(rules.asked).toEqual([[SUB, 'apac-sales']]);
  });

  it('grants (201) when the caller has the rule set, and signs it into the metadata', async () => {
    const rules = fakeRuleSets({ [SUB]: ['emea-sales'] });
    const res = await call(createHandler(ENV, rules), postUploads({ rule_set: 'emea-sales' }));
    expect(res.status).toBe(201);
    expect(JSON.stringify(res.body)).toContain('"x-amz-meta-rule-set":"emea-sales"');
    expect(rules.asked).toEqual([[SUB, 'emea-sales']]);
  });

  it('asks about the caller by the folder segment the upload key and the uploader metadata use', async () => {
    const sub = 'auth0|42';
    const segment = callerSegment(sub);
    const rules = fakeRuleSets({ [segment]: ['emea-sales'] });
    const res = await call(createHandler(ENV, rules), postUploads({ rule_set: 'emea-sales' }, sub));
    expect(res.status).toBe(201);
    expect(res.body.key?.startsWith(`uploads/${segment}/`)).toBe(true);
    expect(rules.asked).toEqual([[segment, 'emea-sales']]);
  });

  it("answers another caller's rule set exactly as a missing one", async () => {
    const rules = fakeRuleSets({ alice: ['emea-sales'] });
    const handler = createHandler(ENV, rules);
    const others = await call(handler, postUploads({ rule_set: 'emea-sales' }, 'bob'));
    const missing = await call(handler, postUploads({ rule_set: 'emea-sales' }, 'carol'));
    expect(others.status).toBe(400);
    expect(others).toEqual(missing);
  });

  it('does not ask without a rule_set, nor for a malformed one (400 INVALID_OPTIONS first)', async () => {
    const rules = fakeRuleSets({});
    const handler = createHandler(ENV, rules);
    expect((await call(handler, postUploads())).status).toBe(201);
    expect((await call(handler, postUploads({ strict_mode: true }))).status).toBe(201);
    const malformed = await call(handler, postUploads({ rule_set: 'Not A Name' }));
    expect(malformed.body.error?.code).toBe('INVALID_OPTIONS');
    expect(rules.asked).toEqual([]);
  });

  it('opens no database connection for a grant without a rule_set, even when none is configured', async () => {
    // No DATABASE_URL and no DB_SECRET_ARN: the default lookup would fail with CONFIG_MISSING if asked.
    const handler = createHandler(ENV);
    expect((await call(handler, postUploads())).status).toBe(201);
    expect((await call(handler, postUploads({ rule_set: 'emea-sales' }))).status).toBe(500);
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After when the database cannot be reached, 500 otherwise', async () => {
    const down = createHandler(ENV, {
      ruleSetExists: () => Promise.reject(new InfraError('DATABASE_UNAVAILABLE', 'Database connection lost')),
    });
    const unavailable = await call(down, postUploads({ rule_set: 'emea-sales' }));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('1');
    expect(unavailable.body.error?.code).toBe('SERVICE_UNAVAILABLE');

    const broken = createHandler(ENV, { ruleSetExists: () => Promise.reject(new Error('bug')) });
    const internal = await call(broken, postUploads({ rule_set: 'emea-sales' }));
    expect(internal.status).toBe(500);
    expect(internal.body.error?.code).toBe('INTERNAL');
    expect(JSON.stringify(internal.body)).not.toContain('bug');
  });

  it('answers 503 with Retry-After when the login is refused, a statement or a lock times out; 500 for a lasting database error', async () => {
    // The real lookup over a pool that fails as PostgreSQL does: the mapping and the handler together.
    const failingWith = (error: Error) => {
      const pool = { query: () => Promise.reject(error) } as unknown as pg.Pool;
      return createHandler(ENV, { ruleSetExists: ruleSetLookup(async () => pool) });
    };
    for (const [what, error] of Object.entries(PASSING_PG_ERRORS)) {
      const res = await call(failingWith(error), postUploads({ rule_set: 'emea-sales' }));
      expect(res, what).toMatchObject({
        status: 503,
        headers: { 'retry-after': '1' },
        body: { error: { code: 'SERVICE_UNAVAILABLE' } },
      });
      expect(JSON.stringify(res.body), what).not.toContain('lead_presign');
    }
    for (const [what, error] of Object.entries(LASTING_PG_ERRORS)) {
      const res = await call(failingWith(error), postUploads({ rule_set: 'emea-sales' }));
      expect(res, what).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } });
      expect(res.headers, what).not.toHaveProperty('retry-after');
    }
  });
});
