import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_METADATA_BYTES, metadataBytes } from '#core/contract/metadata';
import { optionsFromMetadata } from '#core/contract/options';
import { readPresignEnv } from '#io/presign-config';
import { httpEvent } from '#test/events';
import type { PresignErrorCode } from '../../functions/presign/errors.ts';
import type { UploadGrant } from '../../functions/presign/grant.ts';
import { createHandler, type PresignHandler } from '../../functions/presign/handler.ts';

const SUB = '7d0e8d42-1c2a-4f6b-9e81-3b5a6c7d8e9f';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ENV = { BUCKET_NAME: 'lead-uploads', MAX_UPLOAD_BYTES: '1000000' };

let handler: PresignHandler;
beforeAll(() => {
  // Presigning is local computation: fake credentials, no network.
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFDEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_SESSION_TOKEN;
  handler = createHandler(readPresignEnv(ENV));
});

/** The stored authorized event with another body (an object is sent as JSON). */
function postUploads(body: unknown, file = 'http-post-uploads.json'): APIGatewayProxyEventV2 {
  const event = httpEvent(file);
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  return event;
}

async function call(
  event: unknown,
  h = handler,
): Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }> {
  const out = (await h(event)) as APIGatewayProxyStructuredResultV2;
  expect(out.headers?.['content-type']).toBe('application/json');
  return {
    status: out.statusCode!,
    headers: out.headers ?? {},
    body: JSON.parse(out.body ?? 'null') as Record<string, unknown>,
  };
}

async function grant(body: unknown, h = handler): Promise<UploadGrant> {
  const res = await call(postUploads(body), h);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as unknown as UploadGrant;
}

/** Every error answers {error: {code, message}} with the code's status. */
async function expectError(event: unknown, status: number, code: PresignErrorCode, h = handler): Promise<string> {
  const res = await call(event, h);
  expect(res).toMatchObject({ status, body: { error: { code, message: expect.any(String) } } });
  expect(Object.keys(res.body)).toEqual(['error']);
  return (res.body.error as { message: string }).message;
}

const query = (url: string) => new URL(url).searchParams;

