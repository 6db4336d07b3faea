/**
 * What every HTTP API Lambda adapter (presign, the caller's own API) needs from an API Gateway HTTP
 * API payload 2.0 event: recognise it, find the route path, name the caller, read a JSON body, and
 * answer JSON. Pure helpers; each adapter maps a missing caller or a bad body to its own typed error.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The payload 2.0 event, with or without JWT authorizer claims. */
export type HttpEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & {
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
export function routePath(event: HttpEvent): string {
  const { stage } = event.requestContext;
  const path = event.requestContext.http.path || event.rawPath;
  return stage && stage !== '$default' && path.startsWith(`/${stage}/`) ? path.slice(stage.length + 1) : path;
}

/** The JWT subject the authorizer verified; undefined when there is none (no authorizer, no `sub`). */
export function subjectOf(event: HttpEvent): string | undefined {
  const sub = event.requestContext.authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' && sub !== '' ? sub : undefined;
}

export const NO_BODY = Symbol('no body');

/** The body parsed as JSON; NO_BODY when none was sent. Throws SyntaxError when it is not JSON. */
export function jsonBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === '') return NO_BODY;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return JSON.parse(text) as unknown;
}

export const jsonResponse = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});
