/**
 * `npm run demo`: starts the local stack on free ports, asks for an upload grant for
 * events/leads_1000.csv, uploads it with plain fetch and exactly the granted headers, polls the
 * presigned result URL, prints the result JSON and exits 0 on `succeeded` (1 otherwise).
 * Uses DATABASE_URL when set, else an embedded PostgreSQL under .local/demo-pg.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImportResult } from '#core/result';
import type { UploadGrant } from '../functions/presign/grant.ts';
import { startLocalStack } from './lib/local-stack/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const FILE = join(import.meta.dirname, '..', 'events', 'leads_1000.csv');
const POLL_MS = 250;
const GIVE_UP_MS = 120_000;
const say = (line: string) => process.stderr.write(`demo: ${line}\n`);

say(process.env.DATABASE_URL ? 'using DATABASE_URL' : 'starting an embedded PostgreSQL under .local/demo-pg (the first run initializes it)');
const stack = await startLocalStack({ databaseUrl: process.env.DATABASE_URL, pgDirectory: join(process.cwd(), '.local', 'demo-pg') });
let exitCode = 1;
try {
  const body = await readFile(FILE);
  const grantResponse = await fetch(`${stack.apiUrl}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ filename: basename(FILE), size: body.length }),
  });
  if (grantResponse.status !== 201) throw new Error(`POST /uploads answered ${grantResponse.status}: ${await grantResponse.text()}`);
  const grant = (await grantResponse.json()) as UploadGrant;
  say(`granted import ${grant.import_id}: ${grant.key}`);

  const upload = await fetch(grant.upload.url, { method: grant.upload.method, headers: grant.upload.headers, body });
  if (!upload.ok) throw new Error(`upload answered ${upload.status}: ${await upload.text()}`);
  say(`uploaded ${body.length} bytes; waiting for the result`);

  let result: ImportResult | undefined;
  const deadline = Date.now() + GIVE_UP_MS;
  while (Date.now() < deadline) {
    const res = await fetch(grant.result_url);
    if (res.ok) {
      // A read racing the object's replacement may be torn on the local S3 server: poll again.
      const parsed = parseResult(await res.text());
      if (parsed) result = parsed;
      if (parsed && parsed.status !== 'processing') break;
    } else if (res.status >= 500) {
      await res.body?.cancel(); // S3 asks clients to retry server errors
    } else if (res.status !== 404) {
      throw new Error(`result URL answered ${res.status}: ${await res.text()}`);
    } else {
      await res.body?.cancel();
    }
    await sleep(POLL_MS);
  }
  if (!result || result.status === 'processing') throw new Error(`no result after ${GIVE_UP_MS / 1000} s`);
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

function parseResult(text: string): ImportResult | undefined {
  try {
    return JSON.parse(text) as ImportResult;
  } catch {
    return undefined;
  }
}
