import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform } from 'node:stream';

/**
 * An HTTP proxy in front of the local S3 server that injects real network faults: it cuts object
 * downloads part way, slows them down, or fails writes to chosen keys. SigV4 still verifies because
 * the Host header passes through unchanged.
 */
export interface S3Proxy {
  endpoint: string;
  /** Cut GET bodies of keys matching `pattern` after this many bytes (undefined: never). */
  cutDownloadsAfter: (pattern: RegExp | undefined, bytes?: number) => void;
  /** Limit GET bodies to this many bytes per second (undefined: full speed). */
  throttleDownloads: (bytesPerSecond: number | undefined) => void;
  /** Answer PUTs of keys matching `pattern` with 500 (undefined: pass). */
  failPuts: (pattern: RegExp | undefined) => void;
  close: () => Promise<void>;
}

export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const upstream = new URL(target);
  let cut: { pattern: RegExp; bytes: number } | undefined;
  let rate: number | undefined;
  let failing: RegExp | undefined;
  const server: Server = createServer((req, res) => {
    // Clients hang up mid-transfer on purpose in these tests; a reset socket is not a test failure.
    req.on('error', () => res.destroy());
    res.on('error', () => req.destroy());
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    if (req.method === 'PUT' && failing?.test(path)) {
      req.resume();
      res
        .writeHead(500, { 'content-type': 'application/xml' })
        .end('<Error><Code>InternalError</Code><Message>injected</Message></Error>');
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up: IncomingMessage) => {
        up.on('error', () => res.destroy());
        res.writeHead(up.statusCode ?? 502, up.headers);
        const isDownload = req.method === 'GET' && (up.statusCode ?? 0) < 300;
        if (isDownload && cut?.pattern.test(path)) {
          let sent = 0;
          const limit = cut.bytes;
          up.on('data', (chunk: Buffer) => {
            if (sent + chunk.length >= limit) {
              res.write(chunk.subarray(0, limit - sent));
              res.socket?.destroy();
              up.destroy();
              return;
            }
            sent += chunk.length;
            res.write(chunk);
          });
          up.on('end', () => res.end());
          return;
        }
        if (isDownload && rate) up.pipe(throttle(rate)).pipe(res);
        else up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cutDownloadsAfter: (pattern, bytes = 0) => (cut = pattern ? { pattern, bytes } : undefined),
    throttleDownloads: (bytesPerSecond) => (rate = bytesPerSecond),
    failPuts: (pattern) => (failing = pattern),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function throttle(bytesPerSecond: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      setTimeout(() => done(null, chunk), (chunk.length / bytesPerSecond) * 1000);
    },
  });
}
