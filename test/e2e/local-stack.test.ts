import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3Client } from '#io/s3';
import { s3UrlSigner } from '#io/s3-signer';
import { csvText, HEADER, invalidLead, validLead } from '#test/csv';
import { countImports, countLeads, freshDatabase, type TestDatabase } from '#test/database';
import { sampleCsv } from '#test/events';
import type { UploadGrant } from '../../functions/presign/grant.ts';
import { startLocalStack, type LocalStack } from '../../scripts/lib/local-stack/index.ts';
import { httpStatus, postUploads, requestGrant, upload, waitForResult, without } from './stack-client.ts';

let db: TestDatabase;
let stack: LocalStack;
let s3: S3Client;

beforeAll(async () => {
  db = await freshDatabase();
  stack = await startLocalStack({ databaseUrl: db.adminUrl });
  s3 = createS3Client({ endpoint: stack.s3Endpoint });
});
afterAll(async () => {
  s3?.destroy();
  await stack?.close();
  await db?.drop();
});

/** A presigned GET, as a client with bucket credentials would make (the local S3 server refuses anonymous reads). */
const signedGet = (key: string) => s3UrlSigner(s3, stack.bucket).signGet(key, 300, new Date());

/** A refused upload must leave no trace: no result, no lead_imports row, no leads. */
async function expectNothingImported(grant: UploadGrant): Promise<void> {
  await stack.idle();
  expect(await httpStatus(grant.result_url)).toBe(404);
  expect(await countImports(db, 'id = $1 or source_key = $2', [grant.import_id, grant.key])).toBe(0);
  expect(await countLeads(db, 'import_id = $1', [grant.import_id])).toBe(0);
}

describe('local stack: grant, upload, import', () => {
  it('imports leads_1000.csv through a grant, under the grant import id', async () => {
    const file = sampleCsv('leads_1000.csv');
    const grant = await requestGrant(stack, 'leads_1000.csv', file.length);
    expect(grant.key).toBe(`uploads/${stack.subject}/${grant.import_id}/leads_1000.csv`);

    expect((await upload(grant, file)).status).toBe(200);
    const result = await waitForResult(grant.result_url);
    expect(result).toMatchObject({
      import_id: grant.import_id,
      status: 'succeeded',
      total_leads: 1000,
      imported_count: 1000,
      failed_count: 0,
      filename: 'leads_1000.csv',
    });
    expect(result.source).toMatchObject({ bucket: stack.bucket, key: grant.key, size: file.length });
    expect(await countLeads(db, 'import_id = $1', [grant.import_id])).toBe(1000);
    const { rows } = await db.admin.query('select status, imported_count, uploader from lead_imports where id = $1', [
      grant.import_id,
    ]);
    expect(rows).toEqual([{ status: 'succeeded', imported_count: 1000, uploader: stack.subject }]);
  });

  it('applies the granted options (strict mode) to the import', async () => {
    const csv = csvText([HEADER, validLead(1), invalidLead(2), validLead(3)]);
    const grant = await requestGrant(stack, 'strict.csv', Buffer.byteLength(csv), { strict_mode: true });
    expect((await upload(grant, csv)).status).toBe(200);
    const result = await waitForResult(grant.result_url);
    expect(result).toMatchObject({
      import_id: grant.import_id,
      status: 'rejected',
      error_code: 'STRICT_MODE_ROW_ERROR',
      imported_count: 0,
    });
    expect(result.options.strict_mode).toBe(true);
    expect(await countLeads(db, 'import_id = $1', [grant.import_id])).toBe(0);
  });

  it('imports a direct PutObject under uploads/ with strict-mode metadata in strict mode', async () => {
    const key = 'uploads/me/direct drop.csv';
    const csv = csvText([HEADER, validLead(1), validLead(2), invalidLead(3), validLead(4)]);
    await s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: csv, Metadata: { 'strict-mode': 'true' } }),
    );
    const result = await waitForResult(await signedGet(`${key}.result.json`));
    expect(result).toMatchObject({
      status: 'rejected',
      error_code: 'STRICT_MODE_ROW_ERROR',
      imported_count: 0,
      total_leads: expect.any(Number),
    });
    expect(result.source.key).toBe(key);
    expect(result.options.strict_mode).toBe(true);
    expect(await countLeads(db, 'import_id = $1', [result.import_id])).toBe(0);
    const { rows } = await db.admin.query('select status from lead_imports where source_key = $1', [key]);
    expect(rows).toEqual([{ status: 'rejected' }]);
  });

  it('runs one import per upload: writing the result and rejected-rows files imports nothing more', async () => {
    await stack.idle();
    const before = { imports: stack.importInvocations(), lambda: stack.lambdaInvocations() };
    const csv = csvText([HEADER, ...Array.from({ length: 9 }, (_, i) => validLead(i)), invalidLead(9)]);
    const grant = await requestGrant(stack, 'lenient.csv', Buffer.byteLength(csv));
    expect((await upload(grant, csv)).status).toBe(200);
    const result = await waitForResult(grant.result_url);
    await stack.idle();

    expect(result).toMatchObject({
      status: 'succeeded',
      imported_count: 9,
      failed_count: 1,
      error_report_key: grant.error_report_key,
    });
    expect(await httpStatus(grant.error_report_url)).toBe(200);
    expect(stack.importInvocations() - before.imports).toBe(1);
    // The bucket notification (suffix .csv) also delivers <key>.rejected.csv; the importer ignores it.
    expect(stack.lambdaInvocations() - before.lambda).toBe(2);
    expect(await countImports(db, 'source_key like $1', [`${grant.key}%`])).toBe(1);
    // 404 means the importer wrote no result for its own rejected-rows file.
    expect(await httpStatus(await signedGet(`${grant.error_report_key}.result.json`))).toBe(404);
    expect(await countLeads(db, 'import_id = $1', [grant.import_id])).toBe(9);
  });
});

