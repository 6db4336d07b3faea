import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { InfraError } from '#core/contract/errors';
import { type ApiEnv, readApiEnv } from '#io/api-config';
import { lazyPool } from '#io/database';
import { isTransientDatabaseError } from '#io/database-errors';
import { unexpectedErrorResponse } from '../http/unexpected-error.ts';
import { createS3Client } from '#io/s3';
import {
  type HttpEvent,
  isHttpApiEvent,
  jsonBody,
  jsonResponse,
  NO_BODY,
  routePath,
  subjectOf,
} from '../http/http-api-event.ts';
import { ApiError } from './errors.ts';
import { importRoutes } from './import-routes.ts';
import { ruleSetRoutes } from './rule-set-routes.ts';
import type { ApiDeps, ApiRequest, Route } from './routes.ts';

/** Every route this function serves: one list per feature, concatenated. */
export const ROUTES: readonly Route[] = [...importRoutes, ...ruleSetRoutes];

/**
 * Trouble that usually passes answers 503 with Retry-After: passing database trouble (the one list
 * presign uses too) and, here only (presign reads nothing from S3), a failed read of a result file.
 */
const isTransient = (error: unknown): boolean =>
  isTransientDatabaseError(error) || (error instanceof InfraError && error.code === 'S3_READ_ERROR');

const segments = (path: string): string[] => path.split('/').filter((s) => s !== '');

/** The route's `{name}` values when `path` fits `pattern`, else undefined. */
export function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = segments(pattern);
  const got = segments(path);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = got[i]!;
    if (part.startsWith('{') && part.endsWith('}')) params[part.slice(1, -1)] = value;
    else if (part !== value) return undefined;
  }
  return params;
}

/** The route for method and path; 404 when no pattern fits the path, 405 (with Allow) when only the method is wrong. */
export function findRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } {
  const fitting = routes.flatMap((route) => {
    const params = matchPattern(route.pattern, path);
    return params ? [{ route, params }] : [];
  });
  if (fitting.length === 0) throw new ApiError('NOT_FOUND', `No route ${method} ${path}.`);
  const found = fitting.find((f) => f.route.method === method);
  if (found) return found;
  const allow = [...new Set(fitting.map((f) => f.route.method))].join(', ');
  throw new ApiError('METHOD_NOT_ALLOWED', `${path} accepts ${allow} only.`, { headers: { allow } });
}

function requestBody(event: HttpEvent): unknown {
  let body: unknown;
  try {
    body = jsonBody(event);
  } catch {
    throw new ApiError('INVALID_JSON', 'The request body must be JSON.');
  }
  return body === NO_BODY ? undefined : body;
}

function toRequest(event: HttpEvent, routes: readonly Route[]): { route: Route; request: ApiRequest } {
  const path = routePath(event);
  const { route, params } = findRoute(routes, event.requestContext.http.method.toUpperCase(), path);
  const caller = subjectOf(event);
  if (caller === undefined)
    throw new ApiError('UNAUTHORIZED', 'A bearer token is required: send Authorization: Bearer <token>.');
  return {
    route,
    request: {
      method: route.method,
      path,
      params,
      query: { ...event.queryStringParameters },
      body: requestBody(event),
      caller,
    },
  };
}

export type ApiHandler = (event: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/** The adapter: match the route, name the caller, parse the body, run the route, map typed errors. */
export function createApiHandler(deps: ApiDeps, routes: readonly Route[] = ROUTES): ApiHandler {
  return async (event) => {
    if (!isHttpApiEvent(event))
      throw new TypeError('The API function expects an API Gateway HTTP API (payload 2.0) event');
    try {
      const { route, request } = toRequest(event, routes);
      const response = await route.handle(request, deps);
      return jsonResponse(response.status, response.body);
    } catch (error) {
      if (error instanceof ApiError && error.code !== 'INTERNAL')
        return jsonResponse(error.status, error.toBody(), error.headers);
      return unexpectedErrorResponse(event, error, {
        logPrefix: 'api',
        isTransient,
        unavailableMessage: 'The service is briefly unavailable; try again.',
        internalMessage: 'The request failed; try again.',
      });
    }
  };
}

/** Clients from configuration: one database connection per instance, opened at the first query. */
export function apiDeps(env: ApiEnv): ApiDeps {
  return {
    s3: createS3Client({ endpoint: env.S3_ENDPOINT }),
    bucket: env.BUCKET_NAME,
    resultUrlTtlSeconds: env.RESULT_URL_TTL_SECONDS,
    pool: lazyPool(env),
  };
}

/** Configuration and clients are created once per function instance, at the first event. */
let instance: ApiHandler | undefined;
export async function handler(event: unknown): Promise<APIGatewayProxyStructuredResultV2> {
  instance ??= createApiHandler(apiDeps(readApiEnv()));
  return instance(event);
}
