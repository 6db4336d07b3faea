import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText, HEADER, validLead } from '#test/csv';
import { countImports, freshDatabase, type TestDatabase } from '#test/database';
import { startLocalStack, type LocalStack } from '../../scripts/lib/local-stack/index.ts';
import { httpStatus, requestGrant, upload } from './stack-client.ts';

let db: TestDatabase;
let stack: LocalStack;

beforeAll(async () => {
  db = await freshDatabase();
  // One stack per process (the Lambda modules cache their configuration): this file has its own.
  stack = await startLocalStack({ databaseUrl: db.adminUrl, uploadUrlTtlSeconds: 1 });
});
afterAll(async () => {
  await stack?.close();
  await db?.drop();
});

describe('local stack: an expired grant', () => {
  it('is refused by the S3 server and imports nothing', async () => {
    const csv = csvText([HEADER, validLead(1)]);
    const grant = await requestGrant(stack, 'leads.csv', Buffer.byteLength(csv));
    expect(new URL(grant.upload.url).searchParams.get('X-Amz-Expires')).toBe('1');
    // X-Amz-Date has whole seconds: wait until well past expires_at.
    await sleep(Math.max(0, new Date(grant.expires_at).getTime() - Date.now()) + 1500);

    const refused = await upload(grant, csv);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Request has expired');
    await stack.idle();
    expect(stack.importInvocations()).toBe(0);
    expect(await httpStatus(grant.result_url)).toBe(404);
    expect(await countImports(db, 'id = $1 or source_key = $2', [grant.import_id, grant.key])).toBe(0);
  });
});
