import { z } from 'zod';
import { databaseEnvShape } from './database.ts';
import { positiveInt, readEnv } from './env.ts';

/** The presign function's configuration (README: configuration table). */
export const presignEnvShape = {
  /** Used only to check a grant's rule_set; a grant without one opens no connection. */
  ...databaseEnvShape,
  BUCKET_NAME: z.string().min(1),
  /** Set for the local S3 server; unset in AWS. */
  S3_ENDPOINT: z.url().optional(),
  MAX_UPLOAD_BYTES: positiveInt(100 * 1024 * 1024),
  UPLOAD_URL_TTL_SECONDS: positiveInt(300).pipe(z.number().max(604_800)),
  RESULT_URL_TTL_SECONDS: positiveInt(3600).pipe(z.number().max(604_800)),
};
export type PresignEnv = z.output<z.ZodObject<typeof presignEnvShape>>;

export const readPresignEnv = (env: NodeJS.ProcessEnv = process.env): PresignEnv => readEnv(presignEnvShape, env);
