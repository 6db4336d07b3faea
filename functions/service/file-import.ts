import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type pg from 'pg';
import { rejectedKeyFor } from '#core/contract/keys';
import type { EngineLimits } from '#core/engine/lead-engine';
import type { ImportOptions } from '#core/contract/options';
import type { LoadedRuleSet } from '#core/contract/rule-set';
import type { ImportResult } from '#core/contract/result';
import { TextFileSink } from '#io/temp-file';
import { runImport } from './pipeline.ts';

/**
 * The one-shot CLI path: a file on disk through the same runImport as the Lambda. Every run is a
 * new import (the version is the import id); the rejected-rows file lands next to the input.
 */
export async function importFile(
  pool: pg.Pool,
  path: string,
  options: ImportOptions,
  limits: EngineLimits,
  threadMinBytes: number,
  onProgress?: (rows: number, bytes: number, size: number) => void,
  /** Who imports (owner of the rule sets `rule_set` names; default $USER), and a rule set from a file. */
  who: { uploader?: string | null; ruleSetFile?: LoadedRuleSet | undefined } = {},
): Promise<ImportResult> {
  const absolute = resolve(path);
  const { size } = await stat(absolute);
  const importId = randomUUID();
  const rejected = new TextFileSink(rejectedKeyFor(absolute), rejectedKeyFor(absolute)); // beside the file, as in S3;
  let bytes = 0;
  async function* counted(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  const outcome = await runImport(pool, {
    importId,
    filename: basename(absolute),
    source: { bucket: 'local-file', key: absolute, version_id: null, etag: null, size },
    version: importId,
    uploader: who.uploader === undefined ? (process.env.USER ?? null) : who.uploader,
    options,
    ruleSetFile: who.ruleSetFile,
    limits,
    threaded: size >= threadMinBytes,
    openBody: async () => {
      const stream = createReadStream(absolute, { highWaterMark: 256 * 1024 });
      return Object.assign(counted(stream), { destroy: () => stream.destroy() });
    },
    rejectedRows: rejected,
    ...(onProgress ? { onProgress: (rows: number) => onProgress(rows, bytes, size) } : {}),
  });
  await rejected.close();
  if (outcome.replayed) throw new Error('unreachable: a CLI import is never a replay');
  return outcome.result;
}
