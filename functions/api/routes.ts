/**
 * The caller's own API (import history, revert, rule sets): one Lambda behind the JWT authorizer,
 * one route table. Each feature contributes its routes from its own module; the handler only
 * matches method and path, names the caller, parses JSON and maps typed errors.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';

/** A request after the adapter: the route matched, the caller known (the JWT `sub`), the body parsed. */
export interface ApiRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The route path without a stage prefix, e.g. `/imports/0b8e...`. */
  path: string;
  /** Values of the `{name}` segments of the matched pattern, as sent (validated by the route). */
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** Parsed JSON body; undefined when none was sent. */
  body: unknown;
  /** The JWT subject; every route sees and changes only this caller's resources. */
  caller: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** Clients and settings, created once per function instance. */
export interface ApiDeps {
  pool: () => Promise<pg.Pool>;
  s3: S3Client;
  bucket: string;
  resultUrlTtlSeconds: number;
}

export interface Route {
  method: ApiRequest['method'];
  /** Path with `{name}` segments, e.g. `/imports/{id}/revert`. */
  pattern: string;
  handle: (request: ApiRequest, deps: ApiDeps) => Promise<ApiResponse>;
}
