import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText, HEADER, validLead } from '#test/csv';
import { freshDatabase, type TestDatabase } from '#test/database';
import { EVERY_KIND } from '#test/rule-sets';
import { startLocalStack, type LocalStack } from '../../scripts/lib/local-stack/index.ts';
import { postUploads, requestGrant, upload, waitForResult } from './stack-client.ts';

let db: TestDatabase;
let stack: LocalStack;

beforeAll(async () => {
  db = await freshDatabase();
  stack = await startLocalStack({ databaseUrl: db.adminUrl });
});
afterAll(async () => {
  await stack?.close();
  await db?.drop();
});

async function callApi(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
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

  it('refuses a malformed rule_set at the grant (400) and fails an unknown one with RULE_SET_NOT_FOUND', async () => {
    const refused = await postUploads(stack, { filename: 'x.csv', size: 10, options: { rule_set: 'Not A Name' } });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'INVALID_OPTIONS' } } });

    const file = csvText([HEADER, validLead(99)]);
    const grant = await requestGrant(stack, 'x.csv', Buffer.byteLength(file), { rule_set: 'nobody-has-this' });
    expect((await upload(grant, file)).status).toBe(200);
    expect(await waitForResult(grant.result_url)).toMatchObject({
      status: 'failed',
      error_code: 'RULE_SET_NOT_FOUND',
      total_leads: 0,
    });
  });
});
