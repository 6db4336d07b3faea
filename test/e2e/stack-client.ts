/** HTTP-only helpers for the e2e tests: what a client of the local stack does, with fetch. */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { ImportResult } from '#core/result';
import type { UploadGrant } from '../../functions/presign/grant.ts';
import type { LocalStack } from '../../scripts/lib/local-stack/index.ts';

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function postUploads(stack: LocalStack, body: unknown, token: string | null = stack.token): Promise<ApiAnswer> {
  const res = await fetch(`${stack.apiUrl}/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(res.headers.get('content-type')).toBe('application/json');
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function requestGrant(stack: LocalStack, filename: string, size: number, options?: Record<string, unknown>): Promise<UploadGrant> {
  const answer = await postUploads(stack, { filename, size, ...(options ? { options } : {}) });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as unknown as UploadGrant;
}

/** The PUT a client makes with a grant; `headers` replaces the granted headers when given. */
export async function upload(grant: UploadGrant, body: string | Buffer, headers: Record<string, string> = grant.upload.headers, url = grant.upload.url): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: grant.upload.method, headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, text: await res.text() };
}

/** Polls a (presigned) result URL until the result exists and is no longer `processing`. */
export async function waitForResult(url: string, timeoutMs = 60_000): Promise<ImportResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A read racing the object's replacement on the local S3 server can be torn (cut short of its
    // Content-Length, which would hang until the socket times out): bounded, it is one missed poll.
    const read = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      .then(async (res) => ({ status: res.status, text: await res.text() }))
      .catch(() => undefined);
    if (read && read.status === 200) {
      const result = parseOrUndefined(read.text);
      if (result && result.status !== 'processing') return result;
    } else if (read && read.status < 500) {
      // S3 asks clients to retry 5xx; the local server answers 500 for that same race. Else: not there yet.
      expect(read.status, read.text).toBe(404);
    }
    if (Date.now() > deadline) throw new Error(`no result at ${url} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export async function httpStatus(url: string): Promise<number> {
  const res = await fetch(url);
  await res.body?.cancel();
  return res.status;
}

export const without = (headers: Record<string, string>, name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));

function parseOrUndefined(text: string): ImportResult | undefined {
  try {
    return JSON.parse(text) as ImportResult;
  } catch {
    return undefined;
  }
}
