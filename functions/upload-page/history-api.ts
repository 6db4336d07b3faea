/**
 * What the page says to the caller's API: the history, one import, a revert. Every failure becomes
 * a PageError with a sentence a sales-ops user can act on.
 */
import type { ImportResult } from '#core/contract/result';
import type { CallerImport } from '#io/caller-imports';
import { PageError } from './api.ts';

/** One line of `GET /imports`: the API's own type. */
export type ImportLine = CallerImport;

export interface ImportPage {
  imports: ImportLine[];
  next_cursor: string | null;
}

export interface ImportDetail extends ImportLine {
  result: ImportResult | null;
  result_url: string | null;
  error_report_url: string | null;
}

export interface RevertSummary {
  import_id: string;
  status: string;
  removed_leads: number;
  restored_leads: number;
  message: string;
}

/** A refused revert (409): its message names what to do. */
export class RevertRefused extends PageError {
  constructor(message: string) {
    super(message, 409);
  }
}

async function call<T>(apiBase: string, token: string, method: 'GET' | 'POST', path: string): Promise<T> {
  const bearer = token.trim().replace(/^Bearer\s+/i, '');
  let res: Response;
  try {
    res = await fetch(`${apiBase}${path}`, {
      method,
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      cache: 'no-store',
    });
  } catch {
    throw new PageError(`Could not reach the API at ${apiBase || location.origin}. Check the network connection.`);
  }
  if (res.ok) return (await res.json()) as T;
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string }; message?: string };
  const message = body.error?.message ?? body.message ?? '';
  switch (res.status) {
    case 401:
      throw new PageError('The API did not accept the token (401). Paste a valid token to see your imports.', 401);
    case 404:
      throw new PageError('This import does not exist, or it is not yours (404).', 404);
    case 409:
      throw new RevertRefused(message);
    case 429:
      throw new PageError('Too many requests (429): wait a few seconds and try again.', 429);
    default:
      throw new PageError(
        res.status >= 500
          ? `The API failed (${res.status}); try again in a moment.`
          : `The API answered ${res.status}. ${message}`,
        res.status,
      );
  }
}

export const listImports = (apiBase: string, token: string, cursor: string | null, limit = 10): Promise<ImportPage> =>
  call(apiBase, token, 'GET', `/imports?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);

export const getImport = (apiBase: string, token: string, id: string): Promise<ImportDetail> =>
  call(apiBase, token, 'GET', `/imports/${encodeURIComponent(id)}`);

export const revertImport = (apiBase: string, token: string, id: string): Promise<RevertSummary> =>
  call(apiBase, token, 'POST', `/imports/${encodeURIComponent(id)}/revert`);
