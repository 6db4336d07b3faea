/**
 * The hostile files of issue 14, through the real handler (local S3 server, real PostgreSQL) and the
 * bundled CLI: each ends in a final, bounded result.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useImportHandler } from '../support/import-harness.ts';

const h = useImportHandler('poison');
const MiB = 1024 * 1024;

/** `rows` rows of `AcmeN,<cellChars letters>` under a company_name,industry header. */
function hugeCells(rows: number, cellChars: number): Buffer {
  const cell = 'x'.repeat(cellChars);
  const parts = ['company_name,industry\n'];
  for (let i = 1; i <= rows; i++) parts.push(`Acme${i},${cell}\n`);
  return Buffer.from(parts.join(''));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lead-poison-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hostile files end in a final, bounded result', () => {
  it('100 rows of 1,000,000-letter cells: rejected, with a result JSON under 1 MiB and cut values', async () => {
    const { key, result } = await h.importCsv(hugeCells(100, 1_000_000));
    expect(result).toMatchObject({ status: 'rejected', error_code: 'ERROR_THRESHOLD_EXCEEDED', failed_count: 100 });
    const stored = await h.s3.getText(`${key}.result.json`);
    expect(Buffer.byteLength(stored!)).toBeLessThan(MiB);
    expect(result.error_details[0]!.value).toMatch(/^x{200}… \[cut: 1000000 characters\]$/);
  });

  it('the same file through the bundled CLI peaks under 512 MiB of RSS (main thread and worker)', async () => {
    const path = join(dir, 'huge-cells.csv');
    await writeFile(path, hugeCells(100, 1_000_000));
    // Preloaded in the process and in its engine worker: the worker says it started.
    const report =
      "import{isMainThread}from'node:worker_threads';if(!isMainThread)process.stderr.write('ENGINE_WORKER_STARTED\\n');" +
      "process.on('exit',()=>process.stderr.write('MAXRSS_KB '+process.resourceUsage().maxRSS+'\\n'))";
    const run = spawnSync(process.execPath, ['scripts/run-bundled.mjs', 'import', path], {
      encoding: 'utf8',
      env: {
        ...process.env,
        DATABASE_URL: h.db.importerUrl,
        NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(report)}`,
      },
      maxBuffer: 64 * MiB,
    });
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'rejected', failed_count: 100 });
    expect(run.status).toBe(1);
    // The bundle found its engine worker beside it (a missing one would silently parse inline).
    expect(run.stderr).toContain('ENGINE_WORKER_STARTED');
    const peakKb = Math.max(...[...run.stderr.matchAll(/MAXRSS_KB (\d+)/g)].map((m) => Number(m[1])));
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb * 1024).toBeLessThan(512 * MiB);
  });

  it('1 MB of "A,x" rows under a 4 MiB TMPDIR: rejected, the rejected-rows file within its cap, no ENOSPC', async () => {
    // A tmpfs of 4 MiB: the uncapped report of this file (13.5x the upload) would fill it.
    const small = join(dir, 'small-tmp');
    await mkdir(small);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', small], { encoding: 'utf8' });
    expect(mounted.status, mounted.stderr).toBe(0);
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = small;
    try {
      // Every row lacks its company name, so every row goes to the rejected-rows file.
      const upload = Buffer.from(`company_name,industry\n${',x\n'.repeat(330_000)}`);
      const { key, result } = await h.importCsv(upload);
      expect(result).toMatchObject({ status: 'rejected', error_code: 'ERROR_THRESHOLD_EXCEEDED' });
      const report = await h.s3.getText(`${key}.rejected.csv`);
      expect(Buffer.byteLength(report!)).toBeLessThanOrEqual(2 * upload.length + MiB);
      expect(await readdir(small)).toEqual([]);
    } finally {
      process.env.TMPDIR = previous;
      spawnSync('umount', [small]);
    }
  });
});