describe('POST /uploads: the grant', () => {
  it('answers 201 with the key, the import id, a presigned PUT and presigned result GETs', async () => {
    const g = await grant({ filename: 'leads_1000.csv', size: 148217, options: { strict_mode: true } });
    expect(Object.keys(g).sort()).toEqual([
      'error_report_key',
      'error_report_url',
      'expires_at',
      'import_id',
      'key',
      'result_key',
      'result_url',
      'upload',
    ]);
    expect(g.import_id).toMatch(UUID);
    expect(g.key).toBe(`uploads/${SUB}/${g.import_id}/leads_1000.csv`);
    expect(g.result_key).toBe(`${g.key}.result.json`);
    expect(g.error_report_key).toBe(`${g.key}.rejected.csv`);
    expect(g.upload.method).toBe('PUT');
    const url = new URL(g.upload.url);
    expect(url.hostname).toBe('lead-uploads.s3.us-east-1.amazonaws.com');
    expect(decodeURIComponent(url.pathname)).toBe(`/${g.key}`);
  });

  it('binds size, content type, options, import id and uploader as signed headers, not query parameters', async () => {
    const g = await grant({
      filename: 'leads.csv',
      size: 1234,
      options: { strict_mode: true, on_duplicate: 'update' },
    });
    expect(g.upload.headers).toEqual({
      'content-type': 'text/csv',
      'content-length': '1234',
      'x-amz-meta-strict-mode': 'true',
      'x-amz-meta-error-threshold': '0.1',
      'x-amz-meta-on-duplicate': 'update',
      'x-amz-meta-encoding': 'auto',
      'x-amz-meta-delimiter': 'auto',
      'x-amz-meta-phone-region': 'US',
      'x-amz-meta-dry-run': 'false',
      'x-amz-meta-match-on': 'email',
      'x-amz-meta-import-id': g.import_id,
      'x-amz-meta-uploader': SUB,
    });
    const q = query(g.upload.url);
    expect(q.get('X-Amz-SignedHeaders')!.split(';').sort()).toEqual(['host', ...Object.keys(g.upload.headers)].sort());
    expect([...q.keys()].filter((k) => k.toLowerCase().startsWith('x-amz-meta-'))).toEqual([]);
    expect(q.get('X-Amz-Content-Sha256')).toBe('UNSIGNED-PAYLOAD');
  });

  it('signs the chosen rule set as rule-set metadata', async () => {
    const known = createHandler(readPresignEnv(ENV), { ruleSetExists: async () => true });
    const g = await grant({ filename: 'leads.csv', size: 10, options: { rule_set: 'emea-sales' } }, known);
    expect(g.upload.headers['x-amz-meta-rule-set']).toBe('emea-sales');
    const signed = query(g.upload.url).get('X-Amz-SignedHeaders')!.split(';');
    expect(signed).toContain('x-amz-meta-rule-set');
  });

  it('signs the metadata the importer reads back as the same options', async () => {
    const mapping = { Société: 'company_name', 'E-mail  Adresse': 'contact_email' };
    const g = await grant({
      filename: 'leads.csv',
      size: 10,
      options: { delimiter: '\t', mapping, error_threshold: 0.25 },
    });
    for (const value of Object.values(g.upload.headers)) expect(value).toMatch(/^[\x21-\x7e]+$/);
    expect(g.upload.headers['x-amz-meta-delimiter']).toBe('tab');
    const metadata = Object.fromEntries(
      Object.entries(g.upload.headers)
        .filter(([k]) => k.startsWith('x-amz-meta-'))
        .map(([k, v]) => [k.slice(11), v]),
    );
    expect(optionsFromMetadata(metadata)).toMatchObject({
      delimiter: '\t',
      mapping,
      error_threshold: 0.25,
      strict_mode: false,
    });
  });

  it('expires the upload after UPLOAD_URL_TTL_SECONDS and the result URLs after RESULT_URL_TTL_SECONDS', async () => {
    const g = await grant({ filename: 'leads.csv', size: 10 });
    const q = query(g.upload.url);
    expect(q.get('X-Amz-Expires')).toBe('300');
    const signedAt = q.get('X-Amz-Date')!.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z');
    expect(new Date(g.expires_at).getTime() - new Date(signedAt).getTime()).toBeGreaterThanOrEqual(300_000);
    expect(new Date(g.expires_at).getTime() - new Date(signedAt).getTime()).toBeLessThan(301_000);
    for (const [url, key] of [
      [g.result_url, g.result_key],
      [g.error_report_url, g.error_report_key],
    ] as const) {
      expect(query(url).get('X-Amz-Expires')).toBe('3600');
      expect(decodeURIComponent(new URL(url).pathname)).toBe(`/${key}`);
    }

    const short = createHandler(
      readPresignEnv({ ...ENV, UPLOAD_URL_TTL_SECONDS: '60', RESULT_URL_TTL_SECONDS: '120' }),
    );
    const s = await grant({ filename: 'leads.csv', size: 10 }, short);
    expect(query(s.upload.url).get('X-Amz-Expires')).toBe('60');
    expect(query(s.result_url).get('X-Amz-Expires')).toBe('120');
  });

  it('gives every grant its own import id and key', async () => {
    const [a, b] = await Promise.all([
      grant({ filename: 'leads.csv', size: 10 }),
      grant({ filename: 'leads.csv', size: 10 }),
    ]);
    expect(a!.import_id).not.toBe(b!.import_id);
    expect(a!.key).not.toBe(b!.key);
  });

  it('puts a subject that is not path-safe under a hashed folder', async () => {
    const event = postUploads({ filename: 'leads.csv', size: 10 });
    event.requestContext = {
      ...event.requestContext,
      authorizer: { jwt: { claims: { sub: '../../admin' }, scopes: [] } },
    } as never;
    const res = await call(event);
    const g = res.body as unknown as UploadGrant;
    expect(g.key).toMatch(new RegExp(`^uploads/u-[0-9a-f]{32}/${g.import_id}/leads\\.csv$`));
    expect(g.upload.headers['x-amz-meta-uploader']).toBe(g.key.split('/')[1]);
  });

  it.each([
    ['../../../etc/passwd.csv', 'passwd.csv'],
    ['%2e%2e%2f%2e%2e%2fleads.csv', '_2e_2e_2f_2e_2e_2fleads.csv'],
    ['..\\..\\leads.csv', 'leads.csv'],
    ['a\0b.csv', 'a_b.csv'],
    ['leads.rejected.csv', 'leads_rejected.csv'],
    ['x'.repeat(2048) + '.CSV', 'x'.repeat(96) + '.csv'],
  ])('keeps %j inside uploads/<caller>/<id>/ as %j', async (filename, safe) => {
    const g = await grant({ filename, size: 10 });
    expect(g.key).toBe(`uploads/${SUB}/${g.import_id}/${safe}`);
    expect(g.key).not.toContain('..');
  });

  it('reads a base64-encoded body', async () => {
    const event = postUploads('');
    event.body = Buffer.from(JSON.stringify({ filename: 'leads.csv', size: 10 })).toString('base64');
    event.isBase64Encoded = true;
    expect((await call(event)).status).toBe(201);
  });

  it('finds the route on a named stage, where the stage is the first path segment', async () => {
    const event = postUploads({ filename: 'leads.csv', size: 10 });
    event.requestContext.stage = 'prod';
    event.rawPath = event.requestContext.http.path = '/prod/uploads';
    expect((await call(event)).status).toBe(201);
  });
});

