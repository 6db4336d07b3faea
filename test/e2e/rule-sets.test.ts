import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText, HEADER, validLead } from '#test/csv';
import { freshDatabase, type TestDatabase } from '#test/database';
import { EVERY_KIND } from '#test/rule-sets';
import { startLocalStack, type LocalStack } from '../../scripts/lib/local-stack/index.ts';
import { postUploads, requestGrant, upload, waitForResult } from './stack-client.ts';

const BOB = { token: 'bob-local-token-456789', subject: 'bob' };

let db: TestDatabase;
let stack: LocalStack;

beforeAll(async () => {
  db = await freshDatabase();
  stack = await startLocalStack({ databaseUrl: db.adminUrl, subject: 'alice', callers: [BOB] });
});
afterAll(async () => {
  await stack?.close();
  await db?.drop();
});

async function callApi(method: string, path: string, body?: unknown, token = stack.token) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('local stack: rule sets over HTTP', () => {
  it('puts a rule set, grants an upload with rule_set, and reads the rule errors in the result JSON', async () => {
    const put = await callApi('PUT', '/rule-sets/emea-sales', EVERY_KIND);
    expect(put).toMatchObject({ status: 200, body: { name: 'emea-sales', version: 1 } });
    expect(await callApi('GET', '/rule-sets')).toMatchObject({
      status: 200,
      body: { rule_sets: [{ name: 'emea-sales', version: 1 }] },
    });

    const rows = Array.from({ length: 10 }, (_, i) => validLead(i)).map((row) => {
      row[1] = 'SaaS';
      return row;
    });
    rows[4]![1] = 'Mining';
    rows[7]![5] = 'lee@gmail.com';
    const file = csvText([HEADER, ...rows]);
    const options = { rule_set: 'emea-sales', error_threshold: 0.5 };
    const grant = await requestGrant(stack, 'emea.csv', Buffer.byteLength(file), options);
    expect(grant.upload.headers['x-amz-meta-rule-set']).toBe('emea-sales');
    expect((await upload(grant, file)).status).toBe(200);
    const result = await waitForResult(grant.result_url);
    expect(result).toMatchObject({
      status: 'succeeded',
      imported_count: 8,
      failed_count: 2,
      rule_set: { name: 'emea-sales', version: 1 },
      options: { rule_set: 'emea-sales' },
    });
    expect(result.error_details.map((e) => [e.row, e.column, e.code])).toEqual([
      [6, 'industry', 'RULE_NOT_ALLOWED'],
      [9, 'contact_email', 'RULE_EMAIL_DOMAIN'],
    ]);
  });

  it("grants only with the caller's own rule set: unknown and another caller's names are the same 400", async () => {
    expect((await callApi('PUT', '/rule-sets/alice-only', { phone: 'valid' })).status).toBe(200);
    const body = (ruleSet: string) => ({ filename: 'x.csv', size: 10, options: { rule_set: ruleSet } });
    const notFound = (name: string) => ({
      status: 400,
      body: {
        error: {
          code: 'RULE_SET_NOT_FOUND',
          message: `You have no rule set named ${name}. Create it with PUT /rule-sets/${name} or choose another.`,
        },
      },
    });

    expect((await postUploads(stack, body('alice-only'))).status).toBe(201);
    expect(await postUploads(stack, body('nobody-has-this'))).toEqual(notFound('nobody-has-this'));
    expect(await postUploads(stack, body('alice-only'), BOB.token)).toEqual(notFound('alice-only'));
    expect(await postUploads(stack, body('Not A Name'))).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_OPTIONS' } },
    });
  });

  it('fails the import with RULE_SET_NOT_FOUND, nothing read, when the rule set is deleted after the grant', async () => {
    expect((await callApi('PUT', '/rule-sets/short-lived', { phone: 'valid' })).status).toBe(200);
    const file = csvText([HEADER, validLead(99)]);
    const grant = await requestGrant(stack, 'x.csv', Buffer.byteLength(file), { rule_set: 'short-lived' });
    expect((await callApi('DELETE', '/rule-sets/short-lived')).status).toBe(200);
    expect((await upload(grant, file)).status).toBe(200);
    expect(await waitForResult(grant.result_url)).toMatchObject({
      status: 'failed',
      error_code: 'RULE_SET_NOT_FOUND',
      total_leads: 0,
    });
  });
});
