/**
 * `npm run demo`: starts the local stack on free ports, asks for an upload grant for
 * events/leads_1000.csv, uploads it with plain fetch and exactly the granted headers, polls the
 * presigned result URL, prints the result JSON and exits 0 on `succeeded` (1 otherwise).
 * Uses DATABASE_URL when set, else an embedded PostgreSQL under .local/demo-pg.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { UploadGrant } from '../functions/presign/grant.ts';
import { startLocalStack } from './lib/local-stack/index.ts';
import { waitForResult } from './lib/local-stack/result-poller.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const FILE = join(import.meta.dirname, '..', 'events', 'leads_1000.csv');
const POLL_MS = 250;
const GIVE_UP_MS = 120_000;
const say = (line: string) => process.stderr.write(`demo: ${line}\n`);

say(
  process.env.DATABASE_URL
    ? 'using DATABASE_URL'
    : 'starting an embedded PostgreSQL under .local/demo-pg (the first run initializes it)',
);
const stack = await startLocalStack({
  databaseUrl: process.env.DATABASE_URL,
  pgDirectory: join(process.cwd(), '.local', 'demo-pg'),
});
let exitCode = 1;
try {
  const body = await readFile(FILE);
  const grantResponse = await fetch(`${stack.apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ filename: basename(FILE), size: body.length }),
  });
  if (grantResponse.status !== 201)
    throw new Error(`POST /uploads answered ${grantResponse.status}: ${await grantResponse.text()}`);
  const grant = (await grantResponse.json()) as UploadGrant;
  say(`granted import ${grant.import_id}: ${grant.key}`);

  const upload = await fetch(grant.upload.url, { method: grant.upload.method, headers: grant.upload.headers, body });
  if (!upload.ok) throw new Error(`upload answered ${upload.status}: ${await upload.text()}`);
  say(`uploaded ${body.length} bytes; waiting for the result`);

  const result = await waitForResult(grant.result_url, { timeoutMs: GIVE_UP_MS, pollMs: POLL_MS });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  say(`${result.status}: ${result.message}`);
  exitCode = result.status === 'succeeded' ? 0 : 1;
} catch (error) {
  say(`failed: ${(error as Error).message}`);
} finally {
  await stack.close();
}
// The import Lambda keeps its pool open for the next event, as in AWS; end the process explicitly.
process.exit(exitCode);
