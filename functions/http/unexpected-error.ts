/**
 * The answer of an HTTP adapter (presign, the caller's API) to an error none of its typed errors
 * describes: 503 with Retry-After when the trouble passes (the adapter says which does), else 500.
 * Logged with the request id either way; the body is the `{error: {code, message}}` every non-2xx carries
 * and says nothing of the cause.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorFields, log } from '#io/log';
import { type HttpEvent, jsonResponse } from './http-api-event.ts';

export interface UnexpectedErrorAnswer {
  /** Log event names: `${prefix}_unavailable` (warn) and `${prefix}_error` (error). */
  logPrefix: string;
  isTransient: (error: unknown) => boolean;
  unavailableMessage: string;
  internalMessage: string;
}

export function unexpectedErrorResponse(
  event: HttpEvent,
  error: unknown,
  answer: UnexpectedErrorAnswer,
): APIGatewayProxyStructuredResultV2 {
  const fields = { request_id: event.requestContext.requestId, ...errorFields(error) };
  if (answer.isTransient(error)) {
    log.warn(`${answer.logPrefix}_unavailable`, fields);
    return jsonResponse(
      503,
      { error: { code: 'SERVICE_UNAVAILABLE', message: answer.unavailableMessage } },
      { 'retry-after': '1' },
    );
  }
  log.error(`${answer.logPrefix}_error`, fields);
  return jsonResponse(500, { error: { code: 'INTERNAL', message: answer.internalMessage } });
}
