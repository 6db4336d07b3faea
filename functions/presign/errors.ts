/**
 * The presign API's typed errors. Codes come from a const array so the union type and the runtime
 * list cannot drift; each code knows its HTTP status, and an error serializes itself as the
 * `{error: {code, message}}` body every non-2xx answer carries.
 */
export const PRESIGN_ERROR_CODES = [
  'INVALID_JSON',
  'INVALID_REQUEST',
  'INVALID_OPTIONS',
  'RULE_SET_NOT_FOUND',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'FILE_TOO_LARGE',
  'NOT_CSV',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;
export type PresignErrorCode = (typeof PRESIGN_ERROR_CODES)[number];

export const STATUS_OF: Record<PresignErrorCode, number> = {
  INVALID_JSON: 400,
  INVALID_REQUEST: 400,
  INVALID_OPTIONS: 400,
  RULE_SET_NOT_FOUND: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  FILE_TOO_LARGE: 413,
  NOT_CSV: 415,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface PresignErrorBody {
  error: { code: PresignErrorCode; message: string };
}

export class PresignError extends Error {
  override readonly name = 'PresignError';
  readonly status: number;
  readonly detail: Record<string, unknown> | undefined;
  constructor(
    readonly code: PresignErrorCode,
    message: string,
    options: { cause?: unknown; detail?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = STATUS_OF[code];
    this.detail = options.detail;
  }

  toBody(): PresignErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}
