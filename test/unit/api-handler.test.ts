import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { InfraError } from '#core/contract/errors';
import { apiEvent } from '#test/api-events';
import { LASTING_PG_ERRORS, PASSING_PG_ERRORS } from '#test/pg-errors';
import { decodeCursor, encodeCursor } from '../../functions/api/import-routes.ts';
import { createApiHandler, findRoute, matchPattern, ROUTES } from '../../functions/api/handler.ts';
import type { ApiDeps, ApiRequest, Route } from '../../functions/api/routes.ts';

/** Routes are never reached through these deps in the cases below that need a database. */
const deps = {} as ApiDeps;

const seen: ApiRequest[] = [];
const echo: Route = {
  method: 'POST',
  pattern: '/things/{name}/poke',
  handle: async (request) => {
    seen.push(request);
    return { status: 200, body: { ok: true } };
  },
};
const failing = (error: unknown): Route => ({
  method: 'GET',
  pattern: '/broken',
  handle: () => Promise.reject(error),
});

async function call(routes: readonly Route[], event: unknown, using: ApiDeps = deps) {
  const out = (await createApiHandler(using, routes)(event)) as APIGatewayProxyStructuredResultV2;
  return { status: out.statusCode, headers: out.headers ?? {}, body: JSON.parse(out.body!) as Record<string, unknown> };
}

describe('the API adapter', () => {
  it('matches {name} segments and hands the route the caller, params, query and parsed body', async () => {
    const event = apiEvent('POST', '/things/abc/poke', { sub: 'alice', query: { x: '1' }, body: '{"a":[1]}' });
    expect(await call([echo], event)).toMatchObject({ status: 200, body: { ok: true } });
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      path: '/things/abc/poke',
      params: { name: 'abc' },
      query: { x: '1' },
      body: { a: [1] },
      caller: 'alice',
    });
  });

  it('answers 404 for an unknown path, 405 with Allow for a wrong method, 401 without a subject', async () => {
    expect(await call([echo], apiEvent('POST', '/things/abc', { sub: 'alice' }))).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    expect(await call([echo], apiEvent('GET', '/things/abc/poke', { sub: 'alice' }))).toMatchObject({
      status: 405,
      headers: { allow: 'POST' },
      body: { error: { code: 'METHOD_NOT_ALLOWED' } },
    });
    expect(await call([echo], apiEvent('POST', '/things/abc/poke', { sub: null }))).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED' } },
    });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const event = apiEvent('POST', '/things/abc/poke', { sub: 'alice', body: '{not json' });
    expect(await call([echo], event)).toMatchObject({ status: 400, body: { error: { code: 'INVALID_JSON' } } });
  });

  it('answers 503 with Retry-After for retryable infrastructure trouble, and 500 without details otherwise', async () => {
    const down = new InfraError(
      'DATABASE_UNAVAILABLE',
      'Database connection lost while listing: secret host db.internal',
    );
    const unavailable = await call([failing(down)], apiEvent('GET', '/broken', { sub: 'alice' }));
    expect(unavailable).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(JSON.stringify(unavailable.body)).not.toContain('db.internal');
    const bug = await call(
      [failing(new TypeError('x is undefined at secret.ts:12'))],
      apiEvent('GET', '/broken', { sub: 'a' }),
    );
    expect(bug).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } });
    expect(JSON.stringify(bug.body)).not.toContain('secret.ts');
  });

  it("answers 503 with Retry-After when a route's database connection or login fails or times out, 500 for a bug", async () => {
    // Every route that queries: each reaches the store through the pool, by query or by a transaction.
    const id = '5b0c9b8e-1d2f-4a3b-8c4d-5e6f7a8b9c0d';
    const requests = [
      apiEvent('GET', '/imports', { sub: 'alice' }),
      apiEvent('GET', `/imports/${id}`, { sub: 'alice' }),
      apiEvent('POST', `/imports/${id}/revert`, { sub: 'alice' }),
      apiEvent('GET', '/rule-sets', { sub: 'alice' }),
      apiEvent('GET', '/rule-sets/emea-sales', { sub: 'alice' }),
      apiEvent('PUT', '/rule-sets/emea-sales', { sub: 'alice', body: '{"required": ["contact_email"]}' }),
      apiEvent('DELETE', '/rule-sets/emea-sales', { sub: 'alice' }),
    ];
    const failingStore = (error: Error): ApiDeps => {
      const pool = { query: () => Promise.reject(error), connect: () => Promise.reject(error) };
      return { ...deps, pool: async () => pool as unknown as pg.Pool };
    };
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const terminated = new Error('Connection terminated unexpectedly');
    for (const lost of [refused, terminated, ...Object.values(PASSING_PG_ERRORS)]) {
      for (const event of requests) {
        const out = await call(ROUTES, event, failingStore(lost));
        expect(out, `${event.routeKey}: ${lost.message}`).toMatchObject({
          status: 503,
          headers: { 'retry-after': '1' },
          body: { error: { code: 'SERVICE_UNAVAILABLE' } },
        });
        expect(JSON.stringify(out.body)).not.toContain('10.0.0.5');
      }
    }
    for (const bug of [new Error('bug in the store'), ...Object.values(LASTING_PG_ERRORS)]) {
      for (const event of requests) {
        const out = await call(ROUTES, event, failingStore(bug));
        expect(out, `${event.routeKey}: ${bug.message}`).toMatchObject({
          status: 500,
          body: { error: { code: 'INTERNAL' } },
        });
        expect(out.headers).not.toHaveProperty('retry-after');
      }
    }
  });

  it('refuses an event that is not an HTTP API payload 2.0', async () => {
    await expect(createApiHandler(deps)({ Records: [] })).rejects.toThrow(TypeError);
  });

  it('serves the import routes, and a path segment must fit exactly', () => {
    expect(ROUTES.map((r) => `${r.method} ${r.pattern}`)).toEqual(
      expect.arrayContaining(['GET /imports', 'GET /imports/{id}', 'POST /imports/{id}/revert']),
    );
    expect(findRoute(ROUTES, 'GET', '/imports/abc').params).toEqual({ id: 'abc' });
    expect(matchPattern('/imports/{id}', '/imports/abc/extra')).toBeUndefined();
    expect(matchPattern('/imports/{id}', '/imports')).toBeUndefined();
  });
});

describe('the history cursor', () => {
  it('round-trips (started_at to the microsecond, id) and refuses anything else', () => {
    const key = { startedAt: '2026-12-02T05:31:21.250123Z', id: '5b0c9b8e-1d2f-4a3b-8c4d-5e6f7a8b9c0d' };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of [
      'not base64!',
      forged(['2026-12-02T05:31:21.250Z', key.id]),
      forged([key.startedAt, 'x']),
      forged({ t: key.startedAt }),
      'A'.repeat(300),
    ]) {
      expect(() => decodeCursor(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    }
  });
});