describe('local stack: the S3 server enforces the grant', () => {
  // validLead() never repeats an e-mail, and every file here has the same size.
  let csv = '';
  let size = 0;
  beforeEach(() => {
    csv = csvText([HEADER, validLead(1), validLead(2)]);
    size = Buffer.byteLength(csv);
  });

  /** Refused, nothing imported; then the same grant used as granted still works, so the refusal was the tampering. */
  async function expectRefusedThenGrantWorks(
    grant: UploadGrant,
    attempt: () => Promise<{ status: number; text: string }>,
  ): Promise<string> {
    const refused = await attempt();
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    await expectNothingImported(grant);
    expect((await upload(grant, csv)).status).toBe(200);
    const result = await waitForResult(grant.result_url);
    expect(result).toMatchObject({ import_id: grant.import_id, status: 'succeeded', imported_count: 2 });
    return refused.text;
  }

  it('refuses a body larger than the signed size', async () => {
    const grant = await requestGrant(stack, 'leads.csv', size);
    const text = await expectRefusedThenGrantWorks(grant, () =>
      upload(grant, csv + csvText([validLead(3)]), without(grant.upload.headers, 'content-length')),
    );
    expect(text).toContain('SignatureDoesNotMatch');
  });

  it('refuses another content type', async () => {
    const grant = await requestGrant(stack, 'leads.csv', size);
    await expectRefusedThenGrantWorks(grant, () =>
      upload(grant, csv, { ...grant.upload.headers, 'content-type': 'application/octet-stream' }),
    );
  });

  it('refuses tampered metadata (strict mode switched on)', async () => {
    const grant = await requestGrant(stack, 'leads.csv', size);
    expect(grant.upload.headers['x-amz-meta-strict-mode']).toBe('false');
    await expectRefusedThenGrantWorks(grant, () =>
      upload(grant, csv, { ...grant.upload.headers, 'x-amz-meta-strict-mode': 'true' }),
    );
    expect((await waitForResult(grant.result_url)).options.strict_mode).toBe(false);
  });

  it('refuses an upload without a signed metadata header', async () => {
    const grant = await requestGrant(stack, 'leads.csv', size);
    await expectRefusedThenGrantWorks(grant, () =>
      upload(grant, csv, without(grant.upload.headers, 'x-amz-meta-import-id')),
    );
  });

  it('refuses a granted PUT carrying an extra unsigned x-amz-meta header (HeadersNotSigned)', async () => {
    const grant = await requestGrant(stack, 'leads.csv', size);
    const text = await expectRefusedThenGrantWorks(grant, () =>
      upload(grant, csv, { ...grant.upload.headers, 'x-amz-meta-mapping': '{"Contact Email":"ignore"}' }),
    );
    expect(text).toContain('<Code>HeadersNotSigned</Code>');
    expect(text).toContain('<HeadersNotSigned>x-amz-meta-mapping</HeadersNotSigned>');
    expect((await waitForResult(grant.result_url)).options.mapping).toBeUndefined();
  });

  it('refuses the signature on another key', async () => {
    const grant = await requestGrant(stack, 'leads.csv', size);
    const other = new URL(grant.upload.url);
    other.pathname = other.pathname.replace(`/${stack.subject}/`, '/someone-else/');
    await expectRefusedThenGrantWorks(grant, () => upload(grant, csv, grant.upload.headers, other.toString()));
    expect(await countImports(db, 'source_key like $1', ['uploads/someone-else/%'])).toBe(0);
  });
});

