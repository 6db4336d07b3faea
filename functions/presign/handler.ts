import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readPresignEnv, type PresignEnv } from '#io/presign-config';
import { errorFields, log } from '#io/log';
import { createS3Client } from '#io/s3';
import { PresignError } from './errors.ts';
import { createGrant, parseGrantRequest, type GrantDeps } from './grant.ts';
import { s3UrlSigner } from '#io/s3-signer';

export const ROUTE = { method: 'POST', path: '/uploads' } as const;

/** The API Gateway HTTP API (payload format 2.0) event, with or without JWT authorizer claims. */
type HttpEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & {
  requestContext: Omit<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'], 'authorizer'> & {
    authorizer?: Partial<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer']>;
  };
};

/** Payload 2.0 says `version: '2.0'` and carries the method in `requestContext.http`; v1 events do not. */
export function isHttpApiEvent(event: unknown): event is HttpEvent {
  const e = event as Partial<HttpEvent> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.version === '2.0' &&
    typeof e.rawPath === 'string' &&
    typeof e.requestContext?.http?.method === 'string'
  );
}

/**
 * The route's path. `rawPath` alone is not enough: on a named stage (not `$default`) API Gateway
 * keeps the stage as the first path segment (`/prod/uploads`).
 */
function routePath(event: HttpEvent): string {
  const { stage } = event.requestContext;
  const path = event.requestContext.http.path || event.rawPath;
  return stage && stage !== '$default' && path.startsWith(`/${stage}/`) ? path.slice(stage.length + 1) : path;
}

/** The JWT authorizer has verified the token and put its claims here; without a subject, no grant. */
function subjectOf(event: HttpEvent): string {
  const sub = event.requestContext.authorizer?.jwt?.claims?.sub;
  if (typeof sub === 'string' && sub !== '') return sub;
  throw new PresignError('UNAUTHORIZED', 'A bearer token is required: send Authorization: Bearer <token>.');
}

function jsonBody(event: HttpEvent): unknown {
  const text =
    event.body === undefined
      ? ''
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PresignError(
      'INVALID_JSON',
      'The request body must be JSON: {"filename": "leads.csv", "size": <bytes>, "options": {...}}.',
    );
  }
}

const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

export type PresignHandler = (event: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/** The adapter: check the route and the caller, parse the body, create the grant, map typed errors. */
export function createHandler(
  env: PresignEnv,
  signer = s3UrlSigner(createS3Client({ endpoint: env.S3_ENDPOINT }), env.BUCKET_NAME),
): PresignHandler {
  const deps: GrantDeps = {
    signer,
    limits: {
      maxUploadBytes: env.MAX_UPLOAD_BYTES,
      uploadUrlTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
      resultUrlTtlSeconds: env.RESULT_URL_TTL_SECONDS,
    },
  };
  return async (event) => {
    if (!isHttpApiEvent(event))
      throw new TypeError('The presign function expects an API Gateway HTTP API (payload 2.0) event');
    try {
      if (routePath(event) !== ROUTE.path)
        throw new PresignError(
          'NOT_FOUND',
          `No route ${event.requestContext.http.method} ${routePath(event)}; use POST ${ROUTE.path}.`,
        );
      if (event.requestContext.http.method !== ROUTE.method)
        throw new PresignError('METHOD_NOT_ALLOWED', `${ROUTE.path} accepts POST only.`);
      const subject = subjectOf(event);
      const grant = await createGrant(deps, subject, parseGrantRequest(jsonBody(event)));
      log.info('upload_granted', { import_id: grant.import_id, key: grant.key, expires_at: grant.expires_at });
      return json(201, grant);
    } catch (error) {
      if (error instanceof PresignError && error.code !== 'INTERNAL') {
        return json(error.status, error.toBody(), error.code === 'METHOD_NOT_ALLOWED' ? { allow: ROUTE.method } : {});
      }
      log.error('presign_error', { request_id: event.requestContext.requestId, ...errorFields(error) });
      return json(500, new PresignError('INTERNAL', 'The upload could not be granted; try again.').toBody());
    }
  };
}

/** Configuration and clients are created once per function instance, at the first event. */
let instance: PresignHandler | undefined;
export async function handler(event: unknown): Promise<APIGatewayProxyStructuredResultV2> {
  instance ??= createHandler(readPresignEnv());
  return instance(event);
}
