/**
 * The local stack: the presign and caller's API Lambdas behind a local HTTP API, a local S3 server whose object-created
 * events reach the import Lambda through the CDK stack's filter, and PostgreSQL. Everything talks
 * real HTTP; the Lambdas are the same modules AWS runs. The API server also serves the upload page
 * at `/` (built in memory with esbuild), so the page and the API share one origin.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';
import { corsConfig, LOCAL_CREDENTIALS, startLocalS3 } from '../s3-server.ts';
import { prepareDatabase } from './database.ts';
import { buildUploadPage, uploadPageCsp } from '../build-upload-page.ts';
import { ROUTES } from '../../../functions/api/handler.ts';
import { type LocalCaller, startHttpApi, type HttpApiHandler, type StaticFile } from './http-api.ts';
import { DEFAULT_RETRY_DELAY_MS, ImportNotifications, type S3Lambda } from './s3-notifications.ts';

export const LOCAL_BUCKET = 'lead-uploads';
export const DEFAULT_SUBJECT = 'local-user';
const REGION = 'us-east-1';

export interface LocalStackOptions {
  /** API port; 0 picks a free one. Default 0. */
  port?: number;
  /** S3 port; 0 picks a free one. Default 0. */
  s3Port?: number;
  host?: string;
  /** Where the S3 server keeps objects; default a new temporary directory, removed at close. */
  s3Directory?: string;
  /** PostgreSQL to use (migrated at start); when unset, an embedded PostgreSQL under `pgDirectory`. */
  databaseUrl?: string | undefined;
  /** Embedded PostgreSQL data directory; default `.local/pg`. */
  pgDirectory?: string;
  /** The bearer token the local API accepts; generated when unset. */
  token?: string | undefined;
  /** The JWT subject an authorized request gets; default `local-user`. */
  subject?: string | undefined;
  /** More callers, each with its own token and subject (`LOCAL_API_TOKENS`). */
  callers?: readonly LocalCaller[];
  /** Passed to the presign Lambda as MAX_UPLOAD_BYTES / UPLOAD_URL_TTL_SECONDS / RESULT_URL_TTL_SECONDS. */
  maxUploadBytes?: number;
  uploadUrlTtlSeconds?: number;
  resultUrlTtlSeconds?: number;
  /** Serve the upload page at `/` (default true). */
  uploadPage?: boolean;
  /** Wait between the attempts of a failed import (default LOCAL_RETRY_DELAY_MS, else 2000). */
  retryDelayMs?: number;
}

