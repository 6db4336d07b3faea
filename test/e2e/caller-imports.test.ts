import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvText, HEADER, validLead } from '#test/csv';
import { countLeads, freshDatabase, type TestDatabase } from '#test/database';
import type { UploadGrant } from '../../functions/presign/grant.ts';
import { waitForResult } from './stack-client.ts';

/** `npm start`'s script, run by Node with tsx as npm would, in a scratch directory (it keeps S3 data under ./.local). */
const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'local-stack.ts');
const TSX = import.meta.resolve('tsx');

const ALICE = { token: 'alice-local-token-0123', subject: 'alice' };
const BOB = { token: 'bob-local-token-456789', subject: 'bob' };
const CAROL = { token: 'carol-local-token-0000', subject: 'carol' };

let db: TestDatabase;
let dir: string;
let child: ChildProcess | undefined;
let apiUrl: string;

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', S3_PORT: '0', DATABASE_URL: db.adminUrl };
  for (const name of ['LOCAL_API_TOKEN', 'LOCAL_API_SUBJECT', 'LOCAL_API_TOKENS']) delete env[name];
  return env;
};

beforeAll(async () => {
  db = await freshDatabase();
  dir = await mkdtemp(join(tmpdir(), 'lead-npm-start-'));
  child = spawn(process.execPath, ['--import', TSX, SCRIPT], {
    cwd: dir,
    env: {
      ...baseEnv(),
      // Both ways of naming callers at once: the single token and the list.
      LOCAL_API_TOKEN: CAROL.token,
      LOCAL_API_SUBJECT: CAROL.subject,
      LOCAL_API_TOKENS: `${ALICE.token}=${ALICE.subject}, ${BOB.token}=${BOB.subject}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  apiUrl = await new Promise<string>((resolve, reject) => {
    child!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /Presign API\s+POST (\S+)\/uploads/.exec(out)?.[1];
      if (url && out.includes('Ctrl-C stops everything')) resolve(url);
    });
    child!.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${err}`)));
  });
  expect(out).toContain(`Also caller   Authorization: Bearer ${ALICE.token}   (subject alice)`);
  expect(out).not.toContain('was generated for this run');
});
afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function callApi(
  who: { token: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Grant, upload with the granted headers, wait for the result: what the page does. */
async function uploadAs(who: { token: string }, name: string, rows: number): Promise<string> {
  const csv = csvText([HEADER, ...Array.from({ length: rows }, (_, i) => validLead(i))]);
  const grant = (await callApi(who, 'POST', '/uploads', { filename: name, size: Buffer.byteLength(csv) }))
    .body as unknown as UploadGrant;
  const put = await fetch(grant.upload.url, { method: 'PUT', headers: grant.upload.headers, body: csv });
  expect(put.status).toBe(200);
  expect(await waitForResult(grant.result_url)).toMatchObject({ status: 'succeeded', imported_count: rows });
  return grant.import_id;
}

const idsOf = (body: Record<string, unknown>) => (body.imports as { import_id: string }[]).map((r) => r.import_id);

describe('npm start with two tokens', () => {
  it("keeps alice's uploads invisible to bob, and bob's to alice", async () => {
    const alices = [await uploadAs(ALICE, 'alice-1.csv', 3), await uploadAs(ALICE, 'alice-2.csv', 2)];
    const bobs = [await uploadAs(BOB, 'bob-1.csv', 4)];

    const aliceList = await callApi(ALICE, 'GET', '/imports');
    expect(aliceList.status).toBe(200);
    expect(idsOf(aliceList.body)).toEqual([...alices].reverse());
    expect(idsOf((await callApi(BOB, 'GET', '/imports')).body)).toEqual(bobs);
    expect(idsOf((await callApi(CAROL, 'GET', '/imports')).body)).toEqual([]);

    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/revert'],
    ] as const) {
      const answer = await callApi(BOB, method, `/imports/${alices[0]}${suffix}`);
      expect(answer).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    }
    expect(await countLeads(db, 'import_id = $1', [alices[0]])).toBe(3);

    expect(await callApi(ALICE, 'GET', `/imports/${alices[0]}`)).toMatchObject({
      status: 200,
      body: { import_id: alices[0], filename: 'alice-1.csv', result: { imported_count: 3 } },
    });
    expect(await callApi(ALICE, 'POST', `/imports/${alices[0]}/revert`)).toMatchObject({
      status: 200,
      body: { status: 'reverted', removed_leads: 3 },
    });
    expect(await countLeads(db, 'import_id = $1', [alices[0]])).toBe(0);
    expect(await countLeads(db, 'import_id = $1', [bobs[0]])).toBe(4);
  });

  it('answers 401 to an unknown token', async () => {
    const answer = await callApi({ token: 'not-a-known-token-at-all' }, 'GET', '/imports');
    expect(answer).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  });
});

describe('LOCAL_API_TOKENS refusals', () => {
  it.each([
    ['a token shorter than 16 characters', `short=alice,${BOB.token}=bob`, 'use at least 16 characters'],
    ['a token without a subject', `${ALICE.token}`, 'needs "=subject"'],
    ['the same token twice', `${ALICE.token}=alice,${ALICE.token}=bob`, 'given twice'],
  ])('refuses %s before starting anything', (_, value, message) => {
    const run = spawnSync(process.execPath, ['--import', TSX, SCRIPT], {
      cwd: dir,
      env: { ...baseEnv(), LOCAL_API_TOKENS: value },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('LOCAL_API_TOKENS');
    expect(run.stderr).toContain(message);
    expect(run.stdout).not.toContain('local stack is running');
  });
});
