/** HTTP-only helpers for the e2e tests: what a client of the local stack does, with fetch. */
import { expect } from 'vitest';
import type { UploadGrant } from '../../functions/presign/grant.ts';
import type { LocalStack } from '../../scripts/lib/local-stack/index.ts';

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function postUploads(
  stack: LocalStack,
  body: unknown,
  token: string | null = stack.token,
): Promise<ApiAnswer> {
  const res = await fetch(`${stack.apiUrl}/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(res.headers.get('content-type')).toBe('application/json');
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function requestGrant(
  stack: LocalStack,
  filename: string,
  size: number,
  options?: Record<string, unknown>,
): Promise<UploadGrant> {
  const answer = await postUploads(stack, { filename, size, ...(options ? { options } : {}) });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as unknown as UploadGrant;
}

/** The PUT a client makes with a grant; `headers` replaces the granted headers when given. */
export async function upload(
  grant: UploadGrant,
  body: string | Buffer,
  headers: Record<string, string> = grant.upload.headers,
  url = grant.upload.url,
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: grant.upload.method,
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: res.status, text: await res.text() };
}

export { waitForResult } from '../../scripts/lib/local-stack/result-poller.ts';

export async function httpStatus(url: string): Promise<number> {
  const res = await fetch(url);
  await res.body?.cancel();
  return res.status;
}

export const without = (headers: Record<string, string>, name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
