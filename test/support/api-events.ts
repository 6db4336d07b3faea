import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { httpEvent } from './events.ts';

export interface ApiCall {
  /** JWT subject; null sends the request without authorizer claims. */
  sub: string | null;
  query?: Record<string, string>;
  body?: string;
}

/** The stored `GET /imports` event, re-aimed at another method, path, caller and query. */
export function apiEvent(method: string, path: string, call: ApiCall): APIGatewayProxyEventV2 {
  const event = httpEvent('http-get-imports.json') as APIGatewayProxyEventV2 & {
    requestContext: { authorizer?: { jwt: { claims: Record<string, string> } } };
  };
  event.routeKey = event.requestContext.routeKey = `${method} ${path}`;
  event.rawPath = event.requestContext.http.path = path;
  event.requestContext.http.method = method;
  const query = call.query ?? {};
  event.rawQueryString = new URLSearchParams(query).toString();
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  else delete event.queryStringParameters;
  if (call.sub === null) delete event.requestContext.authorizer;
  else event.requestContext.authorizer!.jwt.claims.sub = call.sub;
  if (call.body !== undefined) event.body = call.body;
  return event;
}
