import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import type { S3Event } from 'aws-lambda';
import { guardS3Server } from './s3-guard.ts';

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3 {
  endpoint: string;
  port: number;
  bucket: string;
  directory: string;
  /** Called for every S3 event the server emits (object created and removed). */
  onEvent: (listener: (event: S3Event) => void) => void;
  close: () => Promise<void>;
}

/**
 * A real S3-compatible HTTP server (s3rver) with one bucket; SigV4 and signed headers are checked,
 * and the guard (s3-guard.ts) refuses anonymous requests, form POSTs and unsigned `x-amz-*` headers.
 */
export async function startLocalS3(options: {
  bucket: string;
  port?: number;
  directory?: string;
  cors?: string;
}): Promise<LocalS3> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'lead-import-s3-')));
  const server = new S3rver({
    port: options.port ?? 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: options.bucket, configs: options.cors ? [options.cors] : [] }],
  });
  const address = (await server.run()) as { port: number };
  guardS3Server(server.httpServer!);
  // Errors inside s3rver's request handling are answered as S3 errors; do not crash the process.
  server.on('error', () => {});
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    bucket: options.bucket,
    directory,
    onEvent: (listener) => server.on('event', listener),
    // Keep-alive sockets from SDK clients would hold close() open forever.
    close: () => {
      server.httpServer?.closeAllConnections();
      return server.close();
    },
  };
}

/**
 * A bucket CORS configuration (s3rver `configs` entry) like the CDK bucket's: browsers on `origins`
 * may PUT the presigned upload and GET/HEAD the result files, with any request header.
 */
export function corsConfig(origins: string[]): string {
  const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '<CORSConfiguration>',
    '  <CORSRule>',
    ...origins.map((origin) => `    <AllowedOrigin>${escapeXml(origin)}</AllowedOrigin>`),
    ...['PUT', 'GET', 'HEAD'].map((method) => `    <AllowedMethod>${method}</AllowedMethod>`),
    '    <AllowedHeader>*</AllowedHeader>',
    '    <ExposeHeader>ETag</ExposeHeader>',
    '    <MaxAgeSeconds>3000</MaxAgeSeconds>',
    '  </CORSRule>',
    '</CORSConfiguration>',
  ].join('\n');
}
