import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileError } from '#core/contract/errors';
import { DEFAULT_LIMITS } from '#core/engine/lead-engine';
import { parseImportOptions } from '#core/contract/options';
import { readImportEnv, threadMinBytes } from '#io/import-config';
import { parseRuleSet } from '#core/contract/rule-set';
import { createEngineRunner, type EngineRunner } from '#runtime/engine-runner';
import { decodeCopyRows } from '#test/copy-rows';
import { EVERY_KIND } from '#test/rule-sets';
import { generateLeadCsv } from '../../scripts/lib/lead-generator.ts';

const IMPORT_ID = '00000000-0000-4000-8000-000000000001';

async function* chunks(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function drain(runner: EngineRunner, bytes: Uint8Array) {
  const copy: Buffer[] = [];
  let rejected = '';
  // Each part says how many COPY rows the stream holds up to it: io/copy-leads maps a refused row by it.
  let lines = 0;
  const wrongLineCounts: number[] = [];
  for await (const out of runner.run(chunks(bytes))) {
    for (const part of out.copy) {
      const buffer = Buffer.from(part.bytes);
      copy.push(buffer);
      lines += decodeCopyRows(buffer).length;
      if (part.linesSoFar !== lines) wrongLineCounts.push(part.linesSoFar);
    }
    rejected += out.rejected ?? '';
  }
  return { summary: runner.summary, copy: Buffer.concat(copy).toString('hex'), rejected, wrongLineCounts };
}

const run = (bytes: Uint8Array, threaded: boolean) =>
  drain(
    createEngineRunner({ importId: IMPORT_ID, options: parseImportOptions({}), limits: DEFAULT_LIMITS }, threaded),
    bytes,
  );

async function fixtures(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const names = (await readdir('events')).filter((n) => n.endsWith('.csv'));
  return Promise.all(names.map(async (name) => ({ name, bytes: await readFile(join('events', name)) })));
}

describe('inline and worker runners agree', () => {
  it('on every fixture in events/: summary, COPY bytes and rejected rows', async () => {
    const files = await fixtures();
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const { name, bytes } of files) {
      const inline = await run(bytes, false);
      const threaded = await run(bytes, true);
      expect(threaded, name).toEqual(inline);
      expect(inline.summary?.total_leads, name).toBeGreaterThan(0);
    }
  });

  it('on a generated 50,000-row file with invalid rows', async () => {
    const bytes = Buffer.from([...generateLeadCsv({ rows: 50_000, invalidRate: 0.01 })].join(''));
    const inline = await run(bytes, false);
    const threaded = await run(bytes, true);
    expect(inline.summary).toMatchObject({ total_leads: 50_000, failed_count: 500 });
    expect([inline.wrongLineCounts, threaded.wrongLineCounts]).toEqual([[], []]);
    expect(threaded.summary).toEqual(inline.summary);
    expect(threaded.copy === inline.copy).toBe(true);
    expect(threaded.rejected === inline.rejected).toBe(true);
  });

  it('on a rule set, compiled in the worker as inline: the same rule errors and COPY bytes', async () => {
    const bytes = Buffer.from([...generateLeadCsv({ rows: 20_000, invalidRate: 0.01 })].join(''));
    const ruleSet = { name: 'every-kind', version: 3, rules: parseRuleSet(EVERY_KIND) };
    const setup = { importId: IMPORT_ID, options: parseImportOptions({}), limits: DEFAULT_LIMITS, ruleSet };
    const inline = await drain(createEngineRunner(setup, false), bytes);
    const threaded = await drain(createEngineRunner(setup, true), bytes);
    const plain = await run(bytes, false);
    expect(inline.summary!.failed_count).toBeGreaterThan(plain.summary!.failed_count);
    expect(inline.summary!.error_details.some((e) => e.code.startsWith('RULE_'))).toBe(true);
    expect(threaded.summary).toEqual(inline.summary);
    expect(threaded.copy === inline.copy).toBe(true);
  });

  it('on a file failure: the same typed error from both', async () => {
    const bytes = Buffer.from('name,industry\nAcme,SaaS\n');
    const inline = await run(bytes, false).catch((e: unknown) => e);
    const threaded = await run(bytes, true).catch((e: unknown) => e);
    expect(inline).toBeInstanceOf(FileError);
    expect(threaded).toBeInstanceOf(FileError);
    expect((threaded as FileError).code).toBe((inline as FileError).code);
    expect((threaded as FileError).message).toBe((inline as FileError).message);
  });
});

describe('ENGINE_WORKER', () => {
  const env = (extra: Record<string, string>) => readImportEnv({ DATABASE_URL: 'postgres://x@localhost/x', ...extra });
  it('threads files from THREAD_MIN_BYTES on by default, and none when off', () => {
    expect(threadMinBytes(env({}))).toBe(4 * 1024 * 1024);
    expect(threadMinBytes(env({ THREAD_MIN_BYTES: '1000' }))).toBe(1000);
    expect(threadMinBytes(env({ ENGINE_WORKER: 'off', THREAD_MIN_BYTES: '1000' }))).toBe(Number.POSITIVE_INFINITY);
  });
  it('refuses a value other than on or off', () => {
    expect(() => env({ ENGINE_WORKER: 'yes' })).toThrow(/ENGINE_WORKER/);
  });
});