export interface LocalStack {
  apiUrl: string;
  /** The upload page (`apiUrl` + `/`); undefined when started with `uploadPage: false`. */
  pageUrl: string | undefined;
  s3Endpoint: string;
  bucket: string;
  token: string;
  subject: string;
  /** Every caller the local API accepts: `token` / `subject` first, then the `callers` option's. */
  callers: readonly LocalCaller[];
  databaseUrl: string;
  embeddedPostgres: boolean;
  s3Directory: string;
  /** Import Lambda invocations for importable objects (`.csv` uploads, not the importer's outputs). */
  importInvocations: () => number;
  /** Every import Lambda invocation the notification filter let through (AWS would bill these). */
  lambdaInvocations: () => number;
  /** Resolves when no import is queued or running. */
  idle: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The Lambda modules read their configuration from process.env once per instance, as in AWS; one
 * process therefore hosts one stack.
 */
let started = false;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (started)
    throw new Error('startLocalStack: one local stack per process (the Lambda modules cache their configuration)');
  started = true;
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const subject = options.subject ?? DEFAULT_SUBJECT;
  const callers = [{ token, subject }, ...(options.callers ?? [])];
  if (new Set(callers.map((c) => c.token)).size !== callers.length)
    throw new Error('startLocalStack: two callers share a token');
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse())
      await closer().catch((error: unknown) => process.stderr.write(`local stack: close: ${String(error)}\n`));
  };
  try {
    const database = await prepareDatabase({
      databaseUrl: options.databaseUrl,
      dataDir: options.pgDirectory ?? join(process.cwd(), '.local', 'pg'),
    });
    closers.push(database.stop);

    // The API first: its origin goes into the bucket's CORS rule (the upload page is served from it).
    let presign: HttpApiHandler | undefined;
    let callerApi: HttpApiHandler | undefined;
    const lambda =
      (get: () => HttpApiHandler | undefined): HttpApiHandler =>
      (event) =>
        get()?.(event) ?? Promise.resolve({ statusCode: 503, body: '{"message":"Service Unavailable"}' });
    const staticFiles = new Map<string, StaticFile>();
    // The routes the CDK stack defines: POST /uploads (presign) and the caller's API routes.
    const api = await startHttpApi({
      staticFiles,
      host,
      port: options.port ?? 0,
      routes: [
        { method: 'POST', pattern: '/uploads', handler: lambda(() => presign) },
        ...ROUTES.map((r) => ({ method: r.method, pattern: r.pattern, handler: lambda(() => callerApi) })),
      ],
      fallback: lambda(() => presign),
      callers,
    });
    closers.push(api.close);

    const s3Directory = options.s3Directory ?? (await mkdtemp(join(tmpdir(), 'lead-import-stack-s3-')));
    if (!options.s3Directory) closers.push(() => rm(s3Directory, { recursive: true, force: true }));
    const pageOrigins = [api.url, ...(host === '127.0.0.1' ? [`http://localhost:${api.port}`] : [])];
    const s3 = await startLocalS3({
      bucket: LOCAL_BUCKET,
      port: options.s3Port ?? 0,
      directory: s3Directory,
      cors: corsConfig(pageOrigins),
    });
    closers.push(s3.close);
    if (options.uploadPage ?? true) await serveUploadPage(staticFiles, s3.endpoint);

    // What the CDK stack puts in the functions' environments, pointed at the local servers.
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: REGION,
      BUCKET_NAME: LOCAL_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      // The import, finisher and caller's API functions, and presign for a grant's rule_set check.
      DATABASE_URL: database.url,
      ...(options.maxUploadBytes ? { MAX_UPLOAD_BYTES: String(options.maxUploadBytes) } : {}),
      ...(options.uploadUrlTtlSeconds ? { UPLOAD_URL_TTL_SECONDS: String(options.uploadUrlTtlSeconds) } : {}),
      ...(options.resultUrlTtlSeconds ? { RESULT_URL_TTL_SECONDS: String(options.resultUrlTtlSeconds) } : {}),
    });
    // Imported only now: both read process.env (once) as they would in Lambda.
    const presignModule = await import('../../../functions/presign/handler.ts');
    const importModule = await import('../../../functions/import/handler.ts');
    const finisherModule = await import('../../../functions/finisher/handler.ts');
    const apiModule = await import('../../../functions/api/handler.ts');
    presign = presignModule.handler as HttpApiHandler;
    callerApi = apiModule.handler as HttpApiHandler;
    const notifications = new ImportNotifications(importModule.handler as S3Lambda, undefined, {
      finisher: finisherModule.handler,
      retryDelayMs: options.retryDelayMs ?? localRetryDelayMs(),
    });
    s3.onEvent((event: S3Event) => notifications.onEvent(event));
    // Let running imports finish before the servers they talk to go away.
    closers.push(() => notifications.idle());

    return {
      apiUrl: api.url,
      pageUrl: (options.uploadPage ?? true) ? `${api.url}/` : undefined,
      s3Endpoint: s3.endpoint,
      bucket: LOCAL_BUCKET,
      token,
      subject,
      callers,
      databaseUrl: database.url,
      embeddedPostgres: database.embedded,
      s3Directory,
      importInvocations: () => notifications.importInvocations(),
      lambdaInvocations: () => notifications.lambdaInvocations(),
      idle: () => notifications.idle(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** LOCAL_RETRY_DELAY_MS: milliseconds between the attempts of a failed import (default 2000). */
function localRetryDelayMs(): number {
  const raw = process.env.LOCAL_RETRY_DELAY_MS;
  if (raw === undefined || raw === '') return DEFAULT_RETRY_DELAY_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`Configuration LOCAL_RETRY_DELAY_MS: expected a whole number of milliseconds, got "${raw}"`);
  return value;
}

/**
 * The upload page's files under their URL paths. config.json leaves the API URL empty: the page
 * calls the API on its own origin. The CSP lets the page talk only to itself and the S3 server.
 */
async function serveUploadPage(files: Map<string, StaticFile>, s3Endpoint: string): Promise<void> {
  const csp = uploadPageCsp(s3Endpoint);
  for (const file of await buildUploadPage()) {
    const entry: StaticFile = {
      contentType: file.contentType,
      body: file.body,
      ...(file.path === 'index.html' ? { headers: { 'content-security-policy': csp } } : {}),
    };
    files.set(`/${file.path}`, entry);
    if (file.path === 'index.html') files.set('/', entry);
  }
  files.set('/config.json', {
    contentType: 'application/json',
    body: new TextEncoder().encode(JSON.stringify({ apiUrl: '' })),
  });
}
