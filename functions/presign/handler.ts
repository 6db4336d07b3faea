import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lazyPool } from '#io/database';
import { isTransientDatabaseError } from '#io/database-errors';
import { log } from '#io/log';
import { unexpectedErrorResponse } from '../http/unexpected-error.ts';
import { readPresignEnv, type PresignEnv } from '#io/presign-config';
import { ruleSetLookup } from '#io/rule-set-store';
import { createS3Client } from '#io/s3';
import { PresignError } from './errors.ts';
import { createGrant, parseGrantRequest, type GrantDeps } from './grant.ts';
import { s3UrlSigner } from '#io/s3-signer';
import {
  type HttpEvent,
  isHttpApiEvent,
  jsonBody,
  jsonResponse,
  NO_BODY,
  routePath,
  subjectOf,
} from '../http/http-api-event.ts';

export const ROUTE = { method: 'POST', path: '/uploads' } as const;

/** The JWT authorizer has verified the token and put its claims here; without a subject, no grant. */
function callerOf(event: HttpEvent): string {
  const sub = subjectOf(event);
  if (sub !== undefined) return sub;
  throw new PresignError('UNAUTHORIZED', 'A bearer token is required: send Authorization: Bearer <token>.');
}

function grantBody(event: HttpEvent): unknown {
  let body: unknown;
  try {
    body = jsonBody(event);
  } catch {
    body = NO_BODY;
  }
  if (body !== NO_BODY) return body;
  throw new PresignError(
    'INVALID_JSON',
    'The request body must be JSON: {"filename": "leads.csv", "size": <bytes>, "options": {...}}.',
  );
}

export type PresignHandler = (event: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/** The adapter: check the route and the caller, parse the body, create the grant, map typed errors. */
export function createHandler(
  env: PresignEnv,
  clients: Partial<Pick<GrantDeps, 'signer' | 'ruleSetExists'>> = {},
): PresignHandler {
  const deps: GrantDeps = {
    signer: clients.signer ?? s3UrlSigner(createS3Client({ endpoint: env.S3_ENDPOINT }), env.BUCKET_NAME),
    ruleSetExists: clients.ruleSetExists ?? ruleSetLookup(lazyPool(env)),
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
      const subject = callerOf(event);
      const grant = await createGrant(deps, subject, parseGrantRequest(grantBody(event)));
      log.info('upload_granted', { import_id: grant.import_id, key: grant.key, expires_at: grant.expires_at });
      return jsonResponse(201, grant);
    } catch (error) {
      if (error instanceof PresignError && error.code !== 'INTERNAL') {
        return jsonResponse(
          error.status,
          error.toBody(),
          error.code === 'METHOD_NOT_ALLOWED' ? { allow: ROUTE.method } : {},
        );
      }
      // Passing database trouble (connection, login, lock or statement timeout) answers 503, as on the caller's API.
      return unexpectedErrorResponse(event, error, {
        logPrefix: 'presign',
        isTransient: isTransientDatabaseError,
        unavailableMessage: 'The upload could not be granted just now; try again.',
        internalMessage: 'The upload could not be granted; try again.',
      });
    }
  };
}

/** Configuration and clients are created once per function instance, at the first event. */
let instance: PresignHandler | undefined;
export async function handler(event: unknown): Promise<APIGatewayProxyStructuredResultV2> {
  instance ??= createHandler(readPresignEnv());
  return instance(event);
}
