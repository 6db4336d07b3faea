/**
 * The caller's own imports: `GET /imports`, `GET /imports/{id}`, `POST /imports/{id}/revert`.
 * An import belongs to the `uploader` its object metadata names (the presign grant signs the
 * caller's segment into it); another caller's import answers exactly as a missing one does.
 */
import { z } from 'zod';
import { isUuid } from '#core/contract/columns';
import { resultKeyFor } from '#core/contract/keys';
import type { ImportResult } from '#core/contract/result';
import { getCallerImport, listCallerImports, ownedImportIds, type PageKey } from '#io/caller-imports';
import { revertImport, type RevertOutcome } from '#io/revert';
import { revertSummary } from '#io/revert-summary';
import { readJsonUpTo } from '#io/s3';
import { s3UrlSigner } from '#io/s3-signer';
import { callerSegment } from '../presign/upload-key.ts';
import { ApiError } from './errors.ts';
import type { ApiDeps, ApiRequest, ApiResponse, Route } from './routes.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `uploads/<caller>/...` and the `uploader` metadata use the same segment, so both sides agree. */
const uploaderOf = (request: ApiRequest): string => callerSegment(request.caller);

function importId(request: ApiRequest): string {
  const id = request.params.id ?? '';
  if (!isUuid(id))
    throw new ApiError('INVALID_REQUEST', 'The import id must be a UUID such as 0b9c7c6e-3f5e-4a59-9a53-2d0f1f6f1d2e.');
  return id.toLowerCase();
}

const notFound = (id: string) => new ApiError('NOT_FOUND', `No import with id ${id}.`);

function pageSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  const n = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw new ApiError('INVALID_REQUEST', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  return n;
}

/** The cursor is opaque to clients: base64url of [started_at with microseconds, id]. */
const cursorShape = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  z.string().refine(isUuid),
]);

export const encodeCursor = (key: PageKey): string =>
  Buffer.from(JSON.stringify([key.startedAt, key.id]), 'utf8').toString('base64url');

export function decodeCursor(cursor: string): PageKey {
  const parsed = (() => {
    if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
    try {
      return cursorShape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    } catch {
      return undefined;
    }
  })();
  if (!parsed?.success) throw new ApiError('INVALID_REQUEST', 'cursor is not a next_cursor this API returned.');
  const [startedAt, id] = parsed.data;
  return { startedAt, id: id.toLowerCase() };
}

async function listImports(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const limit = pageSize(request.query.limit);
  const after = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor);
  const page = await listCallerImports(await deps.pool(), uploaderOf(request), { limit, after });
  return { status: 200, body: { imports: page.imports, next_cursor: page.next ? encodeCursor(page.next) : null } };
}

/** Lambda answers at most 6 MB; a result file larger than this is answered from the database copy. */
export const MAX_RESULT_BYTES = 4 * 1024 * 1024;

/**
 * The result file as the uploader saw it (a `processing` snapshot while the import runs). When the
 * file is gone (the bucket's lifecycle expires uploads; the history stays) or too large, the copy in
 * lead_imports answers instead, without URLs: there is nothing left to download.
 */
async function showImport(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const id = importId(request);
  const record = await getCallerImport(await deps.pool(), uploaderOf(request), id);
  if (!record) throw notFound(id);
  const { source_bucket, source_key, result: stored, ...summary } = record;
  // Files of an import from another bucket (none today) are outside this function's rights.
  const resultKey = resultKeyFor(source_key);
  const file =
    source_bucket === deps.bucket
      ? await readJsonUpTo<ImportResult>(deps.s3, deps.bucket, resultKey, MAX_RESULT_BYTES)
      : undefined;
  const result = file ?? stored;
  const signer = s3UrlSigner(deps.s3, deps.bucket);
  const now = new Date();
  const sign = (key: string | null | undefined) =>
    file && key ? signer.signGet(key, deps.resultUrlTtlSeconds, now) : Promise.resolve(null);
  return {
    status: 200,
    body: {
      ...summary,
      result,
      result_url: await sign(resultKey),
      error_report_url: await sign(result?.error_report_key),
      urls_expire_at: file ? new Date(now.getTime() + deps.resultUrlTtlSeconds * 1000).toISOString() : null,
    },
  };
}

async function revert(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const id = importId(request);
  const pool = await deps.pool();
  const uploader = uploaderOf(request);
  // Ownership first: the uploader of an import never changes, so the check cannot go stale.
  if (!(await getCallerImport(pool, uploader, id))) throw notFound(id);
  const outcome = await revertImport(pool, id);
  if (outcome.outcome === 'not_found') throw notFound(id);
  if (outcome.outcome !== 'refused') return { status: 200, body: revertSummary(outcome) };
  const refusal = await withoutOthersImports(outcome, ownedImportIds.bind(null, pool, uploader));
  throw new ApiError('REVERT_REFUSED', refusal.message, {
    detail: {
      import_id: id,
      refused: refusal.reason,
      conflict_count: refusal.conflict_count,
      conflicts: refusal.conflicts,
    },
  });
}

type Refusal = Extract<RevertOutcome, { outcome: 'refused' }>;

/** What a 409 tells the caller: a later import of another caller is a lead id with a null import id. */
export interface CallerRefusal {
  reason: Refusal['reason'];
  message: string;
  conflict_count: number;
  conflicts: { lead_id: number; import_id: string | null }[];
}

/**
 * A refusal names the later imports that changed the same leads; the ids of other callers' imports
 * must not leak, so they become null and the message counts them instead of naming them.
 */
export async function withoutOthersImports(
  refusal: Refusal,
  owned: (ids: string[]) => Promise<Set<string>>,
): Promise<CallerRefusal> {
  const { reason, message, conflict_count } = refusal;
  if (reason !== 'LATER_IMPORT_CHANGED_LEADS') return { reason, message, conflict_count, conflicts: refusal.conflicts };
  const mine = await owned([...new Set(refusal.conflicts.map((c) => c.import_id))]);
  const conflicts = refusal.conflicts.map((c) => ({
    lead_id: c.lead_id,
    import_id: mine.has(c.import_id) ? c.import_id : null,
  }));
  const yours = [...new Set(conflicts.flatMap((c) => (c.import_id ? [c.import_id] : [])))];
  const others = conflicts.some((c) => c.import_id === null);
  const total = conflict_count;
  const by = [
    ...(yours.length > 0 ? [`your later import${yours.length === 1 ? '' : 's'} ${yours.join(', ')}`] : []),
    ...(others ? ["another uploader's later imports"] : []),
  ].join(' and ');
  const first = yours.length > 0 ? ` Revert ${yours.length === 1 ? 'that import' : 'those imports'} first.` : '';
  return {
    reason,
    conflict_count,
    conflicts,
    message: `Cannot revert import ${refusal.import_id}: ${total} of its leads ${total === 1 ? 'was' : 'were'} changed since by ${by}${total > conflicts.length ? ' (and possibly others)' : ''}.${first} Nothing changed.`,
  };
}

export const importRoutes: Route[] = [
  { method: 'GET', pattern: '/imports', handle: listImports },
  { method: 'GET', pattern: '/imports/{id}', handle: showImport },
  { method: 'POST', pattern: '/imports/{id}/revert', handle: revert },
];