describe('local stack: the S3 server refuses strangers', () => {
  const DRIVE_BY = 'uploads/drive-by/leads.csv';
  const object = (key: string) => `${stack.s3Endpoint}/${stack.bucket}/${key}`;
  const csv = () => csvText([HEADER, validLead(1), validLead(2)]);

  async function expectAccessDenied(res: Response): Promise<void> {
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
  }

  /** Nothing reached the bucket under uploads/drive-by/ and nothing was imported from there. */
  async function expectNoDriveBy(invocationsBefore: number): Promise<void> {
    await stack.idle();
    expect(stack.lambdaInvocations()).toBe(invocationsBefore);
    await expect(s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: DRIVE_BY }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    expect(await countImports(db, 'source_key like $1', ['uploads/drive-by/%'])).toBe(0);
  }

  it('refuses an unsigned PUT with 403 and imports nothing', async () => {
    await stack.idle();
    const before = stack.lambdaInvocations();
    await expectAccessDenied(
      await fetch(object(DRIVE_BY), {
        method: 'PUT',
        headers: { 'content-type': 'text/csv', 'x-amz-meta-on-duplicate': 'update' },
        body: csv(),
      }),
    );
    await expectNoDriveBy(before);
  });

  it('refuses a browser form POST from another origin with 403 and imports nothing', async () => {
    await stack.idle();
    const before = stack.lambdaInvocations();
    const form = new FormData();
    form.set('key', DRIVE_BY);
    form.set('x-amz-meta-on-duplicate', 'update');
    form.set('file', new Blob([csv()], { type: 'text/csv' }), 'leads.csv');
    await expectAccessDenied(
      await fetch(`${stack.s3Endpoint}/${stack.bucket}`, {
        method: 'POST',
        headers: { origin: 'http://evil.example' },
        body: form,
      }),
    );
    const urlencoded = await fetch(`${stack.s3Endpoint}/${stack.bucket}`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: DRIVE_BY, file: csv() }).toString(),
    });
    await expectAccessDenied(urlencoded);
    await expectNoDriveBy(before);
  });

  it('refuses unsigned GETs, HEADs and listings of objects that exist', async () => {
    const key = 'uploads/me/readable.csv';
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: 'not,a,lead\n' }));
    await waitForResult(await signedGet(`${key}.result.json`));
    expect(await httpStatus(await signedGet(key))).toBe(200);
    await expectAccessDenied(await fetch(object(key)));
    await expectAccessDenied(await fetch(object(`${key}.result.json`)));
    expect((await fetch(object(key), { method: 'HEAD' })).status).toBe(403);
    await expectAccessDenied(await fetch(`${stack.s3Endpoint}/${stack.bucket}?list-type=2&prefix=uploads/`));
    await expectAccessDenied(await fetch(`${stack.s3Endpoint}/${stack.bucket}`));
    await expectAccessDenied(await fetch(`${stack.s3Endpoint}/`));
  });

  it('still answers the CORS preflight of the upload page without credentials', async () => {
    const res = await fetch(object('uploads/me/page.csv'), {
      method: 'OPTIONS',
      headers: { origin: stack.apiUrl, 'access-control-request-method': 'PUT' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-methods')).toContain('PUT');
  });
});

describe('local stack: the presign API', () => {
  it('answers 401 with a JSON error without a token or with a wrong one', async () => {
    for (const token of [null, 'wrong-token']) {
      const answer = await postUploads(stack, { filename: 'leads.csv', size: 10 }, token);
      expect(answer).toEqual({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.any(String) } } });
    }
  });

  it('answers 413, 415 and 400 with JSON errors', async () => {
    expect(await postUploads(stack, { filename: 'leads.csv', size: 104_857_601 })).toMatchObject({
      status: 413,
      body: { error: { code: 'FILE_TOO_LARGE' } },
    });
    expect(await postUploads(stack, { filename: 'leads.xlsx', size: 10 })).toMatchObject({
      status: 415,
      body: { error: { code: 'NOT_CSV' } },
    });
    expect(await postUploads(stack, '{"filename":')).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_JSON' } },
    });
    expect(
      await postUploads(stack, { filename: 'leads.csv', size: 10, options: { strict_mode: 'maybe' } }),
    ).toMatchObject({ status: 400, body: { error: { code: 'INVALID_OPTIONS' } } });
  });

  it('keeps path-traversal file names inside uploads/<caller>/<import id>/', async () => {
    const names = [
      '../../../etc/passwd.csv',
      '..%2f..%2fleads.csv',
      '%2e%2e/%2e%2e/leads.csv',
      '..\\..\\leads.csv',
      'a\u0000b.csv',
      'leads.rejected.csv',
      `${'x'.repeat(2048)}.csv`,
    ];
    for (const filename of names) {
      const grant = await requestGrant(stack, filename, 10);
      const parts = grant.key.split('/');
      expect(parts.slice(0, 3), filename).toEqual(['uploads', stack.subject, grant.import_id]);
      expect(parts).toHaveLength(4);
      expect(grant.key).not.toContain('..');
      expect(grant.key.toLowerCase().endsWith('.rejected.csv')).toBe(false);
      expect(parts[3]!.length).toBeLessThanOrEqual(100);
    }
  });

  it('imports an upload granted for a traversal name at the granted key', async () => {
    const csv = csvText([HEADER, validLead(1)]);
    const grant = await requestGrant(stack, '../../../uploads/other-user/evil.csv', Buffer.byteLength(csv));
    expect((await upload(grant, csv)).status).toBe(200);
    const result = await waitForResult(grant.result_url);
    expect(result).toMatchObject({ status: 'succeeded', imported_count: 1, filename: 'evil.csv' });
    expect(result.source.key).toBe(`uploads/${stack.subject}/${grant.import_id}/evil.csv`);
    expect(await countImports(db, 'source_key like $1', ['uploads/other-user/%'])).toBe(0);
  });
});
