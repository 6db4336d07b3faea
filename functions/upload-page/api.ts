/**
 * What the page says to the presign API and to S3: the grant request, the presigned PUT (with
 * upload progress) and the result polling. Every failure becomes a PageError with a sentence a
 * sales-ops user can act on.
 */
import type { ImportOptionsInput } from '#core/contract/options';
import type { ImportResult } from '#core/contract/result';
import type { UploadGrant } from '../presign/grant.ts';

export type { ImportOptionsInput, ImportResult, UploadGrant };

export class PageError extends Error {
  override readonly name = 'PageError';
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** `{error: {code, message}}` from the presign function, `{message}` from API Gateway itself. */
async function apiMessage(res: Response): Promise<string | null> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown }; message?: unknown };
    const message = body.error?.message ?? body.message;
    return typeof message === 'string' ? message : null;
  } catch {
    return null;
  }
}

/** The sentence shown for a refused grant request, by HTTP status. */
export function refusalText(status: number, message: string | null): string {
  const detail = message ? ` ${message}` : '';
  switch (status) {
    case 401:
      return 'The API did not accept the token (401 Unauthorized). Paste a valid token: the LOCAL_API_TOKEN printed by `npm start`, or a current JWT from your identity provider.';
    case 413:
      return `The file is too large to upload (413).${detail}`;
    case 415:
      return `Only CSV files can be imported (415).${detail}`;
    case 400:
      return `The upload request was refused (400).${detail}`;
    case 403:
      return `The API refused the request (403).${detail}`;
    case 429:
      return 'Too many requests (429): wait a few seconds and try again.';
    default:
      return status >= 500
        ? `The upload API failed (${status}); try again in a moment.${detail}`
        : `The upload API answered ${status}.${detail}`;
  }
}

/** POST /uploads: the presigned PUT and the result links. */
export async function requestGrant(
  apiBase: string,
  token: string,
  file: { name: string; size: number },
  options: ImportOptionsInput,
): Promise<UploadGrant> {
  const bearer = token.trim().replace(/^Bearer\s+/i, '');
  let res: Response;
  try {
    res = await fetch(`${apiBase}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify({ filename: file.name, size: file.size, options }),
      cache: 'no-store',
    });
  } catch {
    throw new PageError(
      `Could not reach the upload API at ${apiBase || location.origin}. Check the network connection (in AWS: that the API allows this page's origin in its CORS settings).`,
    );
  }
  if (res.status !== 201) throw new PageError(refusalText(res.status, await apiMessage(res)), res.status);
  return (await res.json()) as UploadGrant;
}

/** Browsers set these themselves (from the body); a page may not. Content-Length equals the file size. */
const BROWSER_SET_HEADERS = new Set(['content-length', 'host']);

/** `<Code>` and `<Message>` of an S3 XML error body. */
function s3Error(xml: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  return [code, message].filter(Boolean).join(': ');
}

/**
 * The presigned PUT with exactly the grant's headers (the signature binds them), through
 * XMLHttpRequest because fetch has no upload progress.
 */
export function uploadFile(
  grant: UploadGrant,
  file: Blob,
  onProgress: (sent: number, total: number) => void,
): Promise<void> {
  if (String(file.size) !== grant.upload.headers['content-length']) {
    return Promise.reject(new PageError('The file changed after the upload was granted; choose it again.'));
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(grant.upload.method, grant.upload.url);
    for (const [name, value] of Object.entries(grant.upload.headers)) {
      if (!BROWSER_SET_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
        return;
      }
      const detail = s3Error(xhr.responseText);
      const expired = xhr.status === 403 && Date.parse(grant.expires_at) < Date.now();
      reject(
        new PageError(
          expired
            ? 'The upload link expired before the file was sent; upload again for a new link.'
            : `S3 refused the upload (${xhr.status}${detail ? ` ${detail}` : ''}). Upload again; if it keeps failing, tell your administrator.`,
          xhr.status,
        ),
      );
    };
    xhr.onerror = () =>
      reject(
        new PageError(
          "The upload failed: the connection to S3 broke or S3 does not allow this page's origin (CORS). Check the network and upload again.",
        ),
      );
    xhr.onabort = () => reject(new PageError('The upload was cancelled.'));
    xhr.send(file);
  });
}

/** When a presigned URL stops working: X-Amz-Date + X-Amz-Expires. */
export function presignedExpiry(url: string): number | null {
  const query = new URL(url).searchParams;
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(query.get('X-Amz-Date') ?? '');
  const seconds = Number(query.get('X-Amz-Expires'));
  if (!date || !Number.isFinite(seconds)) return null;
  const [, y, mo, d, h, mi, s] = date.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) + seconds * 1000;
}

export interface PollOptions {
  /** Called with each `processing` snapshot. */
  onProgress: (snapshot: ImportResult) => void;
  /** Delay before the next look; grows to `maxDelayMs`. */
  delayMs?: number;
  maxDelayMs?: number;
  /** Consecutive network failures tolerated. */
  maxNetworkFailures?: number;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** One poll's read, headers and body. */
const READ_TIMEOUT_MS = 5_000;

/**
 * Polls the presigned result URL until the import has finished. 404 (or 403, which S3 answers for
 * a missing key when the signer may not list the bucket) means "not written yet"; a `processing`
 * snapshot is progress. Gives up when the URL expires.
 */
export async function pollResult(url: string, options: PollOptions): Promise<ImportResult> {
  const { onProgress, maxDelayMs = 2000, maxNetworkFailures = 5, sleep = wait } = options;
  let delay = options.delayMs ?? 300;
  let networkFailures = 0;
  const expiry = presignedExpiry(url);
  for (;;) {
    let res: Response | undefined;
    try {
      // Bounded: a read racing the result's replacement on an S3-compatible server that rewrites in
      // place can stop short of its length and would hang; here it is one failed poll.
      res = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
      networkFailures = 0;
    } catch {
      if (++networkFailures > maxNetworkFailures)
        throw new PageError(
          'Lost the connection while waiting for the import result. The import goes on; reload the result later.',
        );
    }
    if (res?.ok) {
      // A result being replaced can read torn on some S3-compatible servers: treat it as not there yet.
      const result = (await res.json().catch(() => undefined)) as ImportResult | undefined;
      if (result && result.status !== 'processing') return result;
      if (result) onProgress(result);
    } else if (res && res.status >= 500) {
      // S3 asks clients to retry server errors; keep polling.
    } else if (res && res.status !== 404 && res.status !== 403) {
      throw new PageError(`Reading the import result failed (${res.status} ${s3Error(await res.text())}).`, res.status);
    }
    if (expiry !== null && Date.now() > expiry) {
      throw new PageError(
        'The import has not reported a result before the result link expired. It may still be running: check with your administrator.',
      );
    }
    await sleep(delay);
    delay = Math.min(maxDelayMs, Math.round(delay * 1.5));
  }
}
