import { z } from 'zod';
import { databaseEnvShape } from './database.ts';
import { positiveInt, readEnv } from './env.ts';

/** The caller's API function's configuration (README: configuration table). */
export const apiEnvShape = {
  ...databaseEnvShape,
  BUCKET_NAME: z.string().min(1),
  /** Set for the local S3 server; unset in AWS. */
  S3_ENDPOINT: z.url().optional(),
  RESULT_URL_TTL_SECONDS: positiveInt(3600).pipe(z.number().max(604_800)),
};
export type ApiEnv = z.output<z.ZodObject<typeof apiEnvShape>>;

export const readApiEnv = (env: NodeJS.ProcessEnv = process.env): ApiEnv => readEnv(apiEnvShape, env);
