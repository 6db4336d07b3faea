import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readApiEnv } from '#io/api-config';
import { putRuleSet } from '#io/rule-set-store';
import { apiDeps, createApiHandler, type ApiHandler } from '../../functions/api/handler.ts';
import { apiEvent } from '#test/api-events';
import { freshDatabase, type TestDatabase } from '#test/database';
import { EVERY_KIND } from '#test/rule-sets';

let db: TestDatabase;
let api: ApiHandler;
let apiPool: pg.Pool | undefined;

/**
 * Dropping the database terminates connections a pool is still closing; without a listener on each
 * client that late 57P01 would be an uncaught error.
 */
function quiet(pool: pg.Pool): pg.Pool {
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

beforeAll(async () => {
  db = await freshDatabase();
  // The routes run as the API's least-privilege role, as the function does in AWS.
  const deps = apiDeps(readApiEnv({ DATABASE_URL: db.apiUrl, BUCKET_NAME: 'unused' }));
  const pool = deps.pool;
  deps.pool = async () => {
    const current = await pool();
    if (current !== apiPool) apiPool = quiet(current);
    return current;
  };
  api = createApiHandler(deps);
});
afterAll(async () => {
  await apiPool?.end();
  await db?.drop();
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
}
async function call(method: string, path: string, sub: string, body?: unknown): Promise<Reply> {
  const event = apiEvent(method, path, { sub, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const out = (await api(event)) as APIGatewayProxyStructuredResultV2;
  return { status: out.statusCode!, body: JSON.parse(out.body!) as Record<string, unknown> };
}
const put = (sub: string, name: string, rules: unknown) => call('PUT', `/rule-sets/${name}`, sub, rules);
const get = (sub: string, name: string) => call('GET', `/rule-sets/${name}`, sub);
const list = (sub: string) => call('GET', '/rule-sets', sub);
const remove = (sub: string, name: string) => call('DELETE', `/rule-sets/${name}`, sub);

describe('rule-set routes', () => {
  it('PUT creates version 1, each PUT adds a version, GET answers the current one', async () => {
    const first = await put('alice', 'emea', EVERY_KIND);
    expect(first).toMatchObject({ status: 200, body: { name: 'emea', version: 1, rules: EVERY_KIND } });
    const second = await put('alice', 'emea', { required: ['industry'] });
    expect(second.body).toMatchObject({ version: 2, rules: { required: ['industry'] } });
    expect(await get('alice', 'emea')).toMatchObject({
      status: 200,
      body: { name: 'emea', version: 2, rules: { required: ['industry'] } },
    });
    // Old versions are kept: imports refer to them.
    const { rows } = await db.admin.query('select version, document from rule_sets where name = $1 order by version', [
      'emea',
    ]);
    expect(rows).toEqual([
      { version: 1, document: EVERY_KIND },
      { version: 2, document: { required: ['industry'] } },
    ]);
  });

  it('GET /rule-sets lists only the caller’s current versions, by name', async () => {
    await put('bob', 'b-two', { phone: 'valid' });
    await put('bob', 'a-one', { phone: 'valid' });
    await put('bob', 'a-one', { phone: 'valid' });
    await put('carol', 'c-only', { phone: 'valid' });
    const { status, body } = await list('bob');
    expect(status).toBe(200);
    expect((body.rule_sets as { name: string; version: number }[]).map((r) => [r.name, r.version])).toEqual([
      ['a-one', 2],
      ['b-two', 1],
    ]);
  });

  it('DELETE marks it deleted: 404 afterwards, versions kept, a new PUT continues the numbering', async () => {
    await put('dave', 'gone', { phone: 'valid' });
    await put('dave', 'gone', { phone: 'valid' });
    expect(await remove('dave', 'gone')).toEqual({ status: 200, body: { name: 'gone', deleted: true } });
    expect((await get('dave', 'gone')).status).toBe(404);
    expect((await list('dave')).body.rule_sets).toEqual([]);
    expect((await remove('dave', 'gone')).status).toBe(404);
    const { rows } = await db.admin.query<{ n: number }>(
      "select count(*)::int as n from rule_sets where owner = 'dave' and deleted_at is not null",
    );
    expect(rows[0]!.n).toBe(2);
    expect((await put('dave', 'gone', { phone: 'valid' })).body).toMatchObject({ version: 3 });
  });

  it("another caller's rule set answers exactly like a missing one (404), and cannot be changed", async () => {
    await put('erin', 'private', { phone: 'valid' });
    const missing = await get('frank', 'no-such-set');
    const theirs = await get('frank', 'private');
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual({ error: { code: 'NOT_FOUND', message: 'No rule set named private.' } });
    expect(JSON.stringify(missing.body).replace('no-such-set', 'private')).toBe(JSON.stringify(theirs.body));
    expect((await remove('frank', 'private')).status).toBe(404);
    // Frank's PUT of the same name is his own rule set; Erin's is untouched.
    expect((await put('frank', 'private', { required: ['notes'] })).body).toMatchObject({ version: 1 });
    expect((await get('erin', 'private')).body).toMatchObject({ version: 1, rules: { phone: 'valid' } });
  });

  it('refuses bad names and bad documents with a 400 that says what is wrong', async () => {
    for (const name of ['Sales', 'a_b', 'x'.repeat(65), '%2e%2e', 'a.b']) {
      const reply = await put('gina', name, { phone: 'valid' });
      expect(reply.status, name).toBe(400);
      expect(reply.body).toMatchObject({
        error: { code: 'INVALID_REQUEST', message: expect.stringContaining('1 to 64') },
      });
      expect((await get('gina', name)).status, name).toBe(400);
    }
    const cases: [unknown, string][] = [
      [{ requried: ['notes'] }, 'Invalid rule set: unknown key "requried"'],
      [{ pattern: { notes: '(a)\\1' } }, 'Invalid rule set: pattern.notes: is not a valid RE2 pattern'],
      [{ max_length: { company_name: 300 } }, 'max_length.company_name: must be at most 255'],
      [['required'], 'Invalid rule set:'],
      [{ allowed: { industry: Array.from({ length: 1000 }, (_, i) => `${i}`.padEnd(300, 'x')) } }, 'bytes as JSON'],
    ];
    for (const [body, message] of cases) {
      const reply = await put('gina', 'bad', body);
      expect(reply.status, message).toBe(400);
      expect((reply.body.error as { message: string }).message).toContain(message);
    }
    expect((await call('PUT', '/rule-sets/bad', 'gina')).status).toBe(400);
    expect((await get('gina', 'bad')).status).toBe(404);
  });

  it('gives concurrent PUTs of one name (six connections) six different versions', async () => {
    const pool = quiet(new pg.Pool({ connectionString: db.apiUrl, max: 6 }));
    try {
      const stored = await Promise.all(
        Array.from({ length: 6 }, () => putRuleSet(pool, 'hank', 'race', { phone: 'valid' })),
      );
      expect(stored.map((r) => r.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await pool.end();
    }
  });
});
