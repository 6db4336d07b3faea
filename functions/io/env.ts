import { z } from 'zod';
import { InfraError } from '#core/contract/errors';

/**
 * Reads and validates configuration once; a missing or malformed variable fails with its name.
 * Every variable is documented in the README's configuration table.
 */
export function readEnv<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InfraError('CONFIG_MISSING', `Configuration ${String(issue.path[0])}: ${issue.message}`);
}

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');