describe('POST /uploads: refusals', () => {
  it('answers 401 without authorizer claims (no token)', async () => {
    const message = await expectError(httpEvent('http-post-uploads-no-auth.json'), 401, 'UNAUTHORIZED');
    expect(message).toContain('Bearer');
  });

  it('answers 401 when the claims carry no subject', async () => {
    const event = postUploads({ filename: 'leads.csv', size: 10 });
    event.requestContext = {
      ...event.requestContext,
      authorizer: { jwt: { claims: { sub: '' }, scopes: [] } },
    } as never;
    await expectError(event, 401, 'UNAUTHORIZED');
  });

  it.each(['', 'not json', '{"filename":', 'null'])('answers 400 to the body %j', async (body) => {
    await expectError(postUploads(body), 400, body === 'null' ? 'INVALID_REQUEST' : 'INVALID_JSON');
  });

  it.each([
    [{ size: 10 }, 'filename'],
    [{ filename: 'leads.csv' }, 'size'],
    [{ filename: 'leads.csv', size: 0 }, 'size'],
    [{ filename: 'leads.csv', size: -1 }, 'size'],
    [{ filename: 'leads.csv', size: 1.5 }, 'size'],
    [{ filename: 'leads.csv', size: '10' }, 'size'],
    [{ filename: '', size: 10 }, 'filename'],
    [{ filename: 'leads.csv', size: 10, bucket: 'other' }, 'body'],
    [{ filename: 'leads.csv', size: 10, options: 'strict' }, 'options'],
  ])('answers 400 INVALID_REQUEST to %j, naming %s', async (body, field) => {
    expect(await expectError(postUploads(body), 400, 'INVALID_REQUEST')).toContain(field);
  });

  it.each([
    [{ strict_mode: 'maybe' }, 'strict_mode'],
    [{ error_threshold: 2 }, 'error_threshold'],
    [{ on_duplicate: 'merge' }, 'on_duplicate'],
    [{ dry_run: 'perhaps' }, 'dry_run'],
    [{ match_on: 'phone' }, 'match_on'],
    [{ unknown_option: true }, 'unknown_option'],
    [{ rule_set: '../Other' }, 'rule_set'],
  ])('answers 400 INVALID_OPTIONS to options %j, naming %s', async (options, name) => {
    expect(
      await expectError(postUploads({ filename: 'leads.csv', size: 10, options }), 400, 'INVALID_OPTIONS'),
    ).toContain(name);
  });

  it.each([
    ['{"filename":"leads.csv","size":10,"options":{"__proto__":{"strict_mode":true}}}', '__proto__'],
    ['{"filename":"leads.csv","size":10,"options":{"constructor":"x"}}', 'constructor'],
    ['{"filename":"leads.csv","size":10,"options":{"prototype":{}}}', 'prototype'],
    ['{"filename":"leads.csv","size":10,"options":{"mapping":{"__proto__":"company_name"}}}', 'mapping.__proto__'],
    [
      '{"filename":"leads.csv","size":10,"options":{"mapping":"{\\"constructor\\":\\"notes\\"}"}}',
      'mapping.constructor',
    ],
  ])('answers 400 INVALID_OPTIONS to the reserved key in %s instead of dropping it', async (body, name) => {
    expect(await expectError(postUploads(body), 400, 'INVALID_OPTIONS')).toContain(name);
  });

  it('answers 400 when the options do not fit in 2 KB of S3 metadata', async () => {
    const mapping = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`Column header number ${i}`, 'notes']));
    expect(
      await expectError(postUploads({ filename: 'leads.csv', size: 10, options: { mapping } }), 400, 'INVALID_OPTIONS'),
    ).toContain('2048');
  });

  it('answers 400 naming the 2 KB budget when a mapping makes the metadata too large, and grants one that just fits', async () => {
    // Prepare: a mapping padded until the signed metadata is exactly the budget.
    const metadataOf = (g: UploadGrant) =>
      Object.fromEntries(
        Object.entries(g.upload.headers)
          .filter(([k]) => k.startsWith('x-amz-meta-'))
          .map(([k, v]) => [k.slice(11), v]),
      );
    const mappingOf = (pad: number) => ({ Firma: 'company_name', [`Notiz ${'x'.repeat(pad)}`]: 'notes' });
    const small = await grant({ filename: 'leads.csv', size: 10, options: { mapping: mappingOf(0) } });
    const room = MAX_METADATA_BYTES - metadataBytes(metadataOf(small));
    // Act
    const fits = await grant({ filename: 'leads.csv', size: 10, options: { mapping: mappingOf(room) } });
    const message = await expectError(
      postUploads({ filename: 'leads.csv', size: 10, options: { mapping: mappingOf(room + 1) } }),
      400,
      'INVALID_OPTIONS',
    );
    // Assess
    expect(metadataBytes(metadataOf(fits))).toBe(MAX_METADATA_BYTES);
    expect(message).toContain(`S3's 2 KB user-metadata budget of ${MAX_METADATA_BYTES} bytes`);
    expect(message).toContain(`The options take ${MAX_METADATA_BYTES + 1} bytes`);
    expect(message).toMatch(/the mapping alone takes \d+/);
  });

  it('signs dry_run and match_on as dry-run and match-on', async () => {
    const g = await grant({ filename: 'leads.csv', size: 10, options: { dry_run: true, match_on: 'email_or_name' } });
    expect(g.upload.headers['x-amz-meta-dry-run']).toBe('true');
    expect(g.upload.headers['x-amz-meta-match-on']).toBe('email_or_name');
    const plain = await grant({ filename: 'leads.csv', size: 10 });
    expect(plain.upload.headers['x-amz-meta-dry-run']).toBe('false');
    expect(plain.upload.headers['x-amz-meta-match-on']).toBe('email');
  });

  it('answers 413 above MAX_UPLOAD_BYTES and grants exactly the limit', async () => {
    await expectError(postUploads({ filename: 'leads.csv', size: 1_000_001 }), 413, 'FILE_TOO_LARGE');
    expect((await grant({ filename: 'leads.csv', size: 1_000_000 })).upload.headers['content-length']).toBe('1000000');
  });

  it('defaults MAX_UPLOAD_BYTES to 100 MiB', async () => {
    const defaults = createHandler(readPresignEnv({ BUCKET_NAME: 'lead-uploads' }));
    await expectError(postUploads({ filename: 'leads.csv', size: 104_857_601 }), 413, 'FILE_TOO_LARGE', defaults);
    await grant({ filename: 'leads.csv', size: 104_857_600 }, defaults);
  });

  it.each(['leads.txt', 'leads.xlsx', 'leads.csv.exe', 'leads', '../leads.csv/'])(
    'answers 415 NOT_CSV to %j',
    async (filename) => {
      await expectError(postUploads({ filename, size: 10 }), 415, 'NOT_CSV');
    },
  );

  it('answers 404 to another path and 405 to another method on /uploads', async () => {
    const other = postUploads({ filename: 'leads.csv', size: 10 });
    other.rawPath = other.requestContext.http.path = '/uploads/123';
    await expectError(other, 404, 'NOT_FOUND');
    const get = postUploads('');
    get.requestContext.http.method = 'GET';
    await expectError(get, 405, 'METHOD_NOT_ALLOWED');
    expect((await call(get)).headers.allow).toBe('POST');
  });

  it('refuses an event that is not an HTTP API payload 2.0 event', async () => {
    await expect(handler({ Records: [] })).rejects.toThrow(/HTTP API/);
  });
});

describe('presign configuration', () => {
  it('requires BUCKET_NAME and names it', () => {
    expect(() => readPresignEnv({})).toThrow(/BUCKET_NAME/);
  });

  it('reads the defaults', () => {
    expect(readPresignEnv({ BUCKET_NAME: 'b' })).toMatchObject({
      BUCKET_NAME: 'b',
      MAX_UPLOAD_BYTES: 104857600,
      UPLOAD_URL_TTL_SECONDS: 300,
      RESULT_URL_TTL_SECONDS: 3600,
    });
  });

  it('refuses a URL lifetime S3 does not accept (more than 7 days)', () => {
    expect(() => readPresignEnv({ BUCKET_NAME: 'b', UPLOAD_URL_TTL_SECONDS: '604801' })).toThrow(
      /UPLOAD_URL_TTL_SECONDS/,
    );
  });
});
