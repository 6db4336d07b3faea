import type { IncomingHttpHeaders, IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';

/**
 * A guard in front of the local S3 server (s3rver), which checks a signature only when a request
 * carries one: unsigned reads, writes and listings would succeed, and any web page open while
 * `npm start` runs could drop a file into the bucket with a form POST (no CORS preflight needed),
 * which the importer then loads into the database. Like S3, the guard answers 403 to:
 *
 * - anonymous requests (no `Authorization` header, no `X-Amz-Algorithm` or `Signature` query: the
 *   same test s3rver uses to decide whether to check a signature);
 *   CORS preflights (`OPTIONS`) pass, as S3 answers them without credentials;
 * - browser form POSTs (`multipart/form-data` or `application/x-www-form-urlencoded` without an
 *   `Authorization` header): the product offers no presigned POST policy, and s3rver could not
 *   enforce one;
 * - SigV4 requests carrying an `x-amz-*` header their signature does not list (S3's
 *   `HeadersNotSigned`): otherwise an unsigned `x-amz-meta-mapping` added to a granted PUT would be
 *   stored and applied by the importer.
 *
 * Whether the signature itself is right stays s3rver's check.
 */
export interface S3Refusal {
  code: 'AccessDenied' | 'HeadersNotSigned';
  message: string;
  /** The offending headers, for `HeadersNotSigned`. */
  headers?: string[];
}

const FORM_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded'];

export function s3Refusal(method: string, url: string, headers: IncomingHttpHeaders): S3Refusal | undefined {
  if (method === 'OPTIONS') return undefined;
  const query = new URL(url, 'http://s3.local').searchParams;
  const authorization = headers.authorization;
  const contentType = (headers['content-type'] ?? '').toLowerCase();
  if (method === 'POST' && authorization === undefined && FORM_TYPES.some((type) => contentType.startsWith(type))) {
    return { code: 'AccessDenied', message: 'Form POST uploads are not accepted; use a presigned PUT.' };
  }
  const signed = signedHeaders(authorization, query);
  if (signed === undefined) return { code: 'AccessDenied', message: 'Anonymous requests are not accepted.' };
  if (signed === 'all') return undefined;
  const unsigned = Object.keys(headers).filter((name) => name.startsWith('x-amz-') && !signed.has(name));
  if (unsigned.length > 0) {
    return {
      code: 'HeadersNotSigned',
      message: 'There were headers present in the request which were not signed',
      headers: unsigned,
    };
  }
  return undefined;
}

/**
 * The header names the request's signature covers: SigV4 lists them (`SignedHeaders=` in the
 * `Authorization` header, `X-Amz-SignedHeaders` in a presigned URL); SigV2 (`AWS key:signature`)
 * covers every `x-amz-*` header by definition ('all'); undefined when the request is not signed at all.
 */
function signedHeaders(authorization: string | undefined, query: URLSearchParams): Set<string> | 'all' | undefined {
  if (authorization !== undefined) {
    if (authorization.split(' ')[0]?.toUpperCase() === 'AWS') return 'all';
    const list = /SignedHeaders=([^,\s]*)/.exec(authorization)?.[1] ?? '';
    return new Set(list.toLowerCase().split(';'));
  }
  if (query.has('X-Amz-Algorithm')) {
    return new Set((query.get('X-Amz-SignedHeaders') ?? '').toLowerCase().split(';'));
  }
  if (query.has('Signature')) return 'all';
  return undefined;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** S3's error document. */
export function s3ErrorXml(refusal: S3Refusal): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Error>',
    `<Code>${refusal.code}</Code>`,
    `<Message>${escapeXml(refusal.message)}</Message>`,
    ...(refusal.headers ?? []).map((name) => `<HeadersNotSigned>${escapeXml(name)}</HeadersNotSigned>`),
    '</Error>',
  ].join('');
}

function refuse(req: IncomingMessage, res: ServerResponse, refusal: S3Refusal): void {
  // The refused body is not read; closing the connection stops the client sending it.
  req.on('error', () => {});
  res.writeHead(403, { 'content-type': 'application/xml', connection: 'close' });
  res.end(req.method === 'HEAD' ? undefined : s3ErrorXml(refusal));
}

/**
 * Puts the guard in front of every request handler of `server`. Called right after the server
 * starts listening and before control returns to the event loop, so no request gets past it.
 */
export function guardS3Server(server: Server): void {
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refusal = s3Refusal(req.method ?? 'GET', req.url ?? '/', req.headers);
    if (refusal) refuse(req, res, refusal);
    else for (const handler of handlers) handler.call(server, req, res);
  });
}
