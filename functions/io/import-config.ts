import { z } from 'zod';
import { DEFAULT_LIMITS, type EngineLimits } from '#core/engine/lead-engine';
import { databaseEnvShape } from './database.ts';
import { positiveInt, readEnv } from './env.ts';

export const importEnvShape = {
  ...databaseEnvShape,
  S3_ENDPOINT: z.url().optional(),
  MAX_FILE_BYTES: positiveInt(1024 * 1024 * 1024),
  MAX_RECORD_CHARS: positiveInt(DEFAULT_LIMITS.maxRecordChars),
  ERROR_LIST_LIMIT: positiveInt(DEFAULT_LIMITS.errorListLimit),
  DEADLINE_MARGIN_MS: positiveInt(10_000),
  PROGRESS_INTERVAL_MS: positiveInt(2_000),
  THREAD_MIN_BYTES: positiveInt(4 * 1024 * 1024),
  /** `off` parses on the main thread whatever the size: set by the stack where the function has one vCPU or less. */
  ENGINE_WORKER: z.enum(['on', 'off']).default('on'),
  DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'a two-letter country code')
    .default('US'),
};
export type ImportEnv = z.output<z.ZodObject<typeof importEnvShape>>;

export const readImportEnv = (env: NodeJS.ProcessEnv = process.env): ImportEnv => readEnv(importEnvShape, env);

/** Files at least this large are parsed in a worker thread; none when ENGINE_WORKER is off. */
export const threadMinBytes = (env: ImportEnv): number =>
  env.ENGINE_WORKER === 'on' ? env.THREAD_MIN_BYTES : Number.POSITIVE_INFINITY;

/** `inputBytes`: the file's size, when known, which the rejected-rows cap is relative to. */
export const engineLimits = (env: ImportEnv, inputBytes?: number): EngineLimits => ({
  maxRecordChars: env.MAX_RECORD_CHARS,
  errorListLimit: env.ERROR_LIST_LIMIT,
  inputBytes,
});
