/**
 * The caller's API's typed errors. Codes come from a const array so the union type and the runtime
 * list cannot drift; each code knows its HTTP status, and an error serializes itself as the
 * `{error: {code, message}}` body every non-2xx answer carries (as the presign API's do).
 */
export const API_ERROR_CODES = [
  'INVALID_JSON',
  'INVALID_REQUEST',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'REVERT_REFUSED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const API_STATUS_OF: Record<ApiErrorCode, number> = {
  INVALID_JSON: 400,
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REVERT_REFUSED: 409,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string } & Record<string, unknown>;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  /** Extra fields of the error body (a refused revert's summary); never secrets. */
  readonly detail: Record<string, unknown> | undefined;
  readonly headers: Record<string, string>;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options: { cause?: unknown; detail?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = API_STATUS_OF[code];
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...this.detail } };
  }
}
