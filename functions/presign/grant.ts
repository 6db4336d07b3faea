import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { FileError } from '#core/contract/errors';
import { rejectedKeyFor, resultKeyFor } from '#core/contract/keys';
import { MAX_METADATA_BYTES, metadataBytes } from '#core/contract/metadata';
import {
  optionsToMetadata,
  parseImportOptions,
  reservedKeyError,
  reservedOptionKey,
  type ImportOptions,
} from '#core/contract/options';
import { PresignError } from './errors.ts';
import type { UrlSigner } from '#io/s3-signer';
import { callerSegment, safeFileName, uploadKey } from './upload-key.ts';

export const UPLOAD_CONTENT_TYPE = 'text/csv';
export { MAX_METADATA_BYTES };

/** The body of `POST /uploads`. Unknown fields are refused so typos do not pass silently. */
export const grantRequestSchema = z
  .object({
    filename: z.string().min(1).max(4096),
    size: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type GrantRequest = z.output<typeof grantRequestSchema>;

export interface GrantLimits {
  maxUploadBytes: number;
  uploadUrlTtlSeconds: number;
  resultUrlTtlSeconds: number;
}

export interface GrantDeps {
  signer: UrlSigner;
  limits: GrantLimits;
  /** Whether the caller (its folder segment) has a rule set of that name; asked only when the grant names one. */
  ruleSetExists: (caller: string, name: string) => Promise<boolean>;
  now?: () => Date;
  newId?: () => string;
}

/** The answer to `POST /uploads`: the client sends exactly `upload.headers` with a PUT to `upload.url`. */
export interface UploadGrant {
  import_id: string;
  key: string;
  upload: { method: 'PUT'; url: string; headers: Record<string, string> };
  expires_at: string;
  result_key: string;
  result_url: string;
  error_report_key: string;
  error_report_url: string;
}

/** Validates a parsed JSON body; a bad body is a 400 naming the first problem. */
export function parseGrantRequest(body: unknown): GrantRequest {
  // Checked before the schema, which would copy the options into a new object and lose `__proto__`.
  const options = typeof body === 'object' && body !== null ? (body as { options?: unknown }).options : undefined;
  if (typeof options === 'object' && options !== null && !Array.isArray(options)) {
    const reserved = reservedOptionKey(options as Record<string, unknown>);
    if (reserved !== undefined) {
      const error = reservedKeyError(reserved);
      throw new PresignError('INVALID_OPTIONS', error.message, { cause: error, detail: { key: reserved } });
    }
  }
  const result = grantRequestSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'body';
  throw new PresignError('INVALID_REQUEST', `Invalid request ${where}: ${issue?.message ?? 'invalid'}`, {
    detail: { issues: result.error.issues },
  });
}

/**
 * One upload grant: the server picks the key and the import id, and signs the size, the content
 * type and the options (all of them, defaults included, so none can be added or changed) into a
 * presigned PUT; presigned GETs let the client read the result files without bucket rights.
 */
export async function createGrant(deps: GrantDeps, subject: string, request: GrantRequest): Promise<UploadGrant> {
  const { limits } = deps;
  const name = safeFileName(request.filename);
  if (request.size > limits.maxUploadBytes) {
    throw new PresignError(
      'FILE_TOO_LARGE',
      `The file is ${request.size} bytes; at most ${limits.maxUploadBytes} bytes can be uploaded.`,
    );
  }
  let options: ImportOptions;
  try {
    options = parseImportOptions(request.options ?? {});
  } catch (error) {
    if (error instanceof FileError) throw new PresignError('INVALID_OPTIONS', error.message, { cause: error });
    throw error;
  }
  const importId = (deps.newId ?? randomUUID)();
  const caller = callerSegment(subject);
  const metadata: Record<string, string> = { ...optionsToMetadata(options), 'import-id': importId, uploader: caller };
  // Refused here, not by S3 at upload time (after the user waited for the bytes to go up).
  const bytes = metadataBytes(metadata);
  if (bytes > MAX_METADATA_BYTES) {
    const mapping =
      metadata.mapping === undefined
        ? ''
        : ` (the mapping alone takes ${metadataBytes({ mapping: metadata.mapping })})`;
    throw new PresignError(
      'INVALID_OPTIONS',
      `The options take ${bytes} bytes of S3 metadata${mapping}, over S3's 2 KB user-metadata budget of ${MAX_METADATA_BYTES} bytes. Map fewer columns by hand or rename the file's headers to names the importer recognizes.`,
      { detail: { metadata_bytes: bytes, budget_bytes: MAX_METADATA_BYTES } },
    );
  }
  // Last, and only when a rule set is named: the one check that needs the database. The importer
  // checks again at its start (the rule set may be deleted between grant and upload).
  if (options.rule_set !== undefined && !(await deps.ruleSetExists(caller, options.rule_set))) {
    throw new PresignError(
      'RULE_SET_NOT_FOUND',
      `You have no rule set named ${options.rule_set}. Create it with PUT /rule-sets/${options.rule_set} or choose another.`,
      { detail: { rule_set: options.rule_set } },
    );
  }

  const key = uploadKey(caller, importId, name);
  const signingDate = (deps.now ?? (() => new Date()))();
  const url = await deps.signer.signPut({
    key,
    contentType: UPLOAD_CONTENT_TYPE,
    contentLength: request.size,
    metadata,
    expiresIn: limits.uploadUrlTtlSeconds,
    signingDate,
  });
  const headers: Record<string, string> = {
    'content-type': UPLOAD_CONTENT_TYPE,
    'content-length': String(request.size),
    ...Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
  };
  assertSignedHeaders(url, headers);
  const resultKey = resultKeyFor(key);
  const errorReportKey = rejectedKeyFor(key);
  return {
    import_id: importId,
    key,
    upload: { method: 'PUT', url, headers },
    expires_at: new Date(signingDate.getTime() + limits.uploadUrlTtlSeconds * 1000).toISOString(),
    result_key: resultKey,
    result_url: await deps.signer.signGet(resultKey, limits.resultUrlTtlSeconds, signingDate),
    error_report_key: errorReportKey,
    error_report_url: await deps.signer.signGet(errorReportKey, limits.resultUrlTtlSeconds, signingDate),
  };
}

/**
 * The grant promises that every header it returns is signed and none rides in the query string;
 * check the URL rather than trust the presigner's options (a changed default would silently
 * turn a binding into a suggestion).
 */
export function assertSignedHeaders(url: string, headers: Record<string, string>): void {
  const query = new URL(url).searchParams;
  const signed = new Set((query.get('X-Amz-SignedHeaders') ?? '').split(';'));
  const unsigned = Object.keys(headers).filter((name) => !signed.has(name));
  const hoisted = [...query.keys()].filter((name) => name.toLowerCase().startsWith('x-amz-meta-'));
  if (unsigned.length > 0 || hoisted.length > 0) {
    throw new PresignError('INTERNAL', 'The presigned upload does not bind its headers', {
      detail: { unsigned, hoisted },
    });
  }
}
