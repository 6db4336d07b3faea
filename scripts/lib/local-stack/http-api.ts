import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

/** API Gateway refuses request payloads over 10 MB; a grant request is a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

/** A bearer token the local API accepts and the JWT subject it stands for. */
export interface LocalCaller {
  token: string;
  subject: string;
}

/** A route the CDK stack defines (`{name}` segments match one path segment) and the Lambda behind it. */
export interface LocalRoute {
  method: string;
  pattern: string;
  handler: HttpApiHandler;
}

export interface HttpApiOptions {
  host: string;
  port: number;
  /**
   * The routes the CDK stack defines. A request whose path fits a route's pattern reaches that
   * route's Lambda (with a wrong method too: the Lambda answers 405); other paths reach `fallback`.
   */
  routes: readonly LocalRoute[];
  fallback: HttpApiHandler;
  /** Stand in for the JWT authorizer: `Authorization: Bearer <token>` gets `claims.sub = subject`. */
  callers: readonly LocalCaller[];
  /**
   * Static files answered for GET/HEAD before the handler sees the request (the upload page):
   * URL path -> file. Other paths and methods reach the handler as before.
   */
  staticFiles?: ReadonlyMap<string, StaticFile>;
}

export interface StaticFile {
  contentType: string;
  body: Uint8Array;
  /** Extra response headers (content-security-policy, ...). */
  headers?: Record<string, string>;
}

export interface HttpApi {
  url: string;
  port: number;
  close: () => Promise<void>;
}

const tokenMatches = (given: Buffer, token: string): boolean => {
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
};

/** The subject of the caller whose token the Authorization header carries (every token is compared). */
function callerOf(header: string | undefined, callers: readonly LocalCaller[]): string | undefined {
  const given = Buffer.from(/^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '');
  let subject: string | undefined;
  for (const caller of callers) if (tokenMatches(given, caller.token)) subject ??= caller.subject;
  return given.length === 0 ? undefined : subject;
}

const patternRegex = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split('/')
      .map((part) => (/^\{[^/}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}$`,
  );

/** The route whose pattern fits the path, preferring one whose method fits too. */
export function routeFor(routes: readonly LocalRoute[], method: string, path: string): LocalRoute | undefined {
  const fitting = routes.filter((r) => patternRegex(r.pattern).test(path));
  return fitting.find((r) => r.method === method) ?? fitting[0];
}

const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml)|text\/)/i;

/** One HTTP request as an API Gateway HTTP API payload 2.0 event. */
export function toEvent(
  req: IncomingMessage,
  body: Buffer,
  options: Pick<HttpApiOptions, 'routes' | 'callers'>,
  host: string,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', `http://${host}`);
  const method = (req.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const subject = callerOf(req.headers.authorization, options.callers);
  const text = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const route = routeFor(options.routes, method, url.pathname);
  const routeKey = route?.method === method ? `${method} ${route.pattern}` : '$default';
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(10).toString('base64url'),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !text,
  };
  if (subject !== undefined) {
    const iat = Math.floor(now.getTime() / 1000);
    (event.requestContext as { authorizer?: unknown }).authorizer = {
      jwt: {
        claims: {
          sub: subject,
          iss: 'local',
          aud: 'local',
          iat: String(iat),
          exp: String(iat + 3600),
          token_use: 'id',
        },
        scopes: null,
      },
    };
  }
  return event;
}

/** Payload 2.0 responses: a structured result, or any other value sent as a 200 JSON body. */
function send(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (
    typeof result === 'object' &&
    result !== null &&
    'statusCode' in result &&
    typeof result.statusCode === 'number'
  ) {
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
    if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
    res.writeHead(result.statusCode, headers);
    res.end(
      result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(typeof result === 'string' ? result : JSON.stringify(result));
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Answers GET/HEAD for a static file; false when the request is not for one. */
function sendStatic(
  req: IncomingMessage,
  res: ServerResponse,
  files: ReadonlyMap<string, StaticFile> | undefined,
): boolean {
  if (!files || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const file = files.get(new URL(req.url ?? '/', 'http://local').pathname);
  if (!file) return false;
  res.writeHead(200, {
    'content-type': file.contentType,
    'content-length': String(file.body.byteLength),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    ...file.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : file.body);
  return true;
}

/** A node:http server in front of a payload-2.0 Lambda handler, as API Gateway would be. */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        if (sendStatic(req, res, options.staticFiles)) return;
        const body = await readBody(req);
        if (body === undefined) {
          res
            .writeHead(413, { 'content-type': 'application/json' })
            .end(JSON.stringify({ message: 'Request Entity Too Large' }));
          return;
        }
        const event = toEvent(req, body, options, req.headers.host ?? `${options.host}:${options.port}`);
        const route = routeFor(options.routes, event.requestContext.http.method, event.rawPath);
        send(res, await (route?.handler ?? options.fallback)(event));
      } catch (error) {
        // What API Gateway answers when the integration fails.
        process.stderr.write(`local API: handler failed: ${(error as Error).stack ?? String(error)}\n`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal Server Error' }));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${options.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
