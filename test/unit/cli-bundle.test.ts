import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKER_BUNDLE_NAME } from '#runtime/engine-runner';

describe('npm run import / imports (scripts/run-bundled.mjs)', () => {
  it('runs the CLI from an esbuild bundle with plain node, the engine worker beside it where the runner looks', () => {
    // Act: --help needs no database, so this proves the bundle is built and starts.
    const run = spawnSync(process.execPath, ['scripts/run-bundled.mjs', 'import', '--help'], { encoding: 'utf8' });
    // Assess
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('usage: npm run import');
    expect(existsSync(join('.local', 'cli', 'import.mjs'))).toBe(true);
    expect(existsSync(join('.local', 'cli', 'imports.mjs'))).toBe(true);
    expect(existsSync(join('.local', 'cli', WORKER_BUNDLE_NAME))).toBe(true);
  });

  it('refuses an unknown command with the usage and exit code 2', () => {
    const run = spawnSync(process.execPath, ['scripts/run-bundled.mjs', 'bogus'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('usage: node scripts/run-bundled.mjs <import|imports>');
  });
});
