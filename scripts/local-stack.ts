/**
 * `npm start`: the local stack in one process (presign API, S3 server, import on upload, PostgreSQL).
 * PORT (3000) and S3_PORT (4569) choose the ports; DATABASE_URL picks PostgreSQL, else an embedded
 * one under .local/pg; LOCAL_API_TOKEN / LOCAL_API_SUBJECT set the bearer token and its subject, and
 * LOCAL_API_TOKENS (`tokenA=alice,tokenB=bob`) adds more callers.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { readEnv } from '#io/env';
import { localCallers, localToken } from './lib/local-stack/callers.ts';
import { startLocalStack } from './lib/local-stack/index.ts';
import { instructions } from './lib/local-stack/instructions.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const port = z.coerce.number().int().min(0).max(65535);
const env = readEnv({
  PORT: port.default(3000),
  S3_PORT: port.default(4569),
  DATABASE_URL: z.string().min(1).optional(),
  LOCAL_API_TOKEN: localToken.optional(),
  LOCAL_API_SUBJECT: z.string().min(1).optional(),
  LOCAL_API_TOKENS: localCallers.optional(),
});
// With LOCAL_API_TOKENS alone, its first caller is the one the instructions use.
const callers = [...(env.LOCAL_API_TOKENS ?? [])];
const primary = env.LOCAL_API_TOKEN === undefined ? callers.shift() : undefined;

const stack = await startLocalStack({
  port: env.PORT,
  s3Port: env.S3_PORT,
  s3Directory: join(process.cwd(), '.local', 's3'),
  databaseUrl: env.DATABASE_URL,
  pgDirectory: join(process.cwd(), '.local', 'pg'),
  token: env.LOCAL_API_TOKEN ?? primary?.token,
  subject: primary?.subject ?? env.LOCAL_API_SUBJECT,
  callers,
});
process.stdout.write(instructions(stack));
if (!env.LOCAL_API_TOKEN && !env.LOCAL_API_TOKENS)
  process.stdout.write('(LOCAL_API_TOKEN was not set: the token above was generated for this run.)\n');

let stopping = false;
const stop = (signal: string) => {
  if (stopping) process.exit(130);
  stopping = true;
  process.stdout.write(`\n${signal}: stopping (waiting for running imports; press Ctrl-C again to force)...\n`);
  void stack.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
